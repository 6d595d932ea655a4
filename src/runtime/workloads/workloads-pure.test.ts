import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { choosePodsToDelete } from './pod-ranking.js';
import { changedBeyondStatus, podChangeMattersToReplicaSet, replicaSetStatus } from './replicaset-controller.js';
import { deploymentConditions, planRecreate, planRollingUpdate, resolveFenceposts, type RSView } from './rollout.js';
import { canonicalJson, fnv1a32, podTemplateHash, templatesEqualIgnoringHash } from './template-hash.js';

const tpl = (image: string, extraLabels: Record<string, string> = {}) => ({ metadata: { labels: { app: 'web', ...extraLabels } }, spec: { containers: [{ name: 'c', image, env: [{ name: 'A', value: '1' }] }] } });

describe('pod-template-hash', () => {
  test('FNV-1a reference values and canonical JSON', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] }), '{"a":[1,{"c":"x"}],"b":1}');
  });
  test('stable, Kubernetes-shaped, key-order independent, ignores its own label, changes with the template and collisions', () => {
    const h = podTemplateHash(tpl('a:1'));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(podTemplateHash({ spec: tpl('a:1').spec, metadata: tpl('a:1').metadata }), h);
    assert.equal(podTemplateHash(tpl('a:1', { 'pod-template-hash': 'zzz' })), h);
    assert.notEqual(podTemplateHash(tpl('a:2')), h);
    assert.notEqual(podTemplateHash(tpl('a:1'), 1), h);
    assert.ok(templatesEqualIgnoringHash(tpl('a:1', { 'pod-template-hash': h }), tpl('a:1')));
    assert.ok(!templatesEqualIgnoringHash(tpl('a:1'), tpl('a:2')));
  });
});

const pod = (name: string, o: { phase?: string; ready?: string; restarts?: number; created?: string; node?: boolean } = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', labels: { app: 'web' } },
  spec: o.node === false ? {} : { nodeName: 'skiff' },
  status: {
    phase: o.phase ?? 'Running',
    conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] : [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ restartCount: o.restarts ?? 0 }],
  },
});

describe('scale-down choice', () => {
  test('unscheduled, pending, unready, recently ready, restarting, newest go first', () => {
    const pods = [
      pod('old-ready', { ready: '2026-01-01T00:01:00Z' }),
      pod('new-ready', { ready: '2026-01-01T00:05:00Z' }),
      pod('unready'),
      pod('pending', { phase: 'Pending' }),
      pod('unscheduled', { phase: 'Pending', node: false }),
      pod('crashy', { restarts: 4 }),
      pod('newer-unready', { created: '2026-01-01T00:09:00Z' }),
    ];
    assert.deepEqual(choosePodsToDelete(pods, 7).map((p) => p.metadata.name), ['unscheduled', 'pending', 'crashy', 'newer-unready', 'unready', 'new-ready', 'old-ready']);
    assert.deepEqual(choosePodsToDelete(pods, 0), []);
  });
});

describe('rolling update planning', () => {
  test('fenceposts: surge rounds up, unavailable down, both zero → one unavailable', () => {
    assert.deepEqual(resolveFenceposts(undefined, 10), { maxSurge: 3, maxUnavailable: 2 });
    assert.deepEqual(resolveFenceposts({ maxSurge: 0, maxUnavailable: '10%' }, 5), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(resolveFenceposts({ maxSurge: 2, maxUnavailable: 0 }, 1), { maxSurge: 2, maxUnavailable: 0 });
  });

  test('a simulated rollout never exceeds surge, never drops below minAvailable, and converges', () => {
    const replicas = 4;
    const { maxSurge, maxUnavailable } = resolveFenceposts({ maxSurge: 1, maxUnavailable: 1 }, replicas);
    let newRS: RSView = { name: 'new', replicas: 0, available: 0, created: 2 };
    let oldRS: RSView = { name: 'old', replicas: 4, available: 4, created: 1 };
    for (let step = 0; step < 20 && !(newRS.available === 4 && oldRS.replicas === 0); step++) {
      const plan = planRollingUpdate({ replicas, maxSurge, maxUnavailable, newRS, oldRSs: oldRS.replicas || oldRS.available ? [oldRS] : [] });
      const oldTarget = plan.old.old ?? oldRS.replicas;
      assert.ok(plan.newReplicas + oldTarget <= replicas + maxSurge, `surge bound at step ${step}`);
      // the world catches up: pods of the new RS become available, old ones go
      oldRS = { ...oldRS, replicas: oldTarget, available: Math.min(oldRS.available, oldTarget) };
      assert.ok(newRS.available + oldRS.available >= replicas - maxUnavailable, `availability at step ${step}`);
      newRS = { ...newRS, replicas: plan.newReplicas, available: plan.newReplicas };
    }
    assert.deepEqual([newRS.replicas, newRS.available, oldRS.replicas], [4, 4, 0]);
  });

  test('unhealthy old pods are removed first; a finished rollout is steady; scale down clamps the new RS', () => {
    const plan = planRollingUpdate({ replicas: 3, maxSurge: 1, maxUnavailable: 2, newRS: { name: 'n', replicas: 1, available: 0, created: 2 }, oldRSs: [{ name: 'o', replicas: 3, available: 1, created: 1 }] });
    assert.equal(plan.old.o, 1, 'both crash-looping old pods go; the available one stays');
    const tight = planRollingUpdate({ replicas: 3, maxSurge: 1, maxUnavailable: 0, newRS: { name: 'n', replicas: 1, available: 0, created: 2 }, oldRSs: [{ name: 'o', replicas: 3, available: 1, created: 1 }] });
    assert.deepEqual(tight.old, {}, 'with maxUnavailable 0 nothing goes until new pods are available (as in Kubernetes)');
    assert.deepEqual(planRollingUpdate({ replicas: 3, maxSurge: 1, maxUnavailable: 0, newRS: { name: 'n', replicas: 3, available: 3, created: 2 }, oldRSs: [] }), { newReplicas: 3, old: {} });
    assert.equal(planRollingUpdate({ replicas: 1, maxSurge: 1, maxUnavailable: 0, newRS: { name: 'n', replicas: 3, available: 3, created: 2 }, oldRSs: [] }).newReplicas, 1);
  });

  test('recreate: old to zero, wait for pods to go, then new up', () => {
    const n: RSView = { name: 'n', replicas: 0, available: 0, created: 2 };
    assert.deepEqual(planRecreate({ replicas: 2, newRS: n, oldRSs: [{ name: 'o', replicas: 2, available: 2, created: 1 }], oldPodsRemaining: 2 }), { newReplicas: 0, old: { o: 0 } });
    assert.deepEqual(planRecreate({ replicas: 2, newRS: n, oldRSs: [{ name: 'o', replicas: 0, available: 0, created: 1 }], oldPodsRemaining: 1 }), { newReplicas: 0, old: {} });
    assert.deepEqual(planRecreate({ replicas: 2, newRS: n, oldRSs: [{ name: 'o', replicas: 0, available: 0, created: 1 }], oldPodsRemaining: 0 }), { newReplicas: 2, old: {} });
  });
});

describe('deployment conditions', () => {
  const base = { desired: 2, maxUnavailable: 0, newRSName: 'web-abc', createdNewRS: false, newGeneration: false, paused: false, progressDeadlineSeconds: 60 };
  const counts = (updated: number, available: number) => ({ replicas: 2, updatedReplicas: updated, readyReplicas: available, availableReplicas: available, oldReplicas: 0 });
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  test('complete rollout: Available + NewReplicaSetAvailable', () => {
    const r = deploymentConditions({ ...base, prev: undefined, prevCounts: undefined, counts: counts(2, 2), now: t0 });
    assert.deepEqual(r.conditions.map((c) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
    assert.equal(r.conditions[1].message, 'ReplicaSet "web-abc" has successfully progressed.');
    assert.equal(r.recheckAfterMs, undefined);
  });
  test('no progress past the deadline: ProgressDeadlineExceeded', () => {
    const first = deploymentConditions({ ...base, prev: undefined, prevCounts: undefined, counts: counts(2, 0), now: t0 });
    assert.equal(first.conditions[1].reason, 'ReplicaSetUpdated');
    assert.ok(first.recheckAfterMs! > 60_000);
    const stuck = deploymentConditions({ ...base, prev: first.conditions, prevCounts: counts(2, 0), counts: counts(2, 0), now: t0 + 30_000 });
    assert.equal(stuck.conditions[1].reason, 'ReplicaSetUpdated');
    assert.equal(stuck.recheckAfterMs, 30_000);
    const late = deploymentConditions({ ...base, prev: stuck.conditions, prevCounts: counts(2, 0), counts: counts(2, 0), now: t0 + 61_000 });
    assert.deepEqual([late.conditions[1].status, late.conditions[1].reason, late.conditions[1].message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-abc" has timed out progressing.']);
    assert.deepEqual([late.conditions[0].status, late.conditions[0].reason], ['False', 'MinimumReplicasUnavailable']);
  });
});

describe('replicaSetStatus', () => {
  test('counts ready, available after minReadySeconds, fully labeled; asks to look again', () => {
    const now = Date.parse('2026-01-01T00:00:10Z');
    const rs: KObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', generation: 3 }, spec: { minReadySeconds: 5, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'x' } } } } };
    const pods = [pod('a', { ready: '2026-01-01T00:00:00Z' }), pod('b', { ready: '2026-01-01T00:00:08Z' }), pod('c')];
    pods[0].metadata.labels = { app: 'web', tier: 'x' };
    const { status, recheckAfterMs } = replicaSetStatus(rs, pods, now);
    assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3, selector: 'app=web' });
    assert.equal(recheckAfterMs, 3000);
  });
});

describe('which updates set off a reconcile', () => {
  const base = (): KObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', resourceVersion: '1', labels: { app: 'a' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] },
    spec: { containers: [{ name: 'c' }] },
  });
  const next = (o: KObject, f: (x: KObject) => void): KObject => {
    const x = structuredClone(o);
    x.metadata.resourceVersion = String(Number(o.metadata.resourceVersion) + 1);
    f(x);
    return x;
  };

  test("pods: the agent's admission update (annotation, finalizer, nodeName) does not matter to the ReplicaSet; labels, owner, deletion, finishing and readiness do; resyncs do", () => {
    const p = base();
    const admitted = next(p, (x) => {
      x.metadata.annotations = { 'skiff.dev/ports': '[]' };
      x.metadata.finalizers = ['skiff.dev/agent'];
      x.spec.nodeName = 'skiff';
    });
    assert.equal(podChangeMattersToReplicaSet(p, admitted), false);
    assert.equal(podChangeMattersToReplicaSet(p, next(p, (x) => (x.status = { phase: 'Running' }))), false, 'Pending → Running, not ready: still one active replica, not ready');
    assert.equal(podChangeMattersToReplicaSet(p, next(p, (x) => (x.status = { phase: 'Failed' }))), true, 'finished: no longer active');
    const running = next(p, (x) => (x.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'c', state: { running: {} } }] }));
    const restarted = next(running, (x) => (x.status.containerStatuses = [{ name: 'c', restartCount: 1, state: { running: {} } }]));
    assert.equal(podChangeMattersToReplicaSet(running, restarted), false, 'container details alone do not change the ReplicaSet status');
    const ready = next(running, (x) => (x.status.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }]));
    assert.equal(podChangeMattersToReplicaSet(running, ready), true, 'Ready');
    assert.equal(podChangeMattersToReplicaSet(ready, next(ready, (x) => (x.status.conditions[0].lastTransitionTime = '2026-01-01T00:00:05Z'))), true, 'Ready since');
    assert.equal(podChangeMattersToReplicaSet(running, next(running, (x) => (x.status.phase = 'Succeeded'))), true, 'finished');
    assert.equal(podChangeMattersToReplicaSet(p, next(p, (x) => (x.metadata.labels = { app: 'b' }))), true);
    assert.equal(podChangeMattersToReplicaSet(p, next(p, (x) => (x.metadata.ownerReferences = []))), true);
    assert.equal(podChangeMattersToReplicaSet(p, next(p, (x) => (x.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'))), true);
    assert.equal(podChangeMattersToReplicaSet(p, p), true, 'resync');
    assert.equal(podChangeMattersToReplicaSet(p, structuredClone(p)), true, 'resync (same resourceVersion)');
  });

  test('own status writes (and the Deployment revision annotation) set off no reconcile; anything else does', () => {
    const d = base();
    assert.equal(changedBeyondStatus(d, next(d, (x) => (x.status = { replicas: 1 }))), false);
    assert.equal(changedBeyondStatus(d, next(d, (x) => (x.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' }))), true);
    assert.equal(changedBeyondStatus(d, next(d, (x) => (x.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' })), ['deployment.kubernetes.io/revision']), false);
    assert.equal(changedBeyondStatus(d, next(d, (x) => (x.spec.replicas = 3))), true);
    assert.equal(changedBeyondStatus(d, next(d, (x) => (x.metadata.generation = 2))), true);
    assert.equal(changedBeyondStatus(d, next(d, (x) => (x.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'))), true);
    assert.equal(changedBeyondStatus(d, d), true, 'resync');
  });
});
