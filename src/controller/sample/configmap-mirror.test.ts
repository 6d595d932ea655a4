// Table test for the sample reconciler, in knative's table_test.go style, plus
// one end-to-end run of the real controller loop over informers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, KObject } from '../../api/meta.js';
import { FakeClock } from '../clock.js';
import { ApiEventRecorder, EVENTS_GR } from '../events.js';
import { SharedInformerFactory } from '../informer.js';
import { FakeApiClient } from '../testing/fake-client.js';
import { runTable, settle, type TableRow } from '../testing/table.js';
import {
  CONFIGMAP_GR,
  MIRROR_API_VERSION,
  MIRROR_GR,
  MIRROR_KIND,
  makeMirrorConfigMap,
  newConfigMapMirrorController,
  newConfigMapMirrorReconciler,
  type ConfigMapMirror,
} from './configmap-mirror.js';

const T0 = '2024-01-01T00:00:00Z';
const NOW = Date.UTC(2024, 0, 1, 1); // the table's clock: one hour after T0
const T1 = '2024-01-01T01:00:00Z';

// ---- builders (functional options, as in knative's testing/v1 helpers) ----

function mirror(o: { data?: Record<string, string>; generation?: number; status?: ConfigMapMirror['status']; recheck?: number } = {}): ConfigMapMirror {
  const m: ConfigMapMirror = {
    apiVersion: MIRROR_API_VERSION,
    kind: MIRROR_KIND,
    metadata: { name: 'm', namespace: 'ns', uid: 'mirror-uid', generation: o.generation ?? 1 },
    spec: { data: o.data ?? { k: 'v' } },
  };
  if (o.recheck) m.spec.recheckAfterSeconds = o.recheck;
  if (o.status) m.status = o.status;
  return m;
}

const cond = (type: string, status: Condition['status'], at: string, reason?: string, message?: string): Condition => ({
  type,
  status,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

const ready = (gen = 1, at = T0) => ({ childName: 'm-mirror', observedGeneration: gen, conditions: [cond('ChildReady', 'True', at), cond('Ready', 'True', at)] });
const failed = (reason: string, message: string, gen = 1) => ({
  childName: 'm-mirror',
  observedGeneration: gen,
  conditions: [cond('ChildReady', 'False', T1, reason, message), cond('Ready', 'False', T1, reason, message)],
});

const child = (data: Record<string, string> = { k: 'v' }) => makeMirrorConfigMap(mirror({ data }));
const foreignChild = (): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm-mirror', namespace: 'ns' }, data: { mine: 'yes' } });

const rows: TableRow[] = [
  {
    name: 'key no longer exists: nothing to do',
    key: 'ns/gone',
  },
  {
    name: 'first reconcile creates the owned child and becomes Ready',
    key: 'ns/m',
    objects: [mirror()],
    wantCreates: [child()],
    wantStatusUpdates: [{ ...mirror(), status: ready(1, T1) }],
    wantEvents: ['Normal Created Created ConfigMap "m-mirror"'],
  },
  {
    name: 'steady state: no writes, no events',
    key: 'ns/m',
    objects: [mirror({ status: ready() }), child()],
  },
  {
    name: 'new generation with drifted data: child updated, observedGeneration bumped, Ready keeps its transition time',
    key: 'ns/m',
    objects: [mirror({ data: { k: 'v2' }, generation: 2, status: ready(1) }), child({ k: 'v' })],
    wantUpdates: [child({ k: 'v2' })],
    wantStatusUpdates: [{ ...mirror({ data: { k: 'v2' }, generation: 2 }), status: ready(2, T0) }],
    wantEvents: ['Normal Updated Updated ConfigMap "m-mirror"'],
  },
  {
    name: 'a ConfigMap we do not own is left alone; status says why, a Warning event is recorded, no retry',
    key: 'ns/m',
    objects: [mirror(), foreignChild()],
    wantStatusUpdates: [{ ...mirror(), status: failed('NotOwned', 'There is an existing ConfigMap "m-mirror" that we do not own.') }],
    wantEvents: ['Warning NotOwned ConfigMap "m-mirror" is not owned by this ConfigMapMirror'],
  },
  {
    name: 'create fails: error returned for retry, status and InternalError event explain it',
    key: 'ns/m',
    objects: [mirror()],
    withClient: (c) => c.induceFailure('create', CONFIGMAP_GR),
    wantErr: 'inducing failure for create configmaps',
    wantCreates: [child()],
    wantStatusUpdates: [{ ...mirror(), status: failed('CreateFailed', 'Failed to create ConfigMap "m-mirror": inducing failure for create configmaps') }],
    wantEvents: ['Warning InternalError inducing failure for create configmaps'],
  },
  {
    name: 'status update fails: error returned, UpdateFailed event',
    key: 'ns/m',
    objects: [mirror()],
    withClient: (c) => c.induceFailure('updateStatus', MIRROR_GR),
    wantErr: /inducing failure for updateStatus configmapmirrors/,
    wantCreates: [child()],
    wantStatusUpdates: [{ ...mirror(), status: ready(1, T1) }],
    wantEvents: ['Normal Created Created ConfigMap "m-mirror"', 'Warning UpdateFailed Failed to update status for "m": inducing failure for updateStatus configmapmirrors'],
  },
  {
    name: 'recheckAfterSeconds asks to be requeued',
    key: 'ns/m',
    objects: [mirror({ recheck: 30, status: ready() }), child()],
    wantRequeueAfterMs: 30_000,
  },
  {
    name: 'postConditions can inspect the world after the run',
    key: 'ns/m',
    objects: [mirror()],
    wantCreates: [child()],
    wantStatusUpdates: [{ ...mirror(), status: ready(1, T1) }],
    wantEvents: ['Normal Created Created ConfigMap "m-mirror"'],
    postConditions: (ctx) => {
      const stored = ctx.client.peek(CONFIGMAP_GR, 'ns', 'm-mirror')!;
      assert.equal(stored.metadata.ownerReferences![0].uid, 'mirror-uid');
      assert.equal(stored.metadata.resourceVersion !== undefined, true);
    },
  },
];

describe('ConfigMapMirror reconciler (table)', () => {
  runTable(rows, (ctx) => newConfigMapMirrorReconciler(ctx), { now: NOW });
});

describe('ConfigMapMirror controller (end to end over informers)', () => {
  test('creates the child, heals drift and deletion, and reports Ready with events kubectl can show', async () => {
    const clock = new FakeClock();
    const client = new FakeApiClient({ clock });
    const informers = new SharedInformerFactory(client, { clock });
    const recorder = new ApiEventRecorder(client, { component: 'configmapmirror-controller', clock });
    const ctrl = newConfigMapMirrorController({ client, informers, recorder, clock, workers: 2 });
    informers.start();
    await informers.waitForSync();
    ctrl.start();

    const parent = await client.create(MIRROR_GR, { ...mirror(), metadata: { name: 'm', namespace: 'ns' } });
    await settle(20);
    let cm = client.peek(CONFIGMAP_GR, 'ns', 'm-mirror')!;
    assert.deepEqual(cm.data, { k: 'v' });
    assert.equal(cm.metadata.ownerReferences![0].uid, parent.metadata.uid);
    const status = client.peek(MIRROR_GR, 'ns', 'm')!.status;
    assert.equal(status.conditions.find((c: Condition) => c.type === 'Ready').status, 'True');
    assert.equal(status.observedGeneration, 1);

    // Someone edits the child: the owner handler enqueues the parent, which puts it back.
    await client.update(CONFIGMAP_GR, { ...structuredClone(cm), data: { k: 'tampered' } });
    await settle(20);
    assert.deepEqual(client.peek(CONFIGMAP_GR, 'ns', 'm-mirror')!.data, { k: 'v' });

    // Someone deletes the child: recreated.
    await client.delete(CONFIGMAP_GR, 'ns', 'm-mirror');
    await settle(20);
    cm = client.peek(CONFIGMAP_GR, 'ns', 'm-mirror')!;
    assert.ok(cm, 'recreated');

    // A spec change flows through.
    const cur = client.peek(MIRROR_GR, 'ns', 'm')!;
    await client.update(MIRROR_GR, { ...structuredClone(cur), spec: { data: { k: 'v2' } } });
    await settle(20);
    assert.deepEqual(client.peek(CONFIGMAP_GR, 'ns', 'm-mirror')!.data, { k: 'v2' });
    assert.equal(client.peek(MIRROR_GR, 'ns', 'm')!.status.observedGeneration, 2);

    await ctrl.stop();
    informers.stop();
    await recorder.flush();
    const events = client.all(EVENTS_GR).map((e) => `${e.type} ${e.reason} x${e.count}`);
    assert.deepEqual(events.sort(), ['Normal Created x2', 'Normal Updated x2']);
    assert.equal(ctrl.stats.failures, 0);
  });
});
