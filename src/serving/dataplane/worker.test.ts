// Real HTTP through a running data-plane worker: host routing, splits, tags,
// the per-pod queue (CC=1, overflow), timeouts, the activator (hold, poke,
// release on snapshot), drain, stats.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { DrainedMessage, PokeMessage, StatsMessage, WorkerToMain } from './protocol.js';
import {
  DataPlaneFixture,
  deferred,
  echoHandler,
  request,
  revisionSpec,
  routeEntry,
  sleep,
  split,
  startUpstream,
  type Upstream,
} from './testing.js';

let f: DataPlaneFixture;
let a: Upstream;
let b: Upstream;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  f = await DataPlaneFixture.start();
  a = await startUpstream(echoHandler('a'));
  b = await startUpstream(echoHandler('b'));
  closers.push(a.close, b.close);
  f.revisions['default/hello-00001'] = revisionSpec([{ pod: 'hello-00001-a', port: a.port, ready: true }]);
  f.revisions['default/hello-00002'] = revisionSpec([{ pod: 'hello-00002-b', port: b.port, ready: true }]);
  await f.pushRevisions();
  f.hosts['hello.default.example.com'] = routeEntry('hello', [split('hello-00001', 90), split('hello-00002', 10)], {
    tagHeaders: { v2: [split('hello-00002', 100)] },
  });
  f.hosts['v2-hello.default.example.com'] = routeEntry('hello', [split('hello-00002', 100)], { tag: 'v2' });
  f.hosts['hello.default.svc.cluster.local'] = routeEntry('hello', [split('hello-00001', 100)], { visibility: 'ClusterLocal' });
  await f.pushHosts();
});

after(async () => {
  await f.stop();
  for (const c of closers) await c();
});

describe('host routing', () => {
  test('unknown host → 404 with a helpful body', async () => {
    const r = await request(f.port, { host: 'nope.example.com:8080' });
    assert.equal(r.status, 404);
    assert.equal(r.body, 'no Skiff route for host "nope.example.com"; list routes with: skiff route list -A\n');
  });

  test('exact host is case-insensitive with the port stripped; .localhost alias; revision and cluster-local hosts', async () => {
    const r1 = await request(f.port, { host: 'v2-Hello.Default.Example.com:31080' });
    assert.equal(r1.status, 200);
    assert.equal(JSON.parse(r1.body).name, 'b');
    const r2 = await request(f.port, { host: 'v2-hello.default.localhost:8080' });
    assert.equal(JSON.parse(r2.body).name, 'b');
    const r3 = await request(f.port, { host: 'hello-00002.default.svc.cluster.local' });
    assert.equal(JSON.parse(r3.body).name, 'b');
    const r4 = await request(f.port, { host: 'hello.default.svc.cluster.local' });
    assert.equal(JSON.parse(r4.body).name, 'a');
  });

  test('Knative-Serving-Tag header routes to the tag; split headers reach the pod', async () => {
    const r = await request(f.port, { host: 'hello.default.example.com', headers: { 'Knative-Serving-Tag': 'v2' } });
    const seen = JSON.parse(r.body);
    assert.equal(seen.name, 'b');
    assert.equal(seen.headers['knative-serving-revision'], 'hello-00002');
    assert.equal(seen.headers['knative-serving-namespace'], 'default');
    assert.equal(seen.headers.host, 'hello.default.example.com');
  });

  test('90/10 split over 1,000 requests lands within ±3 points', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const counts: Record<string, number> = { a: 0, b: 0 };
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 1000; i++) {
      all.push(request(f.port, { host: 'hello.default.example.com', agent }).then((r) => void counts[JSON.parse(r.body).name]++));
    }
    await Promise.all(all);
    agent.destroy();
    assert.equal(counts.a! + counts.b!, 1000);
    assert.ok(Math.abs(counts.b! / 10 - 10) <= 3, `revision b got ${counts.b! / 10} %`);
  });
});

describe('queue (per pod)', () => {
  test('CC=1: requests queue behind the running one; beyond 10 queued → 503', async () => {
    let running = 0;
    let maxRunning = 0;
    const release = deferred();
    const slow = await startUpstream(async (_req, res) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await release.promise;
      running--;
      res.end('ok');
    });
    closers.push(slow.close);
    f.revisions['default/slow-00001'] = revisionSpec([{ pod: 'slow-00001-p', port: slow.port, ready: true }], { containerConcurrency: 1 });
    await f.pushRevisions();
    f.hosts['slow.default.example.com'] = routeEntry('slow', [split('slow-00001', 100)]);
    await f.pushHosts();

    const replies = Array.from({ length: 12 }, () => request(f.port, { host: 'slow.default.example.com' }));
    const first503 = await Promise.race(replies);
    assert.equal(first503.status, 503);
    assert.equal(first503.body, 'pending request queue full\n');
    release.resolve();
    const all = await Promise.all(replies);
    assert.equal(all.filter((r) => r.status === 200).length, 11);
    assert.equal(all.filter((r) => r.status === 503).length, 1);
    assert.equal(maxRunning, 1);
  });
});

describe('timeouts', () => {
  let stall: Upstream;
  before(async () => {
    stall = await startUpstream((req, res) => {
      if (req.url === '/headers-then-stall') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      }
      // otherwise: never answer
    });
    closers.push(stall.close);
    f.revisions['default/stall-00001'] = revisionSpec([{ pod: 'stall-1', port: stall.port, ready: true }], { timeoutSeconds: 0.3 });
    f.revisions['default/stall-00002'] = revisionSpec([{ pod: 'stall-2', port: stall.port, ready: true }], {
      timeoutSeconds: 10,
      responseStartTimeoutSeconds: 0.2,
    });
    f.revisions['default/stall-00003'] = revisionSpec([{ pod: 'stall-3', port: stall.port, ready: true }], { timeoutSeconds: 10, idleTimeoutSeconds: 0.2 });
    await f.pushRevisions();
  });

  test('timeoutSeconds → 504 request timeout', async () => {
    const t0 = Date.now();
    const r = await request(f.port, { host: 'stall-00001.default' });
    assert.equal(r.status, 504);
    assert.equal(r.body, 'request timeout\n');
    const took = Date.now() - t0;
    assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
  });

  test('responseStartTimeoutSeconds → 504 when no byte came in time', async () => {
    const t0 = Date.now();
    const r = await request(f.port, { host: 'stall-00002.default' });
    assert.equal(r.status, 504);
    assert.ok(Date.now() - t0 < 1500);
  });

  test('a timeout after the response started cuts the connection', async () => {
    await assert.rejects(request(f.port, { host: 'stall-00003.default', path: '/headers-then-stall' }), /aborted|socket hang up|ECONNRESET/);
  });
});

describe('activator', () => {
  test('holds requests while no endpoint is ready, pokes, releases on the snapshot that adds one', async () => {
    const pod = await startUpstream(echoHandler('cold'));
    closers.push(pod.close);
    const from = f.messages.length;
    f.revisions['default/cold-00001'] = revisionSpec([], { mode: 'Proxy' });
    await f.pushRevisions();
    f.hosts['cold.default.example.com'] = routeEntry('cold', [split('cold-00001', 100)]);
    await f.pushHosts();

    const pending = [request(f.port, { host: 'cold.default.example.com' }), request(f.port, { host: 'cold.default.example.com' })];
    const poke = await f.waitFor((m): m is PokeMessage => m.type === 'poke' && m.key === 'default/cold-00001', 2000, from);
    assert.equal(poke.key, 'default/cold-00001');
    await sleep(100);
    const pokes = f.messages.slice(from).filter((m) => m.type === 'poke');
    assert.equal(pokes.length, 1, 'one poke for the first request at zero');

    f.revisions['default/cold-00001'] = revisionSpec([{ pod: 'cold-00001-p', port: pod.port, ready: true }], { mode: 'Proxy' });
    await f.pushRevisions();
    const replies = await Promise.all(pending);
    for (const r of replies) {
      assert.equal(r.status, 200);
      const seen = JSON.parse(r.body);
      assert.equal(seen.headers['k-proxy-request'], 'activator');
      assert.equal(seen.headers['knative-serving-revision'], undefined, 'activator strips Knative-Serving-Revision');
      assert.equal(seen.headers['knative-serving-namespace'], undefined);
      assert.equal(seen.headers['k-original-host'], undefined, 'queue restores Host from K-Original-Host');
      assert.equal(seen.headers.host, 'cold.default.example.com');
    }
  });

  test('held past timeoutSeconds → 504 activator request timeout', async () => {
    f.revisions['default/never-00001'] = revisionSpec([], { mode: 'Proxy', timeoutSeconds: 0.3 });
    await f.pushRevisions();
    const r = await request(f.port, { host: 'never-00001.default.svc.cluster.local' });
    assert.equal(r.status, 504);
    assert.equal(r.body, 'activator request timeout\n');
  });
});

describe('drain', () => {
  test('in-flight request completes, new ones go elsewhere, drained is sent after', async () => {
    const release = deferred();
    let slowHits = 0;
    const slowPod = await startUpstream(async (_req, res) => {
      slowHits++;
      await release.promise;
      res.end('slow');
    });
    const fastPod = await startUpstream((_req, res) => res.end('fast'));
    closers.push(slowPod.close, fastPod.close);
    f.revisions['default/drain-00001'] = revisionSpec([
      { pod: 'drain-slow', port: slowPod.port, ready: true },
      { pod: 'drain-fast', port: fastPod.port, ready: true },
    ]);
    await f.pushRevisions();
    // Round robin: keep sending until the slow pod holds one request.
    const inflight: Array<Promise<unknown>> = [];
    while (slowHits === 0) {
      const p = request(f.port, { host: 'drain-00001.default' });
      inflight.push(p);
      await Promise.race([p, sleep(50)]);
    }
    const from = f.messages.length;
    await f.dp.apply({ type: 'drain', pod: 'drain-slow' });
    for (let i = 0; i < 6; i++) assert.equal((await request(f.port, { host: 'drain-00001.default' })).body, 'fast');
    assert.equal(slowHits, 1);
    assert.equal(f.messages.slice(from).some((m) => m.type === 'drained'), false, 'not drained while a request is in flight');
    release.resolve();
    const drained = await f.waitFor((m): m is DrainedMessage => m.type === 'drained' && m.pod === 'drain-slow', 2000, from);
    assert.equal(drained.pod, 'drain-slow');
    const results = (await Promise.all(inflight)) as Array<{ status: number }>;
    assert.ok(results.every((r) => r.status === 200));
  });

  test('draining an unknown or idle pod answers drained at once', async () => {
    const from = f.messages.length;
    await f.dp.apply({ type: 'drain', pod: 'no-such-pod' });
    await f.waitFor((m) => m.type === 'drained' && m.pod === 'no-such-pod', 1000, from);
  });
});

describe('stats', () => {
  test('every ~1 s, with request counts per pod and the activator part apart', async () => {
    const isStats = (m: WorkerToMain): m is StatsMessage => m.type === 'stats';
    const first = await f.waitFor(isStats, 2500, f.messages.length);
    const firstIdx = f.messages.indexOf(first);
    for (let i = 0; i < 5; i++) await request(f.port, { host: 'hello-00002.default' });
    // The 5 requests land in the window after `first` (or straddle two windows on a slow machine).
    const next = await f.waitFor((m): m is StatsMessage => isStats(m) && m.time > first.time, 2500, firstIdx + 1);
    const later = await f.waitFor((m): m is StatsMessage => isStats(m) && m.time > next.time, 2500, firstIdx + 1);
    const gap = next.time - first.time;
    // Bounds leave room for a loaded CI machine; the grid itself is checked below and measured in bench/.
    assert.ok(gap >= 900 && gap <= 1400, `stats ${gap} ms apart`);
    assert.ok(next.windowMs >= 900 && next.windowMs <= 1400);
    const pods = [next, later].map((s) => s.revisions.find((r) => r.key === 'default/hello-00002')!.pods);
    for (const p of pods) {
      assert.equal(p.length, 1);
      assert.equal(p[0]!.pod, 'hello-00002-b');
      assert.equal(p[0]!.proxiedRequestCount, 0);
    }
    assert.equal(pods[0]![0]!.requestCount + pods[1]![0]!.requestCount, 5);
    assert.ok(pods[0]![0]!.averageConcurrency > 0 && pods[0]![0]!.averageConcurrency < 1);
    assert.deepEqual(next.revisions.find((r) => r.key === 'default/hello-00002')!.activator, { averageConcurrency: 0, requestCount: 0 });
    // The stats timer stays on its 1 s grid.
    const all = f.messages.filter(isStats);
    for (let i = 1; i < all.length; i++) {
      const d = all[i]!.time - all[i - 1]!.time;
      assert.ok(d >= 800 && d <= 1400, `gap ${d}`);
    }
  });
});
