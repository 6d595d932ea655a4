import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostEntry } from './protocol.js';
import { normalizeHost, parseAbsoluteTarget, pickRevision, RouteTable, unknownHostBody, WeightedSplit, isLoopbackAddress } from './routing.js';

/** Small deterministic PRNG (mulberry32) so split tests are repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rev = (revision: string, percent: number, ns = 'default') => ({
  revision,
  percent,
  headers: { 'Knative-Serving-Revision': revision, 'Knative-Serving-Namespace': ns },
});

function route(splits: HostEntry['splits'], extra: Partial<HostEntry> = {}): HostEntry {
  return { kind: 'route', namespace: 'default', name: 'hello', visibility: 'ExternalIP', splits, ingressKey: 'default/hello', ...extra };
}

describe('normalizeHost', () => {
  const cases: Array<[string, string]> = [
    ['hello.default.example.com', 'hello.default.example.com'],
    ['Hello.Default.Example.COM', 'hello.default.example.com'],
    ['hello.default:8080', 'hello.default'],
    ['hello.default.svc.cluster.local.', 'hello.default.svc.cluster.local'],
    ['HELLO.default.localhost:80', 'hello.default.localhost'],
    ['[::1]:8080', '[::1]'],
    ['127.0.0.1:1234', '127.0.0.1'],
  ];
  for (const [raw, want] of cases) test(`${raw} → ${want}`, () => assert.equal(normalizeHost(raw), want));
});

describe('parseAbsoluteTarget', () => {
  test('absolute-form with port, path and query', () => {
    assert.deepEqual(parseAbsoluteTarget('http://Hello.default:80/a/b?x=1'), { scheme: 'http', authority: 'Hello.default:80', path: '/a/b?x=1' });
  });
  test('no path becomes /; query-only keeps query', () => {
    assert.deepEqual(parseAbsoluteTarget('http://hello.default'), { scheme: 'http', authority: 'hello.default', path: '/' });
    assert.deepEqual(parseAbsoluteTarget('http://hello.default?q'), { scheme: 'http', authority: 'hello.default', path: '/?q' });
  });
  test('userinfo and fragment dropped; https reported as such', () => {
    assert.deepEqual(parseAbsoluteTarget('HTTPS://u:p@x.y/z#frag'), { scheme: 'https', authority: 'x.y', path: '/z' });
  });
  test('origin-form and asterisk-form are not absolute', () => {
    assert.equal(parseAbsoluteTarget('/path'), null);
    assert.equal(parseAbsoluteTarget('*'), null);
    assert.equal(parseAbsoluteTarget('hello.default:80'), null);
  });
});

describe('WeightedSplit', () => {
  test('1,000 picks over a 90/10 split land within ±3 points', () => {
    const s = new WeightedSplit([
      { target: 'a', percent: 90 },
      { target: 'b', percent: 10 },
    ]);
    const r = seeded(42);
    let b = 0;
    for (let i = 0; i < 1000; i++) if (s.pick(r()) === 'b') b++;
    assert.ok(Math.abs(b / 10 - 10) <= 3, `b got ${b / 10}%`);
  });
  test('boundaries: r just below 0.9 → a, at 0.9 → b; 0 % targets never picked', () => {
    const s = new WeightedSplit([
      { target: 'a', percent: 90 },
      { target: 'z', percent: 0 },
      { target: 'b', percent: 10 },
    ]);
    assert.equal(s.size, 2);
    assert.equal(s.pick(0), 'a');
    assert.equal(s.pick(0.8999), 'a');
    assert.equal(s.pick(0.9), 'b');
    assert.equal(s.pick(0.99999), 'b');
  });
  test('single target and empty split', () => {
    assert.equal(new WeightedSplit([{ target: 'x', percent: 100 }]).pick(0.7), 'x');
    assert.equal(new WeightedSplit<string>([]).pick(0.5), undefined);
  });
});

describe('RouteTable', () => {
  const revisions = new Map<string, 'http1' | 'h2c'>([
    ['default/hello-00001', 'http1'],
    ['default/hello-00002', 'http1'],
    ['default/grpc-00001', 'h2c'],
  ]);
  const table = new RouteTable({
    hosts: {
      'hello.default.example.com': route([rev('hello-00001', 90), rev('hello-00002', 10)], {
        tagHeaders: { v2: [rev('hello-00002', 100)] },
        appendHeaders: { 'Knative-Serving-Default-Route': 'true' },
      }),
      'hello.default': route([rev('hello-00001', 90), rev('hello-00002', 10)], { visibility: 'ClusterLocal' }),
      'v2-hello.default.example.com': route([rev('hello-00002', 100)], { tag: 'v2' }),
      'grpc.default.example.com': route([rev('grpc-00001', 100)], { name: 'grpc' }),
      'www.mydomain.test': route([], { name: 'www.mydomain.test', rewriteHost: 'hello.default.svc.cluster.local' }),
    },
    revisions,
    services: ['default/event-display', 'default/hello-00001'],
    staticBackends: {
      'broker-ingress.knative-eventing.svc.cluster.local': 'http://127.0.0.1:9000',
      '*-kn-channel.*.svc.cluster.local': 'http://127.0.0.1:9001/ch',
    },
  });

  test('exact host, with split headers precomputed and appendHeaders on the default path', () => {
    const h = table.lookup('hello.default.example.com')!;
    assert.equal(h.kind, 'route');
    const t = pickRevision(h, null, 0.5)!;
    assert.equal(t.key, 'default/hello-00001');
    assert.equal(
      t.headerLines,
      'Knative-Serving-Revision: hello-00001\r\nKnative-Serving-Namespace: default\r\nKnative-Serving-Default-Route: true\r\n',
    );
    assert.equal(pickRevision(h, null, 0.95)!.key, 'default/hello-00002');
  });
  test('tag header routes to the tag split; unknown tag falls back to the default split', () => {
    const h = table.lookup('hello.default.example.com')!;
    assert.equal(pickRevision(h, 'v2', 0.1)!.key, 'default/hello-00002');
    assert.equal(pickRevision(h, 'v2', 0.1)!.headerLines.includes('Default-Route'), false);
    assert.equal(pickRevision(h, 'nope', 0.1)!.key, 'default/hello-00001');
  });
  test('tag host and .localhost aliases (route and tag forms)', () => {
    assert.equal(pickRevision(table.lookup('v2-hello.default.example.com')!, null, 0.1)!.key, 'default/hello-00002');
    assert.equal(table.lookup('hello.default.localhost')!.kind, 'route');
    assert.equal(pickRevision(table.lookup('v2-hello.default.localhost')!, null, 0.1)!.key, 'default/hello-00002');
    assert.equal(table.lookup('grpc.default.localhost')!.anyH2c, true);
    assert.equal(table.lookup('hello.default.localhost')!.anyH2c, false);
    // cluster-local and domain-mapping entries get no alias of their own
    assert.equal(table.lookup('www.mydomain.test.localhost'), null);
  });
  test('revision host names are derived from the revisions snapshot and win over services', () => {
    for (const h of ['hello-00001.default', 'hello-00001.default.svc', 'hello-00001.default.svc.cluster.local']) {
      const c = table.lookup(h)!;
      assert.equal(c.kind, 'revision', h);
      assert.equal(c.visibility, 'ClusterLocal');
      assert.equal(pickRevision(c, null, 0.99)!.key, 'default/hello-00001');
    }
  });
  test('plain services resolve to their key', () => {
    const c = table.lookup('event-display.default.svc.cluster.local')!;
    assert.equal(c.kind, 'service');
    assert.equal(c.serviceKey, 'default/event-display');
  });
  test('static exact and wildcard patterns', () => {
    const b = table.lookup('broker-ingress.knative-eventing.svc.cluster.local')!;
    assert.equal(b.kind, 'static');
    assert.deepEqual(b.staticBackend, { url: 'http://127.0.0.1:9000', address: '127.0.0.1', port: 9000, pathPrefix: '' });
    const c = table.lookup('imc01-kn-channel.default.svc.cluster.local')!;
    assert.equal(c.staticBackend!.port, 9001);
    assert.equal(c.staticBackend!.pathPrefix, '/ch');
    assert.equal(table.lookup('a.b-kn-channel.default.svc.cluster.local'), null);
  });
  test('domain mapping keeps rewriteHost; unknown host is null with a helpful body', () => {
    assert.equal(table.lookup('www.mydomain.test')!.rewriteHost, 'hello.default.svc.cluster.local');
    assert.equal(table.lookup('nope.example.com'), null);
    assert.equal(unknownHostBody('nope.example.com'), 'no Skiff route for host "nope.example.com"; list routes with: skiff route list -A\n');
  });
  test('loopback detection', () => {
    assert.equal(isLoopbackAddress('127.0.0.1'), true);
    assert.equal(isLoopbackAddress('::ffff:127.0.0.1'), true);
    assert.equal(isLoopbackAddress('::1'), true);
    assert.equal(isLoopbackAddress('10.0.0.2'), false);
  });
});
