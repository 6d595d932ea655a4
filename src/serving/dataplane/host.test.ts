// The main-thread handle: ephemeral port, a taken port, graceful stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDataPlane } from './host.js';
import { DataPlaneStartError, DataPlaneStoppedError } from './errors.js';
import { deferred, request, revisionSpec, startUpstream } from './testing.js';

test('port 0 → ephemeral port reported in ready; a taken port rejects ready with a coded error', async () => {
  const dp = startDataPlane({ host: '127.0.0.1', port: 0 });
  const { port } = await dp.ready;
  assert.ok(port > 0);
  const clash = startDataPlane({ host: '127.0.0.1', port });
  await assert.rejects(clash.ready, (e: unknown) => e instanceof DataPlaneStartError && /cannot listen on 127\.0\.0\.1/.test(e.message) && e.code === 'SKIFF_ERR_DATAPLANE_LISTEN' && e.errno === 'EADDRINUSE');
  await clash.stop();
  await dp.stop();
  assert.throws(() => dp.post({ type: 'drain', pod: 'x' }), DataPlaneStoppedError);
});

test('graceful stop: no new connections, the in-flight request still completes', async () => {
  const release = deferred();
  const arrived = deferred();
  const up = await startUpstream(async (_req, res) => {
    arrived.resolve();
    await release.promise;
    res.end('finished');
  });
  const dp = startDataPlane({ host: '127.0.0.1', port: 0 });
  const { port } = await dp.ready;
  await dp.apply({ type: 'revisions', revisions: { 'default/s-00001': revisionSpec([{ pod: 's', port: up.port, ready: true }]) } });
  const inflight = request(port, { host: 's-00001.default' });
  await arrived.promise;
  const stopped = dp.stop({ graceMs: 3000 });
  await new Promise((r) => setTimeout(r, 50));
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  assert.equal(refused, true, 'listener closed');
  release.resolve();
  assert.equal((await inflight).body, 'finished');
  await stopped;
  await up.close();
});

test('drain(pod) resolves true once the pod is idle, false on timeout', async () => {
  const release = deferred();
  const arrived = deferred();
  const up = await startUpstream(async (_req, res) => {
    arrived.resolve();
    await release.promise;
    res.end('ok');
  });
  const dp = startDataPlane({ host: '127.0.0.1', port: 0 });
  const { port } = await dp.ready;
  await dp.apply({ type: 'revisions', revisions: { 'default/d-00001': revisionSpec([{ pod: 'd-pod', port: up.port, ready: true }]) } });
  const inflight = request(port, { host: 'd-00001.default' });
  await arrived.promise;
  assert.equal(await dp.drain('d-pod', 50), false);
  const drained = dp.drain('d-pod', 3000);
  release.resolve();
  assert.equal(await drained, true);
  assert.equal((await inflight).status, 200);
  await dp.stop();
  await up.close();
});

test('stop cuts requests still running when the grace period ends', async () => {
  const up = await startUpstream(() => {
    /* never answers */
  });
  const dp = startDataPlane({ host: '127.0.0.1', port: 0 });
  const { port } = await dp.ready;
  const msgs: string[] = [];
  dp.on((m) => {
    if (m.type === 'stopped') msgs.push(`stopped:${m.aborted}`);
  });
  await dp.apply({ type: 'revisions', revisions: { 'default/s-00001': revisionSpec([{ pod: 's', port: up.port, ready: true }]) } });
  const inflight = request(port, { host: 's-00001.default' }).then(
    () => 'answered',
    () => 'cut',
  );
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await dp.stop({ graceMs: 200 });
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(await inflight, 'cut');
  assert.deepEqual(msgs, ['stopped:1']);
  await up.close();
});
