// Shared kit for the Serving control-plane benchmarks (bench/serving/control-plane-*.bench.ts):
// starting `node bin/skiff.js up` as a user does (API + gateway URLs, optional
// extra node flags for profiling), a keep-alive gateway probe by Host header,
// counting Ready Knative Services through the API, YAML generation, and the
// Skiff process's RSS from /proc (optionally after a forced GC through the
// inspector, so the number is the live set and not garbage not yet collected).
// Statistics and tables come from bench/foundation/lib.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { SKIFF_BIN } from '../foundation/lib.js';

export { SKIFF_BIN };
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const NODE_ARGS = (process.env.SKIFF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface Skiff {
  proc: ChildProcess;
  pid: number;
  dataDir: string;
  api: string;
  gateway: string;
  kubeconfig: string;
  /** ws:// URL of the inspector when started with `inspect: true`. */
  inspector?: string;
  stop(): Promise<void>;
}

export async function startSkiff(opts: { inspect?: boolean } = {}): Promise<Skiff> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-cp-bench-'));
  const args = [...NODE_ARGS, ...(opts.inspect ? ['--inspect=127.0.0.1:0'] : []), SKIFF_BIN, 'up', '--data-dir', dataDir, '--api-port', '0', '--http-port', '0'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const deadline = Date.now() + 60_000;
  while (!out.includes('Skiff is up')) {
    if (proc.exitCode !== null) throw new Error(`skiff up exited early (${proc.exitCode}): ${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`skiff up did not start: ${out}`);
    }
    await sleep(20);
  }
  const rec = JSON.parse(readFileSync(join(dataDir, 'api.json'), 'utf8')) as { api: string; gateway: string };
  const kubeconfig = join(dataDir, 'bench-kubeconfig');
  const kc = await exec(process.execPath, [SKIFF_BIN, 'kubeconfig', '--api', rec.api]);
  writeFileSync(kubeconfig, kc.stdout);
  const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(out)?.[1];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(killTimer);
        rmSync(dataDir, { recursive: true, force: true });
        resolve();
      };
      if (proc.exitCode !== null || proc.signalCode !== null) return finish();
      proc.once('exit', finish);
      proc.kill('SIGTERM');
      const killTimer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    }));
  return { proc, pid: proc.pid!, dataDir, api: rec.api, gateway: rec.gateway, kubeconfig, ...(inspector ? { inspector } : {}), stop };
}

/** Run `fn` with a started Skiff, stopping it afterwards whatever happens. */
export async function withSkiff<T>(opts: { inspect?: boolean }, fn: (s: Skiff) => Promise<T>): Promise<T> {
  const s = await startSkiff(opts);
  const onSignal = () => void s.stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    return await fn(s);
  } finally {
    process.off('SIGINT', onSignal);
    await s.stop();
  }
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

export function kubectl(s: Skiff, args: string[], input?: string, timeoutMs = 120_000): Promise<ExecResult> {
  return exec(KUBECTL, ['--request-timeout=120s', ...args], { env: { KUBECONFIG: s.kubeconfig }, timeoutMs, ...(input !== undefined ? { input } : {}) });
}

const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One GET through the gateway with the given Host; resolves to the status (0 on a socket error). */
export function gatewayGet(gateway: string, host: string): Promise<{ status: number; body: string }> {
  const u = new URL(gateway);
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: u.port, path: '/', method: 'GET', headers: { host }, agent: probeAgent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

export function closeProbes(): void {
  probeAgent.destroy();
}

interface KService {
  metadata: { name: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> };
}

/** Names of the Ready Knative Services in a namespace (Ready=True at the current generation). */
export async function readyServices(api: string, ns: string): Promise<Set<string>> {
  const r = await fetch(`${api}/apis/serving.knative.dev/v1/namespaces/${ns}/services`);
  if (r.status !== 200) throw new Error(`list services: HTTP ${r.status}`);
  const list = (await r.json()) as { items: KService[] };
  const ready = new Set<string>();
  for (const ks of list.items) {
    const c = ks.status?.conditions?.find((x) => x.type === 'Ready');
    if (c?.status === 'True' && ks.status?.observedGeneration === ks.metadata.generation) ready.add(ks.metadata.name);
  }
  return ready;
}

/** Poll until `count` services whose names start with `prefix` are Ready; resolves to ms waited, or throws on timeout. */
export async function waitAllReady(api: string, ns: string, prefix: string, count: number, timeoutMs: number, everyMs = 100): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const ready = await readyServices(api, ns);
    let n = 0;
    for (const name of ready) if (name.startsWith(prefix)) n++;
    if (n >= count) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`only ${n}/${count} services Ready after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** A multi-document YAML of `count` helloworld Services named `${prefix}${i}`. */
export function servicesYaml(prefix: string, count: number, annotations: Record<string, string>): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `        ${k}: ${JSON.stringify(v)}\n`)
    .join('');
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(
      `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${prefix}${i}
spec:
  template:
    metadata:
      annotations:
${ann}    spec:
      containers:
        - image: ikubernetes/helloworld-go
          env:
            - name: TARGET
              value: "bench ${i}"
`,
    );
  }
  return docs.join('---\n');
}

/** VmRSS / VmHWM of a process in kB from /proc/<pid>/status text (pure). */
export function parseVmStatus(text: string): { rssKb: number; hwmKb: number } {
  const pick = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: pick('VmRSS'), hwmKb: pick('VmHWM') };
}

export function vmStatus(pid: number): { rssKb: number; hwmKb: number } {
  return parseVmStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Direct children of a process (pods still running), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Through the inspector: force a full GC (twice, so finalizers' garbage goes too)
 * and read process.memoryUsage() inside Skiff. Worker threads (the data plane)
 * are reached through the NodeWorker domain: GC'd too, and their isolates'
 * heapUsed summed into `workerHeapUsed` (RSS counts them; the main isolate's
 * memoryUsage does not).
 */
export async function gcAndMemoryUsage(
  inspectorUrl: string,
  opts: { heapSnapshotDir?: string } = {},
): Promise<{ rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; snapshot?: string; workerHeapUsed?: number }> {
  const ws = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`inspector ${inspectorUrl}: connection failed`)));
  });
  let nextId = 1;
  const pending = new Map<number, (v: any) => void>();
  const workers: string[] = [];
  const workerPending = new Map<string, (v: any) => void>();
  ws.addEventListener('message', (ev) => {
    const m = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; method?: string; params?: any };
    if (m.id !== undefined) pending.get(m.id)?.(m.result);
    else if (m.method === 'NodeWorker.attachedToWorker') workers.push(m.params.sessionId);
    else if (m.method === 'NodeWorker.receivedMessageFromWorker') {
      const inner = JSON.parse(m.params.message) as { id?: number; result?: unknown };
      if (inner.id !== undefined) workerPending.get(`${m.params.sessionId}:${inner.id}`)?.(inner.result);
    }
  });
  const callWorker = (sessionId: string, method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const id = nextId++;
      workerPending.set(`${sessionId}:${id}`, resolve);
      ws.send(JSON.stringify({ id: nextId++, method: 'NodeWorker.sendMessageToWorker', params: { sessionId, message: JSON.stringify({ id, method, params }) } }));
    });
  const call = (method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await sleep(200); // attachedToWorker events arrive after the reply
    let workerHeapUsed: number | undefined;
    for (const sid of workers) {
      await callWorker(sid, 'HeapProfiler.collectGarbage');
      const r = await callWorker(sid, 'Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
      if (typeof r?.result?.value === 'number') workerHeapUsed = (workerHeapUsed ?? 0) + r.result.value;
    }
    await call('HeapProfiler.collectGarbage');
    await sleep(200);
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const usage = JSON.parse(r.result.value);
    if (workerHeapUsed !== undefined) usage.workerHeapUsed = workerHeapUsed;
    if (opts.heapSnapshotDir) {
      // Main isolate only (the data-plane worker has its own heap; see --worker-heap in the docs).
      const dir = JSON.stringify(opts.heapSnapshotDir);
      const w = await call('Runtime.evaluate', {
        expression: `process.getBuiltinModule('v8').writeHeapSnapshot(require('path').join(${dir}, 'skiff-' + process.pid + '.heapsnapshot'))`.replace("require('path')", "process.getBuiltinModule('path')"),
        returnByValue: true,
      });
      usage.snapshot = w.result?.value;
    }
    return usage;
  } finally {
    ws.close();
  }
}

export function loadLine(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
