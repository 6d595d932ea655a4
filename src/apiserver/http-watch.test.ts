import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, cm, openWatch, startTestServer, until, type TestServer } from './testing.js';

const CM = '/api/v1/namespaces/default/configmaps';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

describe('API server: watch', () => {
  let ts: TestServer;
  before(async () => (ts = await startTestServer()));
  after(() => ts.close());

  test('?watch=1 from a list resourceVersion streams ADDED/MODIFIED/DELETED lines in order', async () => {
    await call(ts, 'POST', CM, cm('before'));
    const rv = (await call(ts, 'GET', CM)).json.metadata.resourceVersion;
    const w = await openWatch(ts, `${CM}?watch=1&resourceVersion=${rv}`);
    assert.equal(w.status, 200);
    assert.equal(w.headers['content-type'], 'application/json');
    assert.equal(w.headers['transfer-encoding'], 'chunked');
    const a = (await call(ts, 'POST', CM, cm('w1', { k: '1' }))).json;
    await call(ts, 'PUT', `${CM}/w1`, { ...a, data: { k: '2' } });
    await call(ts, 'DELETE', `${CM}/w1`);
    await w.event(2);
    assert.deepEqual(
      w.events.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'w1'],
        ['MODIFIED', 'w1'],
        ['DELETED', 'w1'],
      ],
    );
    assert.equal(w.events[1].object.data.k, '2');
    assert.equal(w.events[0].object.kind, 'ConfigMap');
    assert.ok(Number(w.events[2].object.metadata.resourceVersion) > Number(w.events[1].object.metadata.resourceVersion));
    w.close();
  });

  test('without a resourceVersion the stream starts with the current state (synthetic ADDED)', async () => {
    const w = await openWatch(ts, `${CM}?watch=true&fieldSelector=metadata.name%3Dbefore`);
    const first = await w.event(0);
    assert.deepEqual([first.type, first.object.metadata.name], ['ADDED', 'before']);
    w.close();
  });

  test('resuming from an older resourceVersion replays what happened after it', async () => {
    const rv0 = String(ts.store.revision());
    await call(ts, 'POST', CM, cm('r1'));
    await call(ts, 'POST', CM, cm('r2'));
    await call(ts, 'DELETE', `${CM}/r1`);
    const w = await openWatch(ts, `${CM}?watch=1&resourceVersion=${rv0}`);
    await w.event(2);
    assert.deepEqual(
      w.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED r1', 'ADDED r2', 'DELETED r1'],
    );
    await call(ts, 'POST', CM, cm('r3'));
    assert.equal((await w.event(3)).object.metadata.name, 'r3', 'then continues live');
    w.close();
  });

  test('label selectors filter events; legacy /watch/ paths work for collections and single objects', async () => {
    const w = await openWatch(ts, `${CM}?watch=1&resourceVersion=${ts.store.revision()}&labelSelector=team%3Da`);
    const single = await openWatch(ts, `/api/v1/watch/namespaces/default/configmaps/only-me?resourceVersion=${ts.store.revision()}`);
    const legacy = await openWatch(ts, `/api/v1/watch/configmaps?resourceVersion=${ts.store.revision()}`);
    await call(ts, 'POST', CM, { ...cm('nolabel'), metadata: { name: 'nolabel' } });
    await call(ts, 'POST', CM, { ...cm('labelled'), metadata: { name: 'labelled', labels: { team: 'a' } } });
    await call(ts, 'POST', CM, cm('only-me'));
    assert.equal((await w.event(0)).object.metadata.name, 'labelled');
    assert.equal((await single.event(0)).object.metadata.name, 'only-me');
    await legacy.event(2);
    assert.deepEqual(
      legacy.events.map((e) => e.object.metadata.name),
      ['nolabel', 'labelled', 'only-me'],
    );
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(w.events.length, 1);
    assert.equal(single.events.length, 1);
    for (const s of [w, single, legacy]) s.close();
  });

  test('Table watches (kubectl get -w) carry one-row Tables', async () => {
    const w = await openWatch(ts, `${CM}?watch=1&resourceVersion=${ts.store.revision()}`, { accept: TABLE });
    assert.equal(w.headers['content-type'], 'application/json;as=Table;v=v1;g=meta.k8s.io');
    await call(ts, 'POST', CM, cm('tw', { a: '1', b: '2' }));
    const ev = await w.event(0);
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.kind, 'Table');
    assert.deepEqual(ev.object.rows[0].cells.slice(0, 2), ['tw', 2]);
    assert.equal(ev.object.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(ev.object.columnDefinitions[0].name, 'Name');
    w.close();
  });

  test('bookmarks and sendInitialEvents', async () => {
    const bm = await startTestServer({ deps: { bookmarkIntervalMs: 10 } });
    try {
      await call(bm, 'POST', CM, cm('i1'));
      const w = await openWatch(bm, `${CM}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`);
      const first = await w.event(0);
      assert.deepEqual([first.type, first.object.metadata.name], ['ADDED', 'i1']);
      const end = await w.event(1);
      assert.equal(end.type, 'BOOKMARK');
      assert.equal(end.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
      assert.equal(end.object.kind, 'ConfigMap');
      assert.equal(end.object.metadata.resourceVersion, String(bm.store.revision()));
      const periodic = await w.event(2);
      assert.equal(periodic.type, 'BOOKMARK');
      assert.equal(periodic.object.metadata.annotations, undefined);
      w.close();
    } finally {
      await bm.close();
    }
  });

  test('invalid watch parameters are a 400 Status before any stream starts', async () => {
    for (const q of ['resourceVersion=abc', 'timeoutSeconds=-1', 'labelSelector=a%20in%20(', 'watch=maybe', 'fieldSelector=%3D%3D']) {
      const r = await call(ts, 'GET', `${CM}?watch=1&${q}`.replace('watch=1&watch=maybe', 'watch=maybe'));
      assert.equal(r.status, 400, q);
      assert.equal(r.json.kind, 'Status', q);
    }
    assert.equal((await call(ts, 'GET', `${CM}?watch=1`, undefined, { accept: 'application/yaml' })).status, 406);
  });

  test('timeoutSeconds ends the stream cleanly and frees the store watcher', async () => {
    const before = ts.requestWatchers();
    const w = await openWatch(ts, `${CM}?watch=1&resourceVersion=${ts.store.revision()}&timeoutSeconds=1`);
    assert.equal(ts.requestWatchers(), before + 1);
    const t0 = Date.now();
    await w.ended;
    assert.ok(Date.now() - t0 < 2500);
    await until(() => ts.requestWatchers() === before, 1000, 'store watcher released');
  });

  test('client disconnects tear watches down: no store watchers leak', async () => {
    await until(() => ts.requestWatchers() === 0, 2000, 'earlier watches to be released');
    const streams = await Promise.all(Array.from({ length: 8 }, (_, i) => openWatch(ts, i % 2 ? `${CM}?watch=1` : `${CM}?watch=1&resourceVersion=${ts.store.revision()}`, i % 3 ? {} : { accept: TABLE })));
    assert.equal(ts.requestWatchers(), 8);
    assert.equal(ts.api.activeWatches(), 8);
    for (const s of streams) s.close();
    await until(() => ts.requestWatchers() === 0 && ts.api.activeWatches() === 0, 2000, 'all watchers released');
    // Writes after the disconnects reach nobody and break nothing.
    assert.equal((await call(ts, 'POST', CM, cm('after-close'))).status, 201);
  });
});

describe('API server: watch from a compacted history', () => {
  test('a too-old resourceVersion gets an ERROR event with a 410 Expired Status', async () => {
    // A store that starts at revision 500 has no history before it (as after a restart).
    const ts = await startTestServer({ initialRevision: 500 });
    try {
      const w = await openWatch(ts, `${CM}?watch=1&resourceVersion=5`);
      assert.equal(w.status, 200);
      const ev = await w.event(0);
      assert.equal(ev.type, 'ERROR');
      assert.deepEqual([ev.object.kind, ev.object.status, ev.object.reason, ev.object.code], ['Status', 'Failure', 'Expired', 410]);
      assert.match(ev.object.message, /too old resource version: 5/);
      await w.ended;
      assert.equal(ts.requestWatchers(), 0);
      // Relisting and watching from the list's resourceVersion works.
      const rv = (await call(ts, 'GET', CM)).json.metadata.resourceVersion;
      const w2 = await openWatch(ts, `${CM}?watch=1&resourceVersion=${rv}`);
      await call(ts, 'POST', CM, cm('fresh'));
      assert.equal((await w2.event(0)).object.metadata.name, 'fresh');
      w2.close();
    } finally {
      await ts.close();
    }
  });

  test('closing the server ends open watches', async () => {
    const ts = await startTestServer();
    const w = await openWatch(ts, `${CM}?watch=1`);
    await ts.close();
    await w.ended;
    assert.equal(ts.api.activeWatches(), 0);
    assert.equal(ts.store.activeWatchers, 0, 'no store watcher survives close (the collector\'s included)');
  });
});
