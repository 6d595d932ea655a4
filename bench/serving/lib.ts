// Shared kit for the Serving benchmarks (bench/serving/*.bench.ts): start
// `skiff up` as a real process (api + gateway), talk to its API with fetch
// (create/delete Knative Services, merge-patch config maps, read PA / pods /
// the /debug/skiff/autoscaler endpoint), wait for a revision to be at zero,
// and one timed GET through the gateway on a fresh connection.
// Statistics and tables come from the foundation kit.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIFF_BIN } from '../foundation/lib.js';

export const NS = 'default';
const NODE_ARGS = (process.env.SKIFF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** SKIFF_BENCH_OUT=<file>: keep the system under test's stdout/stderr there (e.g. with SKIFF_BENCH_UP_ARGS=-v). */
const OUT_FILE = process.env.SKIFF_BENCH_OUT;
const UP_ARGS = (process.env.SKIFF_BENCH_UP_ARGS ?? '').split(' ').filter(Boolean);

export interface ServingTarget {
  api: string;
  gateway: string;
  gatewayPort: number;
  pid: number;
  stop(): Promise<void>;
}

/** `node bin/skiff.js up` on ephemeral ports with a fresh data dir; stop() kills it and removes the dir. */
export async function startSkiffServing(extraArgs: string[] = []): Promise<ServingTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-serving-'));
  const proc = spawn(process.execPath, [...NODE_ARGS, SKIFF_BIN, 'up', '--data-dir', dataDir, '--api-port', '0', '--http-port', '0', ...UP_ARGS, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d: Buffer) => (out += d.toString());
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const deadline = Date.now() + 60_000;
  while (!out.includes('Skiff is up')) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`skiff up did not start: ${out}`);
    }
    await sleepMs(50);
  }
  proc.stdout!.off('data', onData);
  proc.stderr!.off('data', onData);
  if (OUT_FILE) {
    const f = createWriteStream(OUT_FILE);
    f.write(out);
    proc.stdout!.pipe(f);
    proc.stderr!.pipe(f);
  } else {
    proc.stdout!.resume();
    proc.stderr!.resume();
  }
  const rec = JSON.parse(readFileSync(join(dataDir, 'api.json'), 'utf8')) as { api: string; gateway: string };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(kill);
        rmSync(dataDir, { recursive: true, force: true });
        resolve();
      };
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      proc.once('exit', done);
      proc.kill('SIGTERM');
      const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    }));
  return { api: rec.api, gateway: rec.gateway, gatewayPort: Number(new URL(rec.gateway).port), pid: proc.pid!, stop };
}

/** Run `fn` with a started target; always stop it (also on Ctrl-C). */
export async function withServing<T>(fn: (t: ServingTarget) => Promise<T>, extraArgs: string[] = []): Promise<T> {
  const t = await startSkiffServing(extraArgs);
  const onSignal = () => void t.stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    return await fn(t);
  } finally {
    process.off('SIGINT', onSignal);
    await t.stop();
  }
}

export const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function api(t: ServingTarget, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
  const r = await fetch(`${t.api}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300 && !(method === 'DELETE' && r.status === 404)) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export const getJson = (t: ServingTarget, path: string) => api(t, 'GET', path).catch(() => undefined);

/** Merges `data` into knative-serving/<name>. */
export function patchConfigMap(t: ServingTarget, name: string, data: Record<string, string>): Promise<unknown> {
  return api(t, 'PATCH', `/api/v1/namespaces/knative-serving/configmaps/${name}`, { data }, 'application/merge-patch+json');
}

/** A Knative Service with one container and revision-template annotations. */
export function knativeService(name: string, image: string, annotations: Record<string, string>): unknown {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { template: { metadata: { annotations }, spec: { containers: [{ image }] } } },
  };
}

export function createService(t: ServingTarget, svc: unknown): Promise<unknown> {
  return api(t, 'POST', `/apis/serving.knative.dev/v1/namespaces/${NS}/services`, svc);
}

export function deleteService(t: ServingTarget, name: string): Promise<unknown> {
  return api(t, 'DELETE', `/apis/serving.knative.dev/v1/namespaces/${NS}/services/${name}`);
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleepMs(everyMs);
  }
}

/** The Service's ready revision name once Ready. */
export function serviceReady(t: ServingTarget, name: string, timeoutMs = 60_000): Promise<string> {
  return waitUntil(
    `service ${name} Ready`,
    async () => {
      const k = await getJson(t, `/apis/serving.knative.dev/v1/namespaces/${NS}/services/${name}`);
      const ready = k?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
      return ready && k.status.latestReadyRevisionName === k.status.latestCreatedRevisionName ? (k.status.latestReadyRevisionName as string) : undefined;
    },
    timeoutMs,
    100,
  );
}

export const paPath = (rev: string) => `/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/${NS}/podautoscalers/${rev}`;
export const deploymentPath = (rev: string) => `/apis/apps/v1/namespaces/${NS}/deployments/${rev}-deployment`;

export async function revisionPodCount(t: ServingTarget, rev: string): Promise<number> {
  const l = await getJson(t, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`serving.knative.dev/revision=${rev}`)}`);
  return l?.items?.length ?? -1;
}

/** The revision's PA says 0 (or -1: no decision yet) / 0, and no pod of it exists any more (terminating ones included). */
export function waitForZero(t: ServingTarget, rev: string, timeoutMs = 120_000): Promise<true> {
  return waitUntil(
    `${rev} at zero`,
    async () => {
      const pa = await getJson(t, paPath(rev));
      if (!(pa?.status?.desiredScale <= 0) || pa?.status?.actualScale !== 0) return false;
      return (await revisionPodCount(t, rev)) === 0;
    },
    timeoutMs,
    100,
  );
}

export interface TimedGet {
  status: number;
  /** ms from starting the request to the response head (first byte). */
  firstByteMs: number;
  /** ms to the end of the body. */
  totalMs: number;
  body: string;
}

/** One GET on a fresh connection (no keep-alive), timed from before connect. */
export function timedGet(port: number, path: string, host?: string): Promise<TimedGet> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: host ? { host } : {} }, (res) => {
      const firstByteMs = performance.now() - t0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, firstByteMs, totalMs: performance.now() - t0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
