// Process tests: the compiled heartbeats program posting to a local sink.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { parseRfc3339 } from '../lib/go-compat.cjs';
import { startImage } from '../testing.js';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function startSink(): Promise<{ server: Server; port: number; received: Received[]; next(n: number, timeoutMs?: number): Promise<Received[]> }> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(202).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const next = (n: number, timeoutMs = 3000): Promise<Received[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sink got ${received.length} events, wanted ${n}`)), timeoutMs);
      const check = (): void => {
        if (received.length >= n) {
          clearTimeout(timer);
          resolve(received.slice(0, n));
        } else waiters.push(check);
      };
      check();
    });
  return { server, port, received, next };
}

const pod = { POD_NAME: 'containersource-heartbeat-deployment-56c7896d86-qd255', POD_NAMESPACE: 'default' };

describe('heartbeats image', { timeout: 10_000 }, () => {
  test('posts numbered heartbeats with the seed\'s attributes and extensions', async () => {
    const sink = await startSink();
    const img = await startImage('ikubernetes/containersource-heartbeats:latest', {
      env: { ...pod, K_SINK: `http://127.0.0.1:${sink.port}/` },
      args: ['--period=100ms'],
      waitForPort: false,
    });
    try {
      const [first, second] = await sink.next(2);
      for (const [i, ev] of [first!, second!].entries()) {
        assert.equal(ev.headers['ce-specversion'], '1.0');
        assert.equal(ev.headers['ce-type'], 'dev.knative.eventing.samples.heartbeat');
        assert.equal(ev.headers['ce-source'], 'https://knative.dev/eventing-contrib/cmd/heartbeats/#default/containersource-heartbeat-deployment-56c7896d86-qd255');
        assert.equal(ev.headers['ce-the'], '42');
        assert.equal(ev.headers['ce-heart'], 'yes');
        assert.equal(ev.headers['ce-beats'], 'true');
        assert.equal(ev.headers['content-type'], 'application/json');
        assert.ok(parseRfc3339(String(ev.headers['ce-time'])), 'ce-time is RFC3339');
        assert.equal(ev.body, `{"id":${i + 1},"label":""}`);
      }
      assert.notEqual(first!.headers['ce-id'], second!.headers['ce-id']);
      assert.match(img.stderr(), /Heartbeats Source: https:\/\/knative\.dev\/eventing-contrib\/cmd\/heartbeats\/#default\//);
      img.proc.kill('SIGTERM');
      assert.equal((await img.exited(1500)).code, 0);
    } finally {
      await img.kill();
      sink.server.close();
    }
  });

  test('goes through HTTP_PROXY for cluster-local sinks, K_CE_OVERRIDES applied, ONE_SHOT exits', async () => {
    const proxy = await startSink();
    const img = await startImage('ikubernetes/containersource-heartbeats', {
      env: {
        ...pod,
        K_SINK: 'http://event-display.default.svc.cluster.local',
        HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
        NO_PROXY: '127.0.0.1,localhost',
        K_CE_OVERRIDES: '{"extensions":{"the":"43","sink":"proxied"}}',
        ONE_SHOT: 'true',
      },
      args: ['--label=tick'],
      waitForPort: false,
    });
    try {
      const [ev] = await proxy.next(1);
      assert.equal(ev!.url, 'http://event-display.default.svc.cluster.local/', 'absolute-form request line');
      assert.equal(ev!.headers.host, 'event-display.default.svc.cluster.local');
      assert.equal(ev!.headers['ce-the'], '43');
      assert.equal(ev!.headers['ce-sink'], 'proxied');
      assert.equal(ev!.body, '{"id":1,"label":"tick"}');
      assert.equal((await img.exited(2000)).code, 0);
    } finally {
      await img.kill();
      proxy.server.close();
    }
  });

  test('missing POD_NAME exits 1 like envconfig\'s required check', async () => {
    const img = await startImage('ikubernetes/containersource-heartbeats', { env: { POD_NAMESPACE: 'default' }, waitForPort: false });
    assert.equal((await img.exited(3000)).code, 1);
    assert.match(img.stderr(), /required key POD_NAME missing value/);
  });
});
