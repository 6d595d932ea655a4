import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerError, UnreachableError } from './errors.js';
import { KubeClient, TABLE_ACCEPT, type WatchEvent } from './http.js';

describe('KubeClient', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  const hits: string[] = [];
  const accepts: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      accepts.push(String(req.headers.accept));
      const url = new URL(req.url!, 'http://x');
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/api') return json(200, { versions: ['v1'] });
      if (url.pathname === '/apis') return json(200, { groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] });
      if (url.pathname === '/api/v1') return json(200, { groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'] }] });
      if (url.pathname === '/apis/apps/v1') return json(200, { groupVersion: 'apps/v1', resources: [{ name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true }] });
      if (url.pathname === '/api/v1/namespaces/default/pods/missing')
        return json(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "missing" not found' });
      if (url.pathname === '/api/v1/namespaces/default/pods/p1/log') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(`params ${url.searchParams.toString()}\n`);
        setTimeout(() => res.end('second chunk\n'), 20);
        return;
      }
      if (url.pathname === '/api/v1/namespaces/default/pods' && url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'a' } } })}\n{"type":"MODI`);
        setTimeout(() => {
          res.write(`FIED","object":{"kind":"Pod","metadata":{"name":"a"}}}\n\n`);
          res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`);
        }, 10);
        return;
      }
      json(404, {});
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('discovery is fetched once per client; connections are kept alive', async () => {
    const c = new KubeClient(base);
    hits.length = 0;
    const before = connections;
    const d1 = await c.discovery();
    const d2 = await c.discovery();
    assert.equal(d1, d2);
    assert.deepEqual(hits.sort(), ['GET /api', 'GET /api/v1', 'GET /apis', 'GET /apis/apps/v1']);
    assert.equal(d1.resolve('po').name, 'pods');
    const pods = d1.resolve('pods');
    for (let i = 0; i < 5; i++) await c.tryGet(pods, 'default', 'missing');
    // Discovery ran in parallel (a few sockets); the sequential gets reused them.
    assert.ok(connections - before <= 4, `opened ${connections - before} connections`);
    await c.close();
  });

  test('Status errors become ServerError; tryGet answers undefined on 404; Table accept header', async () => {
    const c = new KubeClient(base);
    const pods = (await c.discovery()).resolve('pods');
    await assert.rejects(c.get(pods, 'default', 'missing'), (e: unknown) => e instanceof ServerError && e.render() === 'Error from server (NotFound): pods "missing" not found');
    assert.equal(await c.tryGet(pods, 'default', 'missing'), undefined);
    accepts.length = 0;
    await assert.rejects(c.table(pods, 'default', 'missing'));
    assert.equal(accepts[0], TABLE_ACCEPT);
    await c.close();
  });

  test('watch splits JSON lines across chunks and surfaces ERROR events', async () => {
    const c = new KubeClient(base);
    const pods = (await c.discovery()).resolve('pods');
    const seen: WatchEvent[] = [];
    await assert.rejects(
      c.watch(pods, 'default', { resourceVersion: '5' }, (ev) => {
        seen.push(ev);
      }),
      (e: unknown) => e instanceof ServerError && e.status === 410,
    );
    assert.deepEqual(
      seen.map((e) => e.type),
      ['ADDED', 'MODIFIED'],
    );
    assert.ok(hits.some((h) => h.includes('watch=1') && h.includes('resourceVersion=5')));
    await c.close();
  });

  test('logs stream with container, follow, tailLines and previous', async () => {
    const c = new KubeClient(base);
    const stream = await c.logs('default', 'p1', { container: 'user-container', follow: true, tailLines: 3, previous: true });
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    assert.equal(text, 'params container=user-container&follow=true&tailLines=3&previous=true\nsecond chunk\n');
    await c.close();
  });

  test('a closed port is UnreachableError naming the URL', async () => {
    const c = new KubeClient('http://127.0.0.1:9');
    await assert.rejects(c.version(), (e: unknown) => e instanceof UnreachableError && e.url === 'http://127.0.0.1:9');
    await c.close();
  });
});
