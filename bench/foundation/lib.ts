// Shared kit for the foundation benchmarks (bench/foundation/*.bench.ts):
// sample statistics and a plain-text table (pure), plus the I/O that starts
// the systems under test as real processes on loopback — `skiff up` itself,
// or a bare API server over a memory / SQLite store (api-server-child.ts) as a
// reference — and always stops them again, even when a run fails.
// `SKIFF_BENCH_NODE_ARGS` (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is
// passed to node for the system under test, to profile it under load.
// Benchmarks are scripts, not tests: timings on a shared 2-core machine are too
// noisy to assert on, so they print numbers and the exact command instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from dist/bench/foundation/lib.js. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SKIFF_BIN = join(REPO_ROOT, 'bin', 'skiff.js');
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'api-server-child.js');
const NODE_ARGS = (process.env.SKIFF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

// ------------------------------------------------------------------ statistics (pure)

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (q in [0, 1]). NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { n: s.length, p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99), max: s.length ? s[s.length - 1]! : NaN, mean };
}

export function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 0.5);
}

/** Fixed-precision number for tables; '-' for NaN/undefined. */
export function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** Columns padded to their widest cell; numbers-looking cells are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (/^[-+×x\d.,%<>≤≥ ]+$/.test(c) && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `pass` / `MISS` against a target, for the tables. */
export function verdict(ok: boolean): string {
  return ok ? 'pass' : 'MISS';
}

/** Integer argument `--name=N` from argv, else the default. */
export function intArg(argv: readonly string[], name: string, dflt: number): number {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  if (!a) return dflt;
  const n = Number(a.slice(name.length + 3));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: want a positive integer, got "${a.slice(name.length + 3)}"`);
  return n;
}

/** The command that reproduces this run, for the report. */
export function commandLine(): string {
  const script = relative(REPO_ROOT, process.argv[1] ?? '');
  return ['node', script, ...process.argv.slice(2)].join(' ');
}

export function machineLine(): string {
  return `node ${process.version}, ${process.platform}/${process.arch}`;
}

// ------------------------------------------------------------------ systems under test (I/O)

export interface Target {
  /** Shown in tables. */
  label: string;
  api: string;
  pid: number;
  stop(): Promise<void>;
}

function waitForLine(proc: ChildProcess, match: (out: string) => string | undefined, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      const hit = match(out);
      if (hit !== undefined) done(undefined, hit);
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited early (${code}): ${out}`));
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const done = (err?: Error, v?: string) => {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.stderr?.off('data', onData);
      proc.off('exit', onExit);
      if (err) reject(err);
      else resolve(v!);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', onExit);
  });
}

function stopper(proc: ChildProcess, after?: () => void): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(kill);
        after?.();
        resolve();
      };
      if (proc.exitCode !== null || proc.signalCode !== null) return finish();
      proc.once('exit', finish);
      proc.kill('SIGTERM');
      const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    }));
}

/** Keep stdout/stderr of a started process drained (and keep the last bit for errors). */
function drain(proc: ChildProcess): void {
  proc.stdout?.resume();
  proc.stderr?.resume();
}

/** `node bin/skiff.js up` on ephemeral ports with a fresh data dir (SQLite store, agent, controllers). */
export async function startSkiffUp(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const proc = spawn(process.execPath, [...NODE_ARGS, SKIFF_BIN, 'up', '--data-dir', dataDir, '--api-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForLine(proc, (out) => (out.includes('Skiff is up') ? '' : undefined), 'skiff up', 60_000);
  } catch (e) {
    proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  drain(proc);
  const rec = JSON.parse(readFileSync(join(dataDir, 'api.json'), 'utf8')) as { api: string };
  return { label: 'skiff up (SQLite)', api: rec.api, pid: proc.pid!, stop: stopper(proc, () => rmSync(dataDir, { recursive: true, force: true })) };
}

/** A bare API server process (no agent, no controllers) over a memory or SQLite store. */
export async function startBareApiServer(store: 'memory' | 'sqlite'): Promise<Target> {
  const dataDir = store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'skiff-bench-')) : undefined;
  const proc = spawn(process.execPath, [...NODE_ARGS, CHILD, store, ...(dataDir ? [dataDir] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let api: string;
  try {
    api = await waitForLine(proc, (out) => /API (http:\/\/\S+)/.exec(out)?.[1], `bare API server (${store})`, 30_000);
  } catch (e) {
    proc.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  drain(proc);
  const cleanup = dataDir ? () => rmSync(dataDir, { recursive: true, force: true }) : undefined;
  return { label: `bare API server (${store === 'memory' ? 'memory store' : 'SQLite'})`, api, pid: proc.pid!, stop: stopper(proc, cleanup) };
}

/** Run `fn` with a started target, stopping it afterwards whatever happens. */
export async function withTarget<T>(start: () => Promise<Target>, fn: (t: Target) => Promise<T>): Promise<T> {
  const t = await start();
  const onSignal = () => void t.stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    return await fn(t);
  } finally {
    process.off('SIGINT', onSignal);
    await t.stop();
  }
}

/** utime + stime of a process in ms from /proc/<pid>/stat text (pure; clock ticks of 10 ms). */
export function parseCpuMs(statText: string, ticksPerSec = 100): number | undefined {
  const close = statText.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = statText.slice(close + 2).split(' ');
  // f[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / ticksPerSec : undefined;
}

/** CPU time a process has used so far (ms), or undefined off Linux. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return parseCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** This process's own CPU time (ms). */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads a `?watch=1` response body (one JSON event per line) and calls `onEvent`
 * for each event with `at` = performance.now() when its chunk arrived, so every
 * event in a chunk shares the chunk's arrival time.
 */
export function onWatchEvents(body: NodeJS.ReadableStream, onEvent: (ev: any, at: number, line: string) => void): void {
  let buf = '';
  body.on('data', (chunk: Buffer) => {
    const at = performance.now();
    buf += chunk.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line) onEvent(JSON.parse(line), at, line);
    }
  });
}
