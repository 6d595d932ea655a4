import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runHandler } from './probe-handlers.js';
import type { ProbeHandler } from './probes.js';

const http = (port: number, path: string, headers: Array<[string, string]> = []): ProbeHandler => ({ type: 'http', scheme: 'http', host: '127.0.0.1', port, path, headers });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

describe('HTTP probe handler', () => {
  let server: Server;
  let port: number;
  let seen: { path?: string; ua?: string; extra?: string }[] = [];
  before(async () => {
    server = createHttpServer((q, s) => {
      seen.push({ path: q.url, ua: q.headers['user-agent'], extra: q.headers['x-probe'] as string | undefined });
      if (q.url === '/hang') return; // never answers
      s.statusCode = q.url === '/fail' ? 503 : q.url === '/moved' ? 302 : 200;
      s.end('body');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('2xx and 3xx succeed; other codes fail with kubelet\'s message; headers and path are sent', async () => {
    seen = [];
    assert.deepEqual(await runHandler(http(port, '/ok', [['X-Probe', 'yes']]), 1000, undefined), { ok: true, message: '' });
    assert.deepEqual(await runHandler(http(port, '/moved'), 1000, undefined), { ok: true, message: '' });
    assert.deepEqual(await runHandler(http(port, '/fail'), 1000, undefined), { ok: false, message: 'HTTP probe failed with statuscode: 503' });
    assert.deepEqual(seen[0], { path: '/ok', ua: 'kube-probe/1.30', extra: 'yes' });
    assert.equal(seen.length, 3);
  });

  test('nothing listening: a refused connect, reported as kubelet does, and no request is sent', async () => {
    const p = await freePort();
    const r = await runHandler(http(p, '/'), 1000, undefined);
    assert.deepEqual(r, { ok: false, message: `Get "http://127.0.0.1:${p}/": dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });

  test('a server that never answers times out within the probe timeout', async () => {
    const t0 = Date.now();
    const r = await runHandler(http(port, '/hang'), 150, undefined);
    assert.equal(r.ok, false);
    assert.equal(r.message, `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    assert.ok(Date.now() - t0 < 1000);
  });

  test('a server that accepts and drops the connection fails the probe', async () => {
    const rude = createServer((s) => s.destroy());
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    const p = (rude.address() as AddressInfo).port;
    try {
      const r = await runHandler(http(p, '/'), 1000, undefined);
      assert.equal(r.ok, false);
      assert.match(r.message, new RegExp(`^Get "http://127.0.0.1:${p}/": `));
    } finally {
      rude.close();
    }
  });
});
