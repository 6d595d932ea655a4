// Process tests: the compiled helloworld program, started as the node agent starts it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBuiltinImage } from '../registry.js';
import { freePort, spawnUnderDisposableParent, startImage, waitUntilGone } from '../testing.js';

describe('helloworld image', { timeout: 10_000 }, () => {
  test('answers "Hello World!" like the Go sample, on any path and method', async () => {
    const img = await startImage('ikubernetes/helloworld-go:latest');
    try {
      const res = await fetch(img.url('/'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await res.text(), 'Hello World!\n');
      const post = await fetch(img.url('/some/path?x=1'), { method: 'POST', body: 'ignored' });
      assert.equal(await post.text(), 'Hello World!\n');
      assert.match(img.stderr(), /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d helloworld: starting server\.\.\.\n/);
      assert.match(img.stderr(), /helloworld: received a request\n/);
    } finally {
      await img.kill();
    }
  });

  test('TARGET changes the greeting; SIGTERM exits 0 within a second', async () => {
    const img = await startImage('gcr.io/knative-samples/helloworld-go', { env: { TARGET: 'World-002' } });
    try {
      assert.equal(await (await fetch(img.url('/'))).text(), 'Hello World-002!\n');
      const t0 = Date.now();
      img.proc.kill('SIGTERM');
      const status = await img.exited(1500);
      assert.deepEqual(status, { code: 0, signal: null });
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    } finally {
      await img.kill();
    }
  });

  test('exits on its own within ~2 s once its parent dies', async () => {
    const image = resolveBuiltinImage('ikubernetes/helloworld-go')!;
    const port = await freePort();
    const { pid, killParent } = await spawnUnderDisposableParent(image.command, { PATH: process.env.PATH ?? '', PORT: String(port) });
    // Serving means its parent watch is armed (it starts before listen).
    for (let i = 0; i < 250; i++) {
      if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    killParent();
    const took = await waitUntilGone(pid, 2500);
    assert.ok(took <= 2500, `took ${took} ms`);
  });
});
