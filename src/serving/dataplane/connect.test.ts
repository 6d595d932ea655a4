// CONNECT through the gateway (undici's ProxyAgent tunnels even plain http://):
// known hosts get a tunnel whose requests are routed as if sent to the gateway
// with that Host; unknown hosts get a 404, never a TCP tunnel to the outside.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ProxyAgent, fetch } from 'undici';
import { DataPlaneFixture, echoHandler, revisionSpec, routeEntry, split, startUpstream, type Upstream } from './testing.js';

let f: DataPlaneFixture;
let hello: Upstream;

before(async () => {
  f = await DataPlaneFixture.start();
  hello = await startUpstream(echoHandler('hello'));
  f.revisions['default/hello-00001'] = revisionSpec([{ pod: 'hello-1', port: hello.port, ready: true }]);
  await f.pushRevisions();
  f.hosts['hello.default'] = routeEntry('hello', [split('hello-00001', 100)], { visibility: 'ClusterLocal' });
  await f.pushHosts();
});

after(async () => {
  await f.stop();
  await hello.close();
});

function rawConnect(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (/\r\n\r\n[\s\S]*\}$/.test(got)) s.destroy();
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.write(data, 'latin1');
  });
}

describe('CONNECT', () => {
  test('undici ProxyAgent fetches http://hello.default/ through the gateway', async () => {
    const agent = new ProxyAgent(`http://127.0.0.1:${f.port}`);
    try {
      for (const path of ['/', '/two']) {
        const r = await fetch(`http://hello.default${path}`, { dispatcher: agent });
        assert.equal(r.status, 200);
        const seen = (await r.json()) as { name: string; url: string; headers: Record<string, string> };
        assert.equal(seen.name, 'hello');
        assert.equal(seen.url, path);
        assert.equal(seen.headers.host, 'hello.default');
        assert.equal(seen.headers['knative-serving-revision'], 'hello-00001');
      }
    } finally {
      await agent.close();
    }
  });

  test('the tunnelled request is routed by the CONNECT target, not its own Host', async () => {
    const got = await rawConnect(f.port, 'CONNECT hello.default:80 HTTP/1.1\r\nHost: hello.default:80\r\n\r\nGET /x HTTP/1.1\r\nHost: evil.example.com\r\n\r\n');
    assert.match(got, /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    assert.equal(JSON.parse(got.slice(got.lastIndexOf('\r\n\r\n') + 4)).name, 'hello');
  });

  test('unknown hosts get 404, not a tunnel to the outside', async () => {
    const got = await rawConnect(f.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.match(got, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(got, /CONNECT example\.com:443: no Skiff route for this host/);
    assert.match(got, /Connection: close/);
  });
});
