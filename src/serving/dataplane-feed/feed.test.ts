import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../../api/core/kinds.js';
import type { KObject } from '../../api/meta.js';
import { ResourceRegistry } from '../../api/registry.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { InProcessClient } from '../../client/in-process-client.js';
import { realClock } from '../../controller/clock.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { MemoryStore } from '../../store/memory-store.js';
import type { DataPlaneHandle, DataPlaneMessage } from '../dataplane/host.js';
import type { RevisionSpec, WorkerToMain } from '../dataplane/protocol.js';
import { registerServing } from '../register.js';
import { DataPlaneFeed } from './feed.js';

const PODS = 'core/pods';

/** Records what the feed posts; `emit` plays the worker. */
function fakeDataPlane() {
  const posts: Array<{ at: number; msg: DataPlaneMessage }> = [];
  const handlers = new Set<(m: WorkerToMain) => void>();
  let seq = 0;
  const dp = {
    post(msg: DataPlaneMessage) {
      posts.push({ at: performance.now(), msg });
      return ++seq;
    },
    apply: async () => seq,
    on(h: (m: WorkerToMain) => void) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    ready: Promise.resolve({ host: '127.0.0.1', port: 0 }),
    stop: async () => {},
    drain: async () => true,
    worker: undefined as never,
  } satisfies DataPlaneHandle;
  return { dp, posts, emit: (m: WorkerToMain) => handlers.forEach((h) => h(m)) };
}

const nextMacrotask = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pod(name: string, ready: boolean): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'serving.knative.dev/revision': 'hello-00001' },
      annotations: { 'skiff.dev/ports': JSON.stringify([{ container: 'user-container', name: 'user-port', containerPort: 8080, hostPort: 40001 }]) },
    },
    spec: { containers: [{ name: 'user-container', image: 'x', ports: [{ name: 'user-port', containerPort: 8080 }] }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('DataPlaneFeed', () => {
  let svc: ObjectService;
  let informers: SharedInformerFactory;
  let feed: DataPlaneFeed;
  let fake: ReturnType<typeof fakeDataPlane>;

  before(async () => {
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    svc = new ObjectService(new MemoryStore(), reg);
    svc.bootstrap();
    svc.create(
      'serving.knative.dev/revisions',
      { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', metadata: { name: 'hello-00001', namespace: 'default' }, spec: { containers: [{ image: 'ikubernetes/helloworld-go' }] } },
      { internal: true },
    );
    svc.create(PODS, pod('hello-00001-deployment-a', false), { internal: true });
    informers = new SharedInformerFactory(new InProcessClient(svc));
    fake = fakeDataPlane();
    feed = new DataPlaneFeed({ informers, dataPlane: fake.dp, clock: realClock });
    informers.start();
    await informers.waitForSync();
    await sleep(20);
  });

  after(() => {
    feed.stop();
    informers.stop();
  });

  const lastRevisions = (): Record<string, RevisionSpec> | undefined => {
    for (let i = fake.posts.length - 1; i >= 0; i--) {
      const m = fake.posts[i]!.msg;
      if (m.type === 'revisions') return m.revisions;
    }
    return undefined;
  };

  const setReady = (ready: boolean) => {
    const cur = svc.get(PODS, 'default', 'hello-00001-deployment-a')!;
    svc.update(PODS, { ...cur, status: pod('x', ready).status }, { subresource: 'status', internal: true });
  };

  test('the revision and its pod endpoint are in the snapshot', () => {
    const revs = lastRevisions();
    assert.deepEqual(revs?.['default/hello-00001']?.endpoints, [{ pod: 'default/hello-00001-deployment-a', port: 40001, ready: false }]);
    assert.equal(revs?.['default/hello-00001']?.mode, 'Proxy');
  });

  test('a pod turning Ready after a quiet spell is pushed before any timer could fire (no debounce delay)', async () => {
    await sleep(10);
    const before = fake.posts.length;
    setReady(true);
    await nextMacrotask(); // microtasks only: a setTimeout-based push would not have run yet
    assert.equal(fake.posts.length, before + 1, 'one post, in the same turn of the event loop');
    assert.equal(lastRevisions()?.['default/hello-00001']?.endpoints[0]?.ready, true);
  });

  test('a burst of changes is coalesced: at most one push per debounce interval, the last state wins', async () => {
    await sleep(10);
    const before = fake.posts.length;
    const t0 = performance.now();
    for (let i = 0; i < 40; i++) {
      setReady(i % 2 === 0);
      await nextMacrotask();
    }
    await sleep(20);
    const elapsed = performance.now() - t0;
    const pushes = fake.posts.length - before;
    assert.ok(pushes >= 1, 'the burst was pushed');
    assert.ok(pushes <= Math.ceil(elapsed / 3) + 1, `${pushes} pushes in ${elapsed.toFixed(1)} ms`);
    assert.ok(pushes < 40, `fewer pushes (${pushes}) than changes (40)`);
    assert.equal(lastRevisions()?.['default/hello-00001']?.endpoints[0]?.ready, false, 'the final state (i = 39: not ready) went out');
  });

  test('changes go out as deltas: only the changed revision, removals by key, hosts with it', async () => {
    await sleep(10);
    const before = fake.posts.length;
    const rev = (name: string): KObject => ({ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', metadata: { name, namespace: 'default' }, spec: { containers: [{ image: 'x' }] } });
    svc.create('serving.knative.dev/revisions', rev('other-00001'), { internal: true });
    await sleep(20);
    const posted = fake.posts.slice(before).map((p) => p.msg);
    const revs = posted.filter((m) => m.type === 'revisions');
    assert.equal(revs.length, 1);
    assert.deepEqual(Object.keys((revs[0] as { revisions: object }).revisions), ['default/other-00001'], 'only the new revision');
    assert.equal((revs[0] as { partial?: boolean }).partial, true);
    const hosts = posted.find((m) => m.type === 'hosts') as { hosts: Record<string, unknown>; removed: string[] } | undefined;
    assert.deepEqual(Object.keys(hosts?.hosts ?? {}).sort(), ['other-00001.default', 'other-00001.default.svc', 'other-00001.default.svc.cluster.local']);
    const mid = fake.posts.length;
    svc.delete('serving.knative.dev/revisions', 'default', 'other-00001', { internal: true });
    await sleep(20);
    const gone = fake.posts.slice(mid).map((p) => p.msg);
    const revGone = gone.find((m) => m.type === 'revisions') as { revisions: object; removed: string[] } | undefined;
    assert.deepEqual(revGone?.removed, ['default/other-00001']);
    assert.deepEqual(revGone?.revisions, {});
    const hostsGone = gone.find((m) => m.type === 'hosts') as { removed: string[] } | undefined;
    assert.equal(hostsGone?.removed.length, 3);
  });

  test('a pod joining or leaving a plain Service\'s selector updates that Service\'s endpoints only', async () => {
    const lastServices = () => {
      for (let i = fake.posts.length - 1; i >= 0; i--) {
        const m = fake.posts[i]!.msg;
        if (m.type === 'services') return m as { services: Record<string, Array<{ pod: string; port: number }>>; removed?: string[] };
      }
      return undefined;
    };
    svc.create('core/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }, { internal: true });
    svc.create('core/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'default' }, spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } }, { internal: true });
    await sleep(20);
    const p = { ...pod('web-1', true), metadata: { ...pod('web-1', true).metadata, labels: { app: 'web' } } };
    svc.create(PODS, p, { internal: true });
    await sleep(20);
    assert.deepEqual(lastServices()?.services, { 'default/web': [{ pod: 'default/web-1', port: 40001 }] }, 'only the selecting Service is re-sent');
    const cur = svc.get(PODS, 'default', 'web-1')!;
    svc.update(PODS, { ...cur, metadata: { ...cur.metadata, labels: { app: 'gone' } } }, { internal: true });
    await sleep(20);
    assert.deepEqual(lastServices()?.services, { 'default/web': [] }, 'the old labels\' Service loses the endpoint');
  });

  test('stats reach the cadence tracker; drained resolves drain()', async () => {
    feed.resetStatsCadence();
    const now = Date.now();
    fake.emit({ type: 'stats', time: now - 2, windowMs: 1001, revisions: [] });
    assert.equal(feed.statsCadence().reports, 1);
    assert.equal(feed.statsCadence().windowMs.max, 1001);
    const p = feed.drain(svc.get(PODS, 'default', 'hello-00001-deployment-a')!);
    const drainMsg = fake.posts.at(-1)!.msg;
    assert.deepEqual(drainMsg, { type: 'drain', pod: 'default/hello-00001-deployment-a' });
    fake.emit({ type: 'drained', pod: 'default/hello-00001-deployment-a' });
    await p;
  });
});
