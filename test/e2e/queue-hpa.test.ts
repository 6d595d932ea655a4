// The request path's queue (queue-proxy's role) and HPA-class autoscaling,
// end to end: a real `skiff up`, ksvcs of the built-in autoscale-go image
// applied with kubectl, real HTTP through the gateway and real CPU burnt by
// `?prime=` under hey.
//
// Queue: with containerConcurrency 1 a pod runs 1 request and queues 10 × CC
// more; the next one is refused with 503 `pending request queue full` by the
// pod's queue (Serve mode, target-burst-capacity 0, so the activator is out of
// the path). With the default burst capacity the activator is in the path and
// holds the excess instead (its queue is 10 000 deep), so nobody gets a 503.
// timeoutSeconds and responseStartTimeoutSeconds end a slow request with 504;
// CC 0 lets everything through at once.
//
// HPA: class hpa.autoscaling.knative.dev, metric cpu, target 30 (% of the CPU
// request): idle, the Deployment stays at its minimum of 1 (HPA never scales
// to zero); under CPU load the HPA loop, reading the pod's process CPU from
// /proc, raises it above 1. SKIFF_HPA_SYNC_PERIOD_MS (a test knob) shortens
// Kubernetes' 15 s sync period to 1 s so this fits in the test's budget.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { kubectl, run, startSkiffProcess, waitFor, type SkiffProcess } from './harness.js';
import { ok, waitKsvcReady } from './seed-serving-lib.js';

const IMAGE = 'gcr.io/knative-samples/autoscale-go';
const HEY = process.env.HEY ?? '/usr/bin/hey';

function ksvc(name: string, annotations: Record<string, string>, spec: string, container = ''): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `        ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: default
spec:
  template:
    metadata:
      name: ${name}-v1
      annotations:
${ann}
    spec:
${spec}
      containers:
      - image: ${IMAGE}
${container}
---
`;
}

const ONE_POD = { 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '1' };
const NO_BURST = { 'autoscaling.knative.dev/target-burst-capacity': '0' };

const MANIFESTS =
  // CC 1, activator out of the path: the pod's queue answers.
  ksvc('queued', { ...ONE_POD, ...NO_BURST }, '      containerConcurrency: 1') +
  // CC 1, default burst capacity 200: the activator holds the excess.
  ksvc('held', ONE_POD, '      containerConcurrency: 1') +
  ksvc('open', { ...ONE_POD, ...NO_BURST }, '      containerConcurrency: 0') +
  ksvc('deadline', ONE_POD, '      timeoutSeconds: 1') +
  ksvc('firstbyte', ONE_POD, '      timeoutSeconds: 30\n      responseStartTimeoutSeconds: 1') +
  ksvc(
    'cpu',
    {
      'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev',
      'autoscaling.knative.dev/metric': 'cpu',
      'autoscaling.knative.dev/target': '30',
      'autoscaling.knative.dev/max-scale': '3',
    },
    '      containerConcurrency: 0',
    '        resources:\n          requests:\n            cpu: 100m',
  );

interface Reply {
  status: number;
  body: string;
}

function get(port: number, host: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function burst(port: number, host: string, path: string, n: number): Promise<Reply[]> {
  return Promise.all(Array.from({ length: n }, () => get(port, host, path)));
}

function tally(replies: Reply[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of replies) {
    // "Slept for 150.42 milliseconds." → "Slept for N milliseconds."
    const k = `${r.status} ${r.body.trim().split('\n')[0].replace(/\d+(\.\d+)?/g, 'N')}`;
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

async function replicas(s: SkiffProcess, deployment: string): Promise<number> {
  const r = await kubectl(s, ['get', 'deployment', deployment, '-o', 'json']);
  return JSON.parse(ok(r, `kubectl get deployment ${deployment}`)).spec.replicas;
}

describe('queue (queue-proxy role) and HPA class through skiff up', () => {
  let s: SkiffProcess;
  let port: number;

  before(async () => {
    // Test knobs: 1 s HPA syncs, and a 5 s (not 30 s) initial readiness delay before a pod's CPU counts.
    s = await startSkiffProcess({ env: { SKIFF_HPA_SYNC_PERIOD_MS: '1000', SKIFF_HPA_INITIAL_READINESS_DELAY_MS: '5000' } });
    port = Number(new URL(s.gateway).port);
    ok(await kubectl(s, ['apply', '-f', '-'], MANIFESTS), 'kubectl apply');
    await Promise.all(['queued', 'held', 'open', 'deadline', 'firstbyte', 'cpu'].map((n) => waitKsvcReady(s, n, `${n}-v1`, 40000)));
  });

  after(async () => {
    await s?.stop();
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  test('who answers: burst capacity 0 ⇒ SKS Serve (straight to the pod queue); default 200 with CC 1 ⇒ Proxy (activator)', async () => {
    const mode = async (n: string) => JSON.parse(ok(await kubectl(s, ['get', 'serverlessservice', n, '-o', 'json']), `get sks ${n}`)).spec.mode;
    assert.equal(await mode('queued-v1'), 'Serve');
    assert.equal(await mode('held-v1'), 'Proxy');
  });

  test('CC 1: one running + 10 × CC queued all succeed', async () => {
    const replies = await burst(port, 'queued.default.example.com', '/?sleep=150', 11);
    assert.deepEqual(tally(replies), { '200 Slept for N milliseconds.': 11 });
  });

  test('CC 1, 30 at once: the pod queue refuses the rest with 503 "pending request queue full"', async () => {
    const replies = await burst(port, 'queued.default.example.com', '/?sleep=1000', 30);
    const ok200 = replies.filter((r) => r.status === 200);
    const full = replies.filter((r) => r.status === 503);
    assert.equal(ok200.length + full.length, 30, JSON.stringify(tally(replies)));
    assert.equal(ok200.length, 11, `1 running + 10 queued: ${JSON.stringify(tally(replies))}`);
    for (const r of full) assert.equal(r.body, 'pending request queue full\n');
  });

  test('CC 1 with the activator in the path (default burst capacity): the excess is held, nobody gets 503', async () => {
    const replies = await burst(port, 'held.default.example.com', '/?sleep=100', 20);
    assert.deepEqual(tally(replies), { '200 Slept for N milliseconds.': 20 });
  });

  test('CC 0 passes everything through at once', async () => {
    const t0 = Date.now();
    const replies = await burst(port, 'open.default.example.com', '/?sleep=1000', 30);
    assert.deepEqual(tally(replies), { '200 Slept for N milliseconds.': 30 });
    assert.ok(Date.now() - t0 < 4000, `30 × 1 s in parallel took ${Date.now() - t0} ms`);
  });

  test('timeoutSeconds: 1 ends a 3 s request with 504', async () => {
    const t0 = Date.now();
    const r = await get(port, 'deadline.default.example.com', '/?sleep=3000');
    assert.equal(r.status, 504);
    assert.match(r.body, /request timeout/);
    assert.ok(Date.now() - t0 < 2800, `answered after ${Date.now() - t0} ms`);
    assert.equal((await get(port, 'deadline.default.example.com', '/?sleep=10')).status, 200);
  });

  test('responseStartTimeoutSeconds: 1 ends a request whose first byte takes 3 s with 504', async () => {
    const t0 = Date.now();
    const r = await get(port, 'firstbyte.default.example.com', '/?sleep=3000');
    assert.equal(r.status, 504);
    assert.match(r.body, /request timeout/);
    assert.ok(Date.now() - t0 < 2800, `answered after ${Date.now() - t0} ms`);
  });

  test('HPA class, metric cpu: idle it stays at 1 (never 0); under CPU load it scales above 1', async () => {
    // Idle: several 1 s HPA syncs see the pod's own (near zero) CPU.
    const idle: number[] = [];
    for (let i = 0; i < 6; i++) {
      idle.push(await replicas(s, 'cpu-v1-deployment'));
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(idle, [1, 1, 1, 1, 1, 1], 'idle: min 1, never 0');
    const pa = JSON.parse(ok(await kubectl(s, ['get', 'podautoscaler', 'cpu-v1', '-o', 'json']), 'get pa'));
    assert.equal(pa.metadata.annotations?.['autoscaling.knative.dev/class'], 'hpa.autoscaling.knative.dev');

    const t0 = Date.now();
    const hey = run(HEY, ['-z', '8s', '-c', '2', '-host', 'cpu.default.example.com', `http://127.0.0.1:${port}/?prime=5000000`], { timeoutMs: 30000 });
    try {
      const n = await waitFor('the HPA to scale cpu-v1-deployment above 1', async () => {
        const r = await replicas(s, 'cpu-v1-deployment');
        return r > 1 ? r : 0;
      }, 8000, 250);
      assert.ok(n >= 2 && n <= 3, `replicas ${n} within max-scale 3`);
      assert.ok(Date.now() - t0 < 8000, `scaled up ${Date.now() - t0} ms into the load`);
    } finally {
      const h = await hey;
      assert.equal(h.code, 0, h.stderr);
      assert.match(h.stdout, /\[200\]\s+\d+ responses/);
    }
  });
});
