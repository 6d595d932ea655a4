import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientWatchEvent } from '../../client/client.js';
import type { KObject } from '../../api/meta.js';
import { FakeApiClient, guessGr } from './fake-client.js';
import { settle } from './table.js';

const CM = 'core/configmaps';
const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', ...(labels ? { labels } : {}) },
  data,
});
const svc = (name: string, spec: unknown = { image: 'a' }): KObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns' },
  spec,
});
const SVC = 'serving.knative.dev/services';

function collect(client: FakeApiClient, gr: string, opts: Parameters<FakeApiClient['watch']>[1] = {}) {
  const events: string[] = [];
  const errors: Array<number | undefined> = [];
  const h = client.watch(
    gr,
    opts,
    (ev: ClientWatchEvent) => events.push(`${ev.type} ${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`),
    (err) => errors.push(err.status),
  );
  return { events, errors, h };
}

describe('FakeApiClient', () => {
  test('guessGr pluralises kinds like the API does', () => {
    assert.equal(guessGr('v1', 'ConfigMap'), 'core/configmaps');
    assert.equal(guessGr('networking.internal.knative.dev/v1alpha1', 'Ingress'), 'networking.internal.knative.dev/ingresses');
    assert.equal(guessGr('v1', 'Endpoints'), 'core/endpoints');
    assert.equal(guessGr('x.dev/v1', 'Policy'), 'x.dev/policies');
    assert.equal(guessGr('serving.knative.dev/v1', 'Service'), 'serving.knative.dev/services');
  });

  test('create fills metadata, returns frozen objects, and rejects duplicates with 409', async () => {
    const c = new FakeApiClient();
    const o = await c.create(CM, cm('a', { k: 'v' }));
    assert.equal(o.metadata.resourceVersion, '1');
    assert.equal(o.metadata.generation, 1);
    assert.equal(o.metadata.creationTimestamp, '2024-01-01T00:00:00Z');
    assert.match(o.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.ok(Object.isFrozen(o) && Object.isFrozen(o.data));
    await assert.rejects(c.create(CM, cm('a')), (e: { status: number; reason: string }) => e.status === 409 && e.reason === 'AlreadyExists');
    const g = await c.create(CM, { ...cm(''), metadata: { namespace: 'ns', generateName: 'gen-' } });
    assert.match(g.metadata.name!, /^gen-/);
    assert.equal(c.creates().length, 3);
  });

  test('get returns undefined when missing; update/delete of a missing object is 404', async () => {
    const c = new FakeApiClient();
    assert.equal(await c.get(CM, 'ns', 'nope'), undefined);
    await assert.rejects(c.update(CM, cm('nope')), (e: { status: number }) => e.status === 404);
    await assert.rejects(c.delete(CM, 'ns', 'nope'), (e: { status: number }) => e.status === 404);
  });

  test('update with a stale resourceVersion is a 409 Conflict; spec changes bump generation, status is ignored', async () => {
    const c = new FakeApiClient();
    const s1 = await c.create(SVC, svc('s'));
    const s2 = await c.update(SVC, { ...structuredClone(s1), spec: { image: 'b' }, status: { x: 1 } });
    assert.equal(s2.metadata.generation, 2);
    assert.equal(s2.status, undefined, 'PUT on the main resource does not write status');
    await assert.rejects(c.update(SVC, { ...structuredClone(s1), spec: { image: 'c' } }), (e: { status: number; reason: string }) => e.status === 409 && e.reason === 'Conflict');
    const s3 = await c.updateStatus(SVC, { ...structuredClone(s2), spec: { image: 'ignored' }, status: { observedGeneration: 2 } });
    assert.deepEqual(s3.status, { observedGeneration: 2 });
    assert.deepEqual(s3.spec, { image: 'b' }, 'status update does not write spec');
    assert.equal(s3.metadata.generation, 2);
    const same = await c.update(SVC, structuredClone(s3));
    assert.equal(same.metadata.resourceVersion, s3.metadata.resourceVersion, 'a no-op write keeps the resourceVersion');
  });

  test('patch supports merge/json/strategic, the status subresource, and resourceVersion preconditions', async () => {
    const c = new FakeApiClient();
    const s = await c.create(SVC, svc('s', { image: 'a', env: 'x' }));
    const p1 = await c.patch(SVC, 'ns', 's', { spec: { env: null, port: 8080 } }, { type: 'merge' });
    assert.deepEqual(p1.spec, { image: 'a', port: 8080 });
    const p2 = await c.patch(SVC, 'ns', 's', [{ op: 'replace', path: '/spec/image', value: 'b' }], { type: 'json' });
    assert.equal(p2.spec.image, 'b');
    const p3 = await c.patch(SVC, 'ns', 's', { metadata: { finalizers: ['f'] } }, { type: 'strategic' });
    assert.deepEqual(p3.metadata.finalizers, ['f']);
    const p4 = await c.patch(SVC, 'ns', 's', { status: { ok: true }, spec: { image: 'ignored' } }, { type: 'merge', subresource: 'status' });
    assert.deepEqual(p4.status, { ok: true });
    assert.equal(p4.spec.image, 'b');
    await assert.rejects(
      c.patch(SVC, 'ns', 's', { metadata: { resourceVersion: s.metadata.resourceVersion }, spec: { image: 'z' } }, { type: 'merge' }),
      (e: { status: number }) => e.status === 409,
    );
    assert.equal(c.patches(SVC).length, 5);
  });

  test('delete waits for finalizers: sets deletionTimestamp, removes when the last finalizer goes', async () => {
    const c = new FakeApiClient();
    await c.create(CM, { ...cm('a'), metadata: { ...cm('a').metadata, finalizers: ['keep'] } });
    const marked = await c.delete(CM, 'ns', 'a');
    assert.equal(marked!.metadata.deletionTimestamp, '2024-01-01T00:00:00Z');
    assert.ok(c.peek(CM, 'ns', 'a'));
    const cur = c.peek(CM, 'ns', 'a')!;
    await c.update(CM, { ...structuredClone(cur), metadata: { ...structuredClone(cur.metadata), finalizers: [] } });
    assert.equal(c.peek(CM, 'ns', 'a'), undefined);
  });

  test('list filters by namespace, labels and fields, sorted by key', async () => {
    const c = new FakeApiClient();
    c.seed(cm('b', {}, { app: 'x' }), cm('a', {}, { app: 'x' }), cm('c', {}, { app: 'y' }), { ...cm('d'), metadata: { name: 'd', namespace: 'other' } });
    const all = await c.list(CM);
    assert.deepEqual(all.items.map((o) => o.metadata.name), ['a', 'b', 'c', 'd']);
    assert.equal(all.resourceVersion, '4');
    assert.deepEqual((await c.list(CM, { namespace: 'ns', labelSelector: 'app=x' })).items.map((o) => o.metadata.name), ['a', 'b']);
    assert.deepEqual((await c.list(CM, { fieldSelector: 'metadata.name=c' })).items.map((o) => o.metadata.name), ['c']);
    assert.equal(c.mutations().length, 0, 'seeding records no actions');
  });

  test('watch replays history after a resourceVersion, then streams live events in order', async () => {
    const c = new FakeApiClient();
    await c.create(CM, cm('a'));
    const rv = c.resourceVersion();
    await c.create(CM, cm('b'));
    const w = collect(c, CM, { resourceVersion: rv });
    await c.update(CM, cm('a', { k: 'v' }));
    await c.delete(CM, 'ns', 'b');
    await settle();
    assert.deepEqual(w.events, ['ADDED b 2', 'MODIFIED a 3', 'DELETED b 4']);
    w.h.stop();
    await c.create(CM, cm('c'));
    await settle();
    assert.equal(w.events.length, 3, 'stopped watches get nothing');
  });

  test('seedAsIs stores objects exactly as given (for table-test wants); seed fills server fields', () => {
    const c = new FakeApiClient();
    c.seedAsIs(cm('exact'));
    c.seed(cm('filled'));
    assert.deepEqual(c.peek(CM, 'ns', 'exact'), cm('exact'));
    const f = c.peek(CM, 'ns', 'filled')!;
    assert.equal(f.metadata.resourceVersion, '2');
    assert.ok(f.metadata.uid && f.metadata.creationTimestamp);
  });

  test('watch without resourceVersion starts with synthetic ADDED events', async () => {
    const c = new FakeApiClient();
    c.seed(cm('a'));
    const w = collect(c, CM);
    await settle();
    assert.deepEqual(w.events, ['ADDED a 1']);
  });

  test('watch from a compacted resourceVersion fails with 410 Gone; breakWatches reports an error', async () => {
    const c = new FakeApiClient();
    await c.create(CM, cm('a'));
    await c.create(CM, cm('b'));
    c.compact();
    const old = collect(c, CM, { resourceVersion: '1' });
    const fresh = collect(c, CM, { resourceVersion: c.resourceVersion() });
    await settle();
    assert.deepEqual(old.errors, [410]);
    assert.equal(c.activeWatches(CM), 1);
    c.breakWatches();
    await settle();
    assert.deepEqual(fresh.errors, [undefined]);
    assert.equal(c.activeWatches(), 0);
  });

  test('a label-selected watch sees objects entering and leaving the selection as ADDED/DELETED', async () => {
    const c = new FakeApiClient();
    await c.create(CM, cm('a', {}, { app: 'no' }));
    const w = collect(c, CM, { labelSelector: 'app=yes', resourceVersion: c.resourceVersion() });
    await c.update(CM, cm('a', {}, { app: 'yes' }));
    await c.update(CM, cm('a', { k: 'v' }, { app: 'yes' }));
    await c.update(CM, cm('a', { k: 'v' }, { app: 'no' }));
    await settle();
    assert.deepEqual(w.events, ['ADDED a 2', 'MODIFIED a 3', 'DELETED a 4']);
  });

  test('reactors: induceFailure fails the chosen verb (optionally a few times), custom reactors answer calls', async () => {
    const c = new FakeApiClient();
    c.induceFailure('create', CM, { times: 1 });
    await assert.rejects(c.create(CM, cm('a')), /inducing failure for create configmaps/);
    await c.create(CM, cm('a'));
    c.prependReactor('get', '*', (a) => (a.name === 'virtual' ? { handled: true, result: cm('virtual') } : undefined));
    assert.equal((await c.get(CM, 'ns', 'virtual'))!.metadata.name, 'virtual');
    assert.equal(c.creates().length, 2, 'failed calls are still recorded');
  });
});
