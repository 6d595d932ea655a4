import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { FakeClock } from './clock.js';
import {
  Controller,
  RECONCILE_SLICE_MS,
  Tracker,
  allOf,
  anyOf,
  filterControllerGK,
  filterControllerGVK,
  filterWithAnnotation,
  filterWithLabel,
  filterWithName,
  filterWithNamespace,
  filteringHandler,
  not,
  type ReconcileResult,
} from './controller.js';
import { PermanentError, RequeueAfter, permanent } from './errors.js';
import { MemoryLogger } from './logger.js';
import { ItemExponentialRateLimiter } from './workqueue.js';
import { settle } from './testing/table.js';

type Step = (key: string) => Promise<ReconcileResult | void>;

/** A controller whose reconciler runs `script` and records (time, key). */
function harness(script: Step, workers = 1) {
  const clock = new FakeClock(0);
  const calls: Array<[number, string]> = [];
  const logger = new MemoryLogger();
  const ctrl = new Controller({
    name: 'test-controller',
    clock,
    logger,
    workers,
    rateLimiter: new ItemExponentialRateLimiter(5, 1000),
    reconciler: {
      reconcile: (key) => {
        calls.push([clock.now(), key]);
        return script(key);
      },
    },
  });
  return { clock, calls, ctrl, logger };
}

const obj = (name: string, extra: Partial<KObject['metadata']> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', ...extra } });

describe('Controller error policy', () => {
  test('success reconciles once and forgets the key', async () => {
    const { ctrl, calls } = harness(async () => undefined);
    ctrl.start();
    ctrl.enqueue(obj('a'));
    await settle();
    assert.deepEqual(calls, [[0, 'ns/a']]);
    assert.equal(ctrl.queue.numRequeues('ns/a'), 0);
    await ctrl.stop();
  });

  test('ordinary errors retry with per-key exponential backoff (5ms, 10ms, 20ms) and success resets it', async () => {
    let failuresLeft = 3;
    const { ctrl, calls, clock, logger } = harness(async () => {
      if (failuresLeft-- > 0) throw new Error('transient');
    });
    ctrl.start();
    ctrl.enqueueKey('ns/a');
    for (let i = 0; i < 40; i++) {
      await settle(2);
      clock.advance(1);
    }
    assert.deepEqual(
      calls.map(([t]) => t),
      [0, 5, 15, 35],
    );
    assert.equal(ctrl.queue.numRequeues('ns/a'), 0, 'forgotten after success');
    assert.equal(ctrl.stats.failures, 3);
    assert.equal(logger.entries.filter((e) => e.level === 'error').length, 3);
    await ctrl.stop();
  });

  test('PermanentError (also when wrapped as a cause) is logged and not retried', async () => {
    const errs = [new PermanentError('bad spec'), new Error('outer', { cause: permanent(new Error('inner')) })];
    const { ctrl, calls, clock, logger } = harness(async () => {
      throw errs.shift();
    });
    ctrl.start();
    ctrl.enqueueKey('ns/a');
    await settle();
    ctrl.enqueueKey('ns/b');
    await settle();
    clock.advance(10_000);
    await settle();
    assert.equal(calls.length, 2);
    assert.equal(ctrl.stats.permanentFailures, 2);
    assert.ok(logger.entries.some((e) => e.msg.includes('permanently') && e.fields?.error === 'bad spec'));
    await ctrl.stop();
  });

  test('RequeueAfter and a result.requeueAfterMs re-enqueue at the requested time without counting a failure', async () => {
    const outcomes: Array<() => Promise<ReconcileResult | void>> = [
      async () => {
        throw new RequeueAfter(500);
      },
      async () => ({ requeueAfterMs: 200 }),
      async () => undefined,
    ];
    const { ctrl, calls, clock } = harness(() => outcomes.shift()!());
    ctrl.start();
    ctrl.enqueueKey('ns/a');
    await settle();
    clock.advance(499);
    await settle();
    assert.equal(calls.length, 1);
    clock.advance(1);
    await settle();
    clock.advance(200);
    await settle();
    assert.deepEqual(
      calls.map(([t]) => t),
      [0, 500, 700],
    );
    assert.equal(ctrl.stats.failures, 0);
    assert.equal(ctrl.stats.requeues, 2);
    assert.throws(() => new RequeueAfter(-1), RangeError);
    await ctrl.stop();
  });

  test('with several workers, one key is never reconciled concurrently; an event during reconcile triggers exactly one more run', async () => {
    let active = 0;
    let maxActive = 0;
    const gates: Array<() => void> = [];
    const { ctrl, calls } = harness(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => gates.push(r));
      active--;
    }, 4);
    ctrl.start();
    ctrl.enqueueKey('ns/a');
    await settle();
    ctrl.enqueueKey('ns/a');
    ctrl.enqueueKey('ns/a');
    ctrl.enqueueKey('ns/b');
    await settle();
    assert.equal(calls.length, 2, 'a (in flight) and b');
    gates.splice(0).forEach((g) => g());
    await settle();
    assert.equal(calls.length, 3, 'a once more');
    gates.splice(0).forEach((g) => g());
    await settle();
    assert.equal(maxActive, 2);
    assert.deepEqual(calls.map(([, k]) => k).sort(), ['ns/a', 'ns/a', 'ns/b']);
    await ctrl.stop();
  });

  test('stop drains queued keys, then workers exit; enqueueing afterwards is a no-op', async () => {
    const { ctrl, calls } = harness(async () => undefined, 2);
    ctrl.enqueueKey('ns/a');
    ctrl.enqueueKey('ns/b');
    ctrl.start();
    await ctrl.stop();
    assert.equal(calls.length, 2);
    ctrl.enqueueKey('ns/c');
    await settle();
    assert.equal(calls.length, 2);
    assert.throws(() => ctrl.start(), /cannot restart/);
  });

  test('run(signal) works until aborted', async () => {
    const { ctrl, calls } = harness(async () => undefined);
    const ac = new AbortController();
    const running = ctrl.run(ac.signal);
    ctrl.enqueueKey('ns/a');
    await settle();
    ac.abort();
    await running;
    assert.equal(calls.length, 1);
  });

  test('rejects bad options', () => {
    assert.throws(() => new Controller({ name: 'x', reconciler: { reconcile: async () => undefined }, workers: 0 }), /workers must be an integer >= 1/);
    assert.throws(() => new Controller({ name: '', reconciler: { reconcile: async () => undefined } }), /name is required/);
  });
});

describe('enqueue helpers', () => {
  const owned = (ownerKind: string, ownerApiVersion: string, controller = true): KObject =>
    obj('child', { ownerReferences: [{ apiVersion: ownerApiVersion, kind: ownerKind, name: 'parent', uid: 'u', controller }] });

  test('enqueueOwner maps a child to its controlling owner of the right group/kind (any version)', async () => {
    const { ctrl } = harness(async () => undefined);
    const enqueueRevision = ctrl.enqueueOwner({ apiVersion: 'serving.knative.dev/v1', kind: 'Revision' });
    enqueueRevision(owned('Revision', 'serving.knative.dev/v1beta1'));
    enqueueRevision(owned('Revision', 'other.dev/v1'));
    enqueueRevision(owned('Configuration', 'serving.knative.dev/v1'));
    enqueueRevision(owned('Revision', 'serving.knative.dev/v1', false));
    enqueueRevision(obj('orphan'));
    assert.equal(ctrl.queue.len(), 1);
    assert.equal(await ctrl.queue.get(), 'ns/parent');
  });

  test('ownerHandler enqueues the owner on add, update and delete', async () => {
    const { ctrl } = harness(async () => undefined);
    const h = ctrl.ownerHandler({ apiVersion: 'serving.knative.dev/v1', kind: 'Revision' });
    const child = owned('Revision', 'serving.knative.dev/v1');
    for (const fire of [() => h.onAdd!(child), () => h.onUpdate!(child, child), () => h.onDelete!(child)]) {
      fire();
      assert.equal(await ctrl.queue.get(), 'ns/parent');
      ctrl.queue.done('ns/parent');
    }
  });

  test('enqueueLabelOf uses the name label and an optional namespace label', async () => {
    const { ctrl } = harness(async () => undefined);
    ctrl.enqueueLabelOf('serving.knative.dev/configuration')(obj('rev', { labels: { 'serving.knative.dev/configuration': 'cfg' } }));
    ctrl.enqueueLabelOf('owner-name', 'owner-ns')(obj('x', { labels: { 'owner-name': 'b', 'owner-ns': 'team' } }));
    ctrl.enqueueLabelOf('owner-name', 'owner-ns')(obj('y', { labels: { 'owner-name': 'b' } }));
    ctrl.enqueueLabelOf('missing')(obj('z'));
    assert.deepEqual([await ctrl.queue.get(), await ctrl.queue.get()], ['ns/cfg', 'team/b']);
    assert.equal(ctrl.queue.len(), 0);
  });

  test('filters', () => {
    const child = owned('Revision', 'serving.knative.dev/v1');
    assert.equal(filterControllerGK('serving.knative.dev', 'Revision')(child), true);
    assert.equal(filterControllerGK('serving.knative.dev', 'Route')(child), false);
    assert.equal(filterControllerGVK('serving.knative.dev/v1', 'Revision')(child), true);
    assert.equal(filterControllerGVK('serving.knative.dev/v1beta1', 'Revision')(child), false);
    const labelled = obj('a', { labels: { app: 'x' }, annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' } });
    assert.equal(filterWithLabel('app')(labelled), true);
    assert.equal(filterWithLabel('app', 'y')(labelled), false);
    assert.equal(filterWithAnnotation('eventing.knative.dev/broker.class', 'MTChannelBasedBroker')(labelled), true);
    assert.equal(filterWithNamespace('ns')(labelled), true);
    assert.equal(filterWithName('ns', 'a')(labelled), true);
    assert.equal(filterWithName(undefined, 'a')(labelled), false);
    assert.equal(allOf(filterWithLabel('app'), not(filterWithNamespace('other')))(labelled), true);
    assert.equal(anyOf(filterWithLabel('nope'), filterWithNamespace('ns'))(labelled), true);
  });

  test('filteringHandler turns updates that cross the filter into add/delete', () => {
    const seen: string[] = [];
    const h = filteringHandler(filterWithLabel('app'), {
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_a, b) => seen.push(`update ${b.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    const on = obj('a', { labels: { app: 'x' } });
    const off = obj('a');
    h.onAdd!(off);
    h.onAdd!(on);
    h.onUpdate!(on, on);
    h.onUpdate!(on, off);
    h.onUpdate!(off, on);
    h.onUpdate!(off, off);
    h.onDelete!(off);
    assert.deepEqual(seen, ['add a', 'update a', 'delete a', 'add a']);
  });

  test('globalResync enqueues every cached object (filtered)', async () => {
    const { ctrl } = harness(async () => undefined);
    const objs = [obj('a', { labels: { x: '1' } }), obj('b'), obj('c', { labels: { x: '1' } })];
    const lister = { list: () => objs } as unknown as Parameters<Controller['globalResync']>[0];
    ctrl.globalResync(lister, filterWithLabel('x'));
    assert.deepEqual([await ctrl.queue.get(), await ctrl.queue.get()], ['ns/a', 'ns/c']);
    assert.equal(ctrl.queue.len(), 0);
  });

  test('the self handler honours an optional filter', async () => {
    const { ctrl } = harness(async () => undefined);
    const h = ctrl.handler(filterWithLabel('managed'));
    h.onAdd!(obj('skip'));
    h.onAdd!(obj('take', { labels: { managed: 'true' } }));
    assert.equal(ctrl.queue.len(), 1);
    assert.equal(await ctrl.queue.get(), 'ns/take');
  });
});

describe('Controller scheduling', () => {
  test('back-to-back reconciles yield to the event loop about every RECONCILE_SLICE_MS', async () => {
    const done: string[] = [];
    const ctrl = new Controller({
      name: 'busy',
      reconciler: {
        reconcile: async (key) => {
          const until = performance.now() + 3; // CPU-bound work resolving on microtasks only
          while (performance.now() < until);
          done.push(key);
        },
      },
    });
    for (let i = 0; i < 20; i++) ctrl.enqueueKey(`ns/k${i}`);
    let doneAtImmediate = -1;
    setImmediate(() => (doneAtImmediate = done.length));
    ctrl.start();
    while (done.length < 20) await new Promise<void>((r) => setImmediate(r));
    await ctrl.stop();
    assert.ok(doneAtImmediate > 0 && doneAtImmediate < 20, `an I/O-phase callback ran after ${doneAtImmediate} of 20 keys (not only after all)`);
    assert.ok(RECONCILE_SLICE_MS >= 1);
  });
});

describe('Tracker', () => {
  const CFG = 'serving.knative.dev/configurations';
  const cfg = (name: string, labels?: Record<string, string>): KObject => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: 'ns', ...(labels ? { labels } : {}) },
  });

  test('enqueues every tracker of a changed object by name; untrackAll forgets a tracker', () => {
    const fired: string[] = [];
    const t = new Tracker((k) => fired.push(k));
    t.track({ gr: CFG, namespace: 'ns', name: 'c1' }, 'ns/route-a');
    t.track({ gr: CFG, namespace: 'ns', name: 'c1' }, 'ns/route-b');
    t.track({ gr: CFG, namespace: 'ns', name: 'c2' }, 'ns/route-a');
    const h = t.handlerFor(CFG);
    h.onUpdate!(cfg('c1'), cfg('c1'));
    assert.deepEqual(fired.sort(), ['ns/route-a', 'ns/route-b']);
    fired.length = 0;
    t.onChanged('core/configmaps', cfg('c1'));
    h.onAdd!(cfg('unrelated'));
    assert.deepEqual(fired, [], 'other gr or name: nothing');
    t.untrackAll('ns/route-a');
    h.onDelete!(cfg('c2'));
    h.onDelete!(cfg('c1'));
    assert.deepEqual(fired, ['ns/route-b']);
    assert.deepEqual(t.trackersOf(CFG, 'ns', 'c2'), []);
    t.untrack({ gr: CFG, namespace: 'ns', name: 'c1' }, 'ns/route-b');
    assert.deepEqual(t.trackersOf(CFG, 'ns', 'c1'), []);
  });

  test('selector refs fire for matching objects in the namespace, including ones that stop matching', () => {
    const fired: string[] = [];
    const t = new Tracker((k) => fired.push(k));
    t.track({ gr: CFG, namespace: 'ns', selector: 'app=x' }, 'ns/watcher');
    const h = t.handlerFor(CFG);
    h.onAdd!(cfg('a', { app: 'y' }));
    h.onAdd!({ ...cfg('b', { app: 'x' }), metadata: { name: 'b', namespace: 'other', labels: { app: 'x' } } });
    assert.deepEqual(fired, []);
    h.onUpdate!(cfg('a', { app: 'x' }), cfg('a', { app: 'y' }));
    assert.deepEqual(fired, ['ns/watcher']);
  });

  test('selector refs keep firing among many name refs; untrackAll of a selector tracker and re-tracking work', () => {
    const fired: string[] = [];
    const t = new Tracker((k) => fired.push(k));
    for (let i = 0; i < 500; i++) t.track({ gr: CFG, namespace: 'ns', name: `c${i}` }, `ns/route-${i}`);
    t.track({ gr: CFG, namespace: 'ns', selector: 'app=x' }, 'ns/watcher');
    const h = t.handlerFor(CFG);
    h.onAdd!(cfg('c7', { app: 'x' }));
    assert.deepEqual(fired.sort(), ['ns/route-7', 'ns/watcher']);
    fired.length = 0;
    t.untrackAll('ns/watcher');
    h.onAdd!(cfg('c8', { app: 'x' }));
    assert.deepEqual(fired, ['ns/route-8'], 'the selector entry is gone');
    fired.length = 0;
    t.track({ gr: CFG, namespace: 'ns', selector: 'app=x' }, 'ns/watcher');
    h.onAdd!(cfg('zz', { app: 'x' }));
    assert.deepEqual(fired, ['ns/watcher'], 're-tracked selector fires again');
    t.untrackAll('ns/route-9');
    assert.deepEqual(t.trackersOf(CFG, 'ns', 'c9'), []);
    assert.deepEqual(t.trackersOf(CFG, 'ns', 'c10'), ['ns/route-10']);
  });

  test('leases expire unless renewed by track()', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    const t = new Tracker((k) => fired.push(k), { clock, leaseMs: 1000 });
    t.track({ gr: CFG, namespace: 'ns', name: 'c1' }, 'ns/renewed');
    t.track({ gr: CFG, namespace: 'ns', name: 'c1' }, 'ns/stale');
    clock.advance(800);
    t.track({ gr: CFG, namespace: 'ns', name: 'c1' }, 'ns/renewed');
    clock.advance(500);
    t.onChanged(CFG, cfg('c1'));
    assert.deepEqual(fired, ['ns/renewed']);
    assert.deepEqual(t.trackersOf(CFG, 'ns', 'c1'), ['ns/renewed']);
  });

  test('rejects an empty name', () => {
    assert.throws(() => new Tracker(() => {}).track({ gr: CFG, name: '' }, 'k'), /ref.name must not be empty/);
  });
});
