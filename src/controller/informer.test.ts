import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient, ClientWatchEvent } from '../client/client.js';
import type { KObject } from '../api/meta.js';
import { FakeClock } from './clock.js';
import { Informer, OWNER_UID_INDEX, SharedInformerFactory, indexByControllerUid, indexByLabel, labelIndexName, splitKey } from './informer.js';
import { MemoryLogger } from './logger.js';
import { FakeApiClient } from './testing/fake-client.js';
import { settle } from './testing/table.js';

const CM = 'core/configmaps';
const cm = (name: string, opts: { ns?: string; data?: Record<string, string>; labels?: Record<string, string>; owner?: string } = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: opts.ns ?? 'ns',
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.owner ? { ownerReferences: [{ apiVersion: 'x/v1', kind: 'P', name: 'p', uid: opts.owner, controller: true }] } : {}),
  },
  data: opts.data ?? {},
});

function recordingInformer(client: ApiClient, clock = new FakeClock(0), extra: Partial<ConstructorParameters<typeof Informer>[1]> = {}) {
  const log: string[] = [];
  const inf = new Informer(client, { gr: CM, clock, logger: new MemoryLogger(), ...extra });
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (a, b) => log.push(`update ${a.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return { inf, log, clock };
}

describe('Informer', () => {
  test('lists, syncs, then follows the watch: add / update(old,new) / delete', async () => {
    const c = new FakeApiClient().seed(cm('a'), cm('b'));
    const { inf, log } = recordingInformer(c);
    assert.equal(inf.hasSynced(), false);
    inf.start();
    await inf.waitForSync();
    assert.equal(inf.hasSynced(), true);
    assert.deepEqual(log, ['add a', 'add b']);
    assert.equal(inf.lastSyncResourceVersion(), '2');
    await c.update(CM, cm('a', { data: { k: 'v' } }));
    await c.delete(CM, 'ns', 'b');
    await c.create(CM, cm('c'));
    await settle();
    assert.deepEqual(log.slice(2), ['update a 1->3', 'delete b', 'add c']);
    assert.equal(inf.get('ns', 'a')!.data.k, 'v');
    assert.equal(inf.get('ns', 'b'), undefined);
    assert.equal(inf.lastSyncResourceVersion(), '5');
    inf.stop();
  });

  test('cached objects are frozen: a reconciler that forgets to clone fails loudly', async () => {
    const c = new FakeApiClient().seed(cm('a'));
    const { inf } = recordingInformer(c);
    inf.start();
    await inf.waitForSync();
    const o = inf.getByKey('ns/a')!;
    assert.throws(() => {
      o.data.k = 'v';
    }, TypeError);
    inf.stop();
  });

  test('a handler added after sync is replayed the cache as adds', async () => {
    const c = new FakeApiClient().seed(cm('a'), cm('b'));
    const { inf } = recordingInformer(c);
    inf.start();
    await inf.waitForSync();
    const late: string[] = [];
    const remove = inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
    assert.deepEqual(late.sort(), ['a', 'b']);
    remove();
    await c.create(CM, cm('z'));
    await settle();
    assert.deepEqual(late.sort(), ['a', 'b'], 'removed handlers get nothing');
    inf.stop();
  });

  test('lister: list by namespace and label selector; secondary indexes by owner uid and label stay current', async () => {
    const c = new FakeApiClient().seed(
      cm('a', { labels: { app: 'x' }, owner: 'u1' }),
      cm('b', { labels: { app: 'y' }, owner: 'u1' }),
      cm('c', { ns: 'other', labels: { app: 'x' }, owner: 'u2' }),
    );
    const { inf } = recordingInformer(c);
    inf.addIndexer(OWNER_UID_INDEX, indexByControllerUid);
    inf.addIndexer('app', indexByLabel('app'));
    inf.start();
    await inf.waitForSync();
    const names = (os: KObject[]) => os.map((o) => o.metadata.name).sort();
    assert.deepEqual(names(inf.list({ namespace: 'ns' })), ['a', 'b']);
    assert.deepEqual(names(inf.list({ labelSelector: 'app=x' })), ['a', 'c']);
    assert.deepEqual(names(inf.list({ namespace: 'ns', labelSelector: 'app in (x,y)' })), ['a', 'b']);
    assert.deepEqual(names(inf.byIndex(OWNER_UID_INDEX, 'u1')), ['a', 'b']);
    await c.update(CM, cm('b', { labels: { app: 'x' }, owner: 'u2' }));
    await c.delete(CM, 'ns', 'a');
    await settle();
    assert.deepEqual(names(inf.byIndex(OWNER_UID_INDEX, 'u1')), []);
    assert.deepEqual(names(inf.byIndex(OWNER_UID_INDEX, 'u2')), ['b', 'c']);
    assert.deepEqual(names(inf.byIndex('app', 'x')), ['b', 'c']);
    assert.deepEqual(inf.byIndex('app', 'y'), []);
    assert.throws(() => inf.byIndex('nope', 'x'), /no index named "nope"/);
    inf.stop();
  });

  test('list with an equality selector builds a label index on demand and keeps it current (no full scans)', async () => {
    const c = new FakeApiClient().seed(
      cm('a', { labels: { app: 'x', tier: 'web' } }),
      cm('b', { labels: { app: 'y', tier: 'web' } }),
      cm('c', { ns: 'other', labels: { app: 'x' } }),
      cm('d', {}),
    );
    const { inf } = recordingInformer(c);
    inf.start();
    await inf.waitForSync();
    const names = (os: KObject[]) => os.map((o) => o.metadata.name).sort();
    assert.equal(inf.hasIndex(labelIndexName('app')), false);
    assert.deepEqual(names(inf.list({ labelSelector: 'app=x' })), ['a', 'c']);
    assert.equal(inf.hasIndex(labelIndexName('app')), true, 'the index was built by the first list');
    assert.deepEqual(names(inf.list({ namespace: 'ns', labelSelector: 'app=x' })), ['a']);
    assert.deepEqual(names(inf.list({ labelSelector: 'app in (x,y),tier=web' })), ['a', 'b']);
    assert.deepEqual(names(inf.list({ namespace: 'ns', labelSelector: 'app!=x' })), ['b', 'd'], 'no equality: namespace index + filter');
    // Label changes, adds and deletes move objects between index values.
    await c.update(CM, cm('b', { labels: { app: 'x', tier: 'web' } }));
    await c.create(CM, cm('e', { labels: { app: 'x' } }));
    await c.delete(CM, 'ns', 'a');
    await settle();
    assert.deepEqual(names(inf.list({ labelSelector: 'app=x' })), ['b', 'c', 'e']);
    assert.deepEqual(inf.list({ labelSelector: 'app=y' }), []);
    // A status-like update (same labels) keeps the object listed once.
    await c.update(CM, cm('b', { labels: { app: 'x', tier: 'web' }, data: { k: 'v' } }));
    await settle();
    assert.deepEqual(names(inf.list({ labelSelector: 'app=x' })), ['b', 'c', 'e']);
    assert.deepEqual(inf.list({ labelSelector: 'app=x' }).find((o) => o.metadata.name === 'b')?.data, { k: 'v' }, 'the index serves the current object');
    inf.stop();
  });

  test('a broken watch resumes from the last resourceVersion without relisting', async () => {
    const c = new FakeApiClient().seed(cm('a'));
    const { inf, log } = recordingInformer(c);
    inf.start();
    await inf.waitForSync();
    await settle();
    c.breakWatches();
    await c.create(CM, cm('b')); // lands while disconnected
    await settle();
    assert.deepEqual(log, ['add a', 'add b']);
    assert.equal(c.actions.filter((a) => a.verb === 'list').length, 1);
    const watches = c.actions.filter((a) => a.verb === 'watch');
    assert.equal(watches.length, 2);
    assert.equal(watches[1].listOptions!.resourceVersion, '1');
    inf.stop();
  });

  test('410 Gone: relists and reports what changed while the history was lost, including deletes', async () => {
    const c = new FakeApiClient().seed(cm('a'), cm('b'));
    const { inf, log } = recordingInformer(c);
    inf.start();
    await inf.waitForSync();
    await settle();
    // All synchronous: the fake applies writes before returning its promise, so the
    // informer cannot reconnect until the history is gone.
    c.breakWatches();
    void c.delete(CM, 'ns', 'a');
    void c.update(CM, cm('b', { data: { k: 'v' } }));
    void c.create(CM, cm('c'));
    c.compact();
    await settle(10);
    assert.deepEqual(log, ['add a', 'add b', 'update b 2->4', 'add c', 'delete a']);
    assert.equal(c.actions.filter((a) => a.verb === 'list').length, 2, 'relisted once');
    assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['b', 'c']);
    assert.equal(inf.lastSyncResourceVersion(), '5');
    // and keeps watching afterwards
    await c.create(CM, cm('d'));
    await settle();
    assert.equal(log.at(-1), 'add d');
    inf.stop();
  });

  test('an in-band ERROR event with code 410 also triggers a relist', async () => {
    const fake = new FakeApiClient().seed(cm('a'));
    let sent = false;
    const client: ApiClient = Object.assign(Object.create(fake) as FakeApiClient, {
      watch: (gr: string, opts: never, onEvent: (e: ClientWatchEvent) => void, onError: (e: Error) => void) => {
        if (sent) return fake.watch(gr, opts, onEvent, onError);
        sent = true;
        queueMicrotask(() => onEvent({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } as unknown as KObject }));
        return { stop() {} };
      },
    });
    const { inf } = recordingInformer(client);
    inf.start();
    await inf.waitForSync();
    await settle(10);
    assert.equal(fake.actions.filter((a) => a.verb === 'list').length, 2);
    inf.stop();
  });

  test('failing lists are retried with exponential backoff on the injected clock, then sync', async () => {
    const c = new FakeApiClient().seed(cm('a'));
    c.induceFailure('list', CM, { times: 4 });
    const clock = new FakeClock(0);
    const { inf } = recordingInformer(c, clock, { backoff: { initialMs: 100, maxMs: 250 } });
    inf.start();
    const lists = () => c.actions.filter((a) => a.verb === 'list').length;
    await settle();
    assert.equal(lists(), 2, 'first failure retries at once');
    clock.advance(99);
    await settle();
    assert.equal(lists(), 2);
    clock.advance(1);
    await settle();
    assert.equal(lists(), 3, '100ms');
    clock.advance(200);
    await settle();
    assert.equal(lists(), 4, '200ms');
    assert.equal(inf.hasSynced(), false);
    clock.advance(250);
    await settle();
    assert.equal(lists(), 5, 'capped at 250ms');
    await inf.waitForSync();
    assert.equal(inf.size(), 1);
    inf.stop();
  });

  test('stop() ends the watch and pending retries; waitForSync can be aborted', async () => {
    const c = new FakeApiClient();
    c.induceFailure('list', CM);
    const clock = new FakeClock(0);
    const { inf } = recordingInformer(c, clock);
    inf.start();
    const ac = new AbortController();
    const waiting = inf.waitForSync(ac.signal);
    ac.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
    inf.stop();
    const before = c.actions.length;
    clock.advance(60_000);
    await settle();
    assert.equal(c.actions.length, before);
  });

  test('resync re-delivers every cached object as an update on the resync period', async () => {
    const c = new FakeApiClient().seed(cm('a'));
    const clock = new FakeClock(0);
    const { inf, log } = recordingInformer(c, clock, { resyncPeriodMs: 1000 });
    inf.start();
    await inf.waitForSync();
    clock.advance(1000);
    clock.advance(1000);
    assert.deepEqual(log, ['add a', 'update a 1->1', 'update a 1->1']);
    inf.stop();
  });

  test('a throwing handler is logged and does not starve the others', async () => {
    const c = new FakeApiClient().seed(cm('a'));
    const logger = new MemoryLogger();
    const inf = new Informer(c, { gr: CM, logger });
    const seen: string[] = [];
    inf.addEventHandler({
      onAdd: () => {
        throw new Error('boom');
      },
    });
    inf.addEventHandler({ onAdd: (o) => seen.push(o.metadata.name!) });
    inf.start();
    await inf.waitForSync();
    assert.deepEqual(seen, ['a']);
    assert.ok(logger.entries.some((e) => e.level === 'error' && e.fields?.error === 'boom'));
    inf.stop();
  });

  test('label-selected informers only cache matching objects', async () => {
    const c = new FakeApiClient().seed(cm('a', { labels: { app: 'x' } }), cm('b'));
    const inf = new Informer(c, { gr: CM, labelSelector: 'app=x' });
    inf.start();
    await inf.waitForSync();
    assert.deepEqual(inf.list().map((o) => o.metadata.name), ['a']);
    inf.stop();
  });

  test('rejects a malformed gr', () => {
    assert.throws(() => new Informer(new FakeApiClient(), { gr: 'configmaps' }), /gr must look like "group\/resource"/);
  });
});

describe('SharedInformerFactory', () => {
  test('shares one informer (one watch) per group-resource and starts late ones', async () => {
    const c = new FakeApiClient().seed(cm('a'));
    const f = new SharedInformerFactory(c, { clock: new FakeClock(0) });
    const i1 = f.informerFor(CM);
    const i2 = f.informerFor(CM);
    assert.equal(i1, i2);
    assert.notEqual(f.informerFor(CM, { labelSelector: 'app=x' }), i1);
    f.start();
    await f.waitForSync();
    await settle();
    assert.equal(c.activeWatches(CM), 2);
    const late = f.informerFor('core/secrets');
    assert.equal(late.isStarted(), true);
    await f.waitForSync();
    assert.equal(f.lister(CM).get('ns', 'a')!.metadata.name, 'a');
    f.stop();
    assert.equal(c.activeWatches(), 0);
  });

  test('waitForSync before start() fails fast instead of hanging', async () => {
    const f = new SharedInformerFactory(new FakeApiClient());
    f.informerFor(CM);
    await assert.rejects(f.waitForSync(), /before start\(\)/);
  });
});

test('splitKey handles namespaced and cluster-scoped keys', () => {
  assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(splitKey('node-1'), { namespace: undefined, name: 'node-1' });
});
