// The gateway core without sockets: a fake Exchange records what the core
// asked of it, and a fake clock drives timeouts and stats.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange, Gateway, Phase } from './gateway.js';
import type { HostEntry, RevisionSpec, WorkerToMain } from './protocol.js';

class FakeExchange extends Exchange {
  forwarded = 0;
  failed: { status: number; body: string } | null = null;
  forward(): void {
    this.forwarded++;
  }
  fail(status: number, body: string): void {
    if (this.phase === Phase.Done) return;
    this.failed = { status, body };
    this.gateway.finish(this);
  }
  /** The upstream answered: the transport would now finish the exchange. */
  complete(): void {
    this.gateway.finish(this);
  }
}

function setup(random = () => 0.5) {
  let now = 1_000_000;
  const out: WorkerToMain[] = [];
  const gw = new Gateway({ emit: (m) => out.push(m), clock: { now: () => now }, random });
  let seq = 0;
  const revisions = (r: Record<string, RevisionSpec>) => gw.apply({ type: 'revisions', seq: ++seq, revisions: r });
  const hosts = (h: Record<string, HostEntry>) => gw.apply({ type: 'hosts', seq: ++seq, hosts: h });
  const req = (host: string, opts: { tag?: string; remote?: string; probe?: boolean } = {}) => {
    const ex = new FakeExchange(gw);
    if (opts.probe) ex.countStats = false;
    gw.route(ex, { host, tag: opts.tag ?? null, remoteAddress: opts.remote ?? '127.0.0.1' });
    return ex;
  };
  return { gw, out, revisions, hosts, req, advance: (ms: number) => (now += ms), now: () => now };
}

const rev = (endpoints: RevisionSpec['endpoints'], extra: Partial<RevisionSpec> = {}): RevisionSpec => ({
  containerConcurrency: 0,
  timeoutSeconds: 300,
  protocol: 'http1',
  mode: 'Serve',
  targetBurstCapacity: 200,
  endpoints,
  ...extra,
});
const route = (revision: string, extra: Partial<HostEntry> = {}): HostEntry => ({
  kind: 'route',
  namespace: 'default',
  name: revision.replace(/-\d+$/, ''),
  visibility: 'ExternalIP',
  splits: [{ revision, percent: 100 }],
  ingressKey: '',
  ...extra,
});

describe('Gateway core', () => {
  test('unknown host and cluster-local host from a non-loopback peer → 404', () => {
    const t = setup();
    t.revisions({ 'default/a-00001': rev([{ pod: 'p', port: 1, ready: true }]) });
    t.hosts({ 'a.default.svc.cluster.local': route('a-00001', { visibility: 'ClusterLocal' }) });
    assert.equal(t.req('x.example.com').failed?.status, 404);
    assert.equal(t.req('a.default.svc.cluster.local', { remote: '10.1.2.3' }).failed?.status, 404);
    assert.equal(t.req('a.default.svc.cluster.local').forwarded, 1);
    assert.equal(t.gw.active, 1);
  });

  test('Serve mode round-robins ready pods; not-ready and draining pods are skipped', () => {
    const t = setup();
    t.revisions({
      'default/a-00001': rev([
        { pod: 'p1', port: 1, ready: true },
        { pod: 'p2', port: 2, ready: false },
        { pod: 'p3', port: 3, ready: true, draining: true },
        { pod: 'p4', port: 4, ready: true },
      ]),
    });
    t.hosts({ 'a.example.com': route('a-00001') });
    const pods = Array.from({ length: 4 }, () => t.req('a.example.com').pod!.name);
    assert.deepEqual(pods, ['p1', 'p4', 'p1', 'p4']);
  });

  test('timeouts fire through sweep with the right body (queue vs activator)', () => {
    const t = setup();
    t.revisions({
      'default/a-00001': rev([{ pod: 'p1', port: 1, ready: true }], { timeoutSeconds: 2, responseStartTimeoutSeconds: 1 }),
      'default/z-00001': rev([], { timeoutSeconds: 2 }),
    });
    t.hosts({ 'a.example.com': route('a-00001'), 'z.example.com': route('z-00001') });
    const a = t.req('a.example.com');
    const z = t.req('z.example.com');
    t.advance(999);
    t.gw.sweep();
    assert.equal(a.failed, null);
    t.advance(1);
    t.gw.sweep();
    assert.deepEqual(a.failed, { status: 504, body: 'request timeout\n' });
    t.advance(1000);
    t.gw.sweep();
    assert.deepEqual(z.failed, { status: 504, body: 'activator request timeout\n' });
    assert.equal(t.gw.active, 0);
  });

  test('activator: holds at zero, one poke, releases on the snapshot that adds a pod, stats split', () => {
    const t = setup();
    t.revisions({ 'default/c-00001': rev([], { mode: 'Proxy', containerConcurrency: 1 }) });
    t.hosts({ 'c.example.com': route('c-00001') });
    const held = [t.req('c.example.com'), t.req('c.example.com'), t.req('c.example.com')];
    assert.deepEqual(
      t.out.filter((m) => m.type === 'poke'),
      [{ type: 'poke', key: 'default/c-00001' }],
    );
    assert.ok(held.every((e) => e.forwarded === 0 && e.phase === Phase.Held));
    t.advance(500);
    t.revisions({ 'default/c-00001': rev([{ pod: 'c1', port: 9, ready: true }], { mode: 'Proxy', containerConcurrency: 1 }) });
    // CC=1, one pod: exactly one goes now, the next when it finishes
    assert.deepEqual(
      held.map((e) => e.forwarded),
      [1, 0, 0],
    );
    assert.equal(held[0]!.viaActivator, true);
    t.advance(250);
    held[0]!.complete();
    assert.deepEqual(
      held.map((e) => e.forwarded),
      [1, 1, 0],
    );
    t.advance(250);
    const s = t.gw.collectStats(t.now(), 1000);
    const r = s.revisions.find((x) => x.key === 'default/c-00001')!;
    // activator: 3 arrivals, in flight 3 for 750 ms then 2 for 250 ms → 2.75
    assert.deepEqual(r.activator, { averageConcurrency: 2.75, requestCount: 3 });
    // pod c1: all arrivals via the activator
    assert.equal(r.pods[0]!.requestCount, 2);
    assert.equal(r.pods[0]!.proxiedRequestCount, 2);
    assert.equal(r.pods[0]!.averageConcurrency, r.pods[0]!.proxiedConcurrency);
  });

  test('Serve mode without routable pods falls back to the activator and pokes', () => {
    const t = setup();
    t.revisions({ 'default/a-00001': rev([{ pod: 'p1', port: 1, ready: false }]) });
    t.hosts({ 'a.example.com': route('a-00001') });
    const e = t.req('a.example.com');
    assert.equal(e.phase, Phase.Held);
    assert.equal(t.out.filter((m) => m.type === 'poke').length, 1);
  });

  test('probes bypass the breaker and stats', () => {
    const t = setup();
    t.revisions({ 'default/a-00001': rev([{ pod: 'p1', port: 1, ready: true }], { containerConcurrency: 1 }) });
    t.hosts({ 'a.example.com': route('a-00001') });
    const busy = t.req('a.example.com');
    const probe = t.req('a.example.com', { probe: true });
    assert.equal(probe.forwarded, 1, 'probe not queued behind the busy request');
    probe.complete();
    busy.complete();
    const s = t.gw.collectStats(t.now(), 1000).revisions[0]!;
    assert.equal(s.pods[0]!.requestCount, 1);
  });

  test('drain: in-flight finishes, then drained; pod removed from the snapshot meanwhile is kept until idle', () => {
    const t = setup();
    t.revisions({
      'default/a-00001': rev([
        { pod: 'p1', port: 1, ready: true },
        { pod: 'p2', port: 2, ready: true },
      ]),
    });
    t.hosts({ 'a.example.com': route('a-00001') });
    const first = t.req('a.example.com');
    assert.equal(first.pod!.name, 'p1');
    t.gw.apply({ type: 'drain', seq: 99, pod: 'p1' });
    assert.equal(t.req('a.example.com').pod!.name, 'p2');
    assert.equal(t.req('a.example.com').pod!.name, 'p2');
    t.revisions({ 'default/a-00001': rev([{ pod: 'p2', port: 2, ready: true }]) });
    assert.equal(t.out.some((m) => m.type === 'drained'), false);
    first.complete();
    assert.deepEqual(
      t.out.filter((m) => m.type === 'drained'),
      [{ type: 'drained', pod: 'p1' }],
    );
    assert.equal(t.gw.pods.has('p1'), false);
  });

  test('endpoints no snapshot refers to are retired; a busy pod keeps its endpoint until the next snapshot after it is idle', () => {
    const retired: string[] = [];
    const gw = new Gateway({ emit: () => {}, clock: { now: () => 0 }, onEndpointRetired: (ep) => retired.push(ep.key) });
    gw.apply({ type: 'revisions', seq: 1, revisions: { 'default/a-00001': rev([{ pod: 'p1', port: 1001, ready: true }]) } });
    gw.apply({ type: 'hosts', seq: 2, hosts: { 'a.example.com': route('a-00001') } });
    const ex = new FakeExchange(gw);
    gw.route(ex, { host: 'a.example.com', tag: null, remoteAddress: '127.0.0.1' });
    gw.apply({ type: 'revisions', seq: 3, revisions: { 'default/a-00001': rev([{ pod: 'p2', port: 1002, ready: true }]) } });
    assert.deepEqual(retired, []);
    ex.complete();
    gw.apply({ type: 'revisions', seq: 4, revisions: { 'default/a-00001': rev([{ pod: 'p2', port: 1002, ready: true }]) } });
    assert.deepEqual(retired, ['127.0.0.1:1001']);
  });

  test('a repeated drain of an idle pod answers drained again', () => {
    const t = setup();
    t.revisions({ 'default/a-00001': rev([{ pod: 'p1', port: 1, ready: true }]) });
    t.gw.apply({ type: 'drain', seq: 1, pod: 'p1' });
    t.gw.apply({ type: 'drain', seq: 2, pod: 'p1' });
    assert.equal(t.out.filter((m) => m.type === 'drained').length, 2);
  });

  test('stale snapshots are ignored; unknown revision answers 503', () => {
    const t = setup();
    t.gw.apply({ type: 'revisions', seq: 10, revisions: { 'default/a-00001': rev([{ pod: 'p1', port: 1, ready: true }]) } });
    t.gw.apply({ type: 'revisions', seq: 5, revisions: {} });
    t.hosts({ 'a.example.com': route('a-00001'), 'b.example.com': route('b-00001') });
    assert.equal(t.req('a.example.com').forwarded, 1);
    const b = t.req('b.example.com');
    assert.equal(b.failed?.status, 503);
    assert.match(b.failed!.body, /revision "default\/b-00001" is not known/);
  });

  test('deltas (partial): upserts merge into the tables, removed keys go, the rest stays', () => {
    const t = setup();
    let seq = 100;
    t.revisions({ 'default/a-00001': rev([{ pod: 'p1', port: 1, ready: true }]) });
    t.hosts({ 'a.example.com': route('a-00001') });
    t.gw.apply({ type: 'revisions', seq: ++seq, partial: true, removed: [], revisions: { 'default/b-00001': rev([{ pod: 'p2', port: 2, ready: true }]) } });
    t.gw.apply({ type: 'hosts', seq: ++seq, partial: true, removed: [], hosts: { 'b.example.com': route('b-00001') } });
    assert.equal(t.req('a.example.com').forwarded, 1, 'a is untouched by the delta');
    assert.equal(t.req('b.example.com').forwarded, 1);
    t.gw.apply({ type: 'revisions', seq: ++seq, partial: true, removed: ['default/a-00001'], revisions: {} });
    t.gw.apply({ type: 'hosts', seq: ++seq, partial: true, removed: ['a.example.com'], hosts: {} });
    assert.equal(t.req('a.example.com').failed?.status, 404);
    assert.equal(t.req('b.example.com').forwarded, 1);
    assert.deepEqual([...t.gw.revisions.keys()], ['default/b-00001']);
    t.gw.apply({ type: 'services', seq: ++seq, partial: true, removed: [], services: { 'default/s': [{ pod: 'default/s-1', port: 7 }] } });
    t.gw.apply({ type: 'services', seq: ++seq, partial: true, removed: [], services: { 'default/u': [{ pod: 'default/u-1', port: 8 }] } });
    assert.equal(t.req('s.default.svc.cluster.local').forwarded, 1, 'service s kept when u was added');
    t.gw.apply({ type: 'services', seq: ++seq, partial: true, removed: ['default/s'], services: {} });
    assert.equal(t.req('s.default.svc.cluster.local').failed?.status, 404);
    assert.equal(t.req('u.default.svc.cluster.local').forwarded, 1);
  });

  test('the host table is rebuilt lazily and only when what it derives from changed', () => {
    const t = setup();
    t.revisions({ 'default/a-00001': rev([{ pod: 'p1', port: 1, ready: true }]) });
    t.hosts({ 'a.example.com': route('a-00001') });
    const t1 = t.gw.table;
    assert.equal(t.gw.table, t1, 'stable while nothing changes');
    // Endpoint churn of a known revision does not touch host names.
    t.revisions({ 'default/a-00001': rev([{ pod: 'p2', port: 2, ready: true }]) });
    assert.equal(t.gw.table, t1);
    // A new revision adds cluster-local names; a protocol flip changes anyH2c.
    t.gw.apply({ type: 'revisions', seq: 50, partial: true, removed: [], revisions: { 'default/b-00001': rev([]) } });
    const t2 = t.gw.table;
    assert.notEqual(t2, t1);
    assert.equal(t2.lookup('b-00001.default.svc.cluster.local')?.kind, 'revision');
    t.gw.apply({ type: 'revisions', seq: 51, partial: true, removed: [], revisions: { 'default/b-00001': rev([], { protocol: 'h2c' }) } });
    assert.notEqual(t.gw.table, t2);
  });

  test('a revision removed while requests are held answers them 503', () => {
    const t = setup();
    t.revisions({ 'default/c-00001': rev([], { mode: 'Proxy' }) });
    t.hosts({ 'c.example.com': route('c-00001') });
    const e = t.req('c.example.com');
    t.revisions({});
    assert.equal(e.failed?.status, 503);
    assert.equal(t.gw.active, 0);
  });
});
