// Helpers for end-to-end tests that start Skiff the way a user does
// (`node bin/skiff.js up`) and drive it with real clients.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SKIFF_BIN = join(REPO_ROOT, 'bin', 'skiff.js');
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

export interface SkiffProcess {
  proc: ChildProcess;
  dataDir: string;
  api: string;
  gateway: string;
  kubeconfig: string;
  output(): string;
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function tempDir(prefix = 'skiff-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function startSkiffProcess(opts: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<SkiffProcess> {
  const dataDir = opts.dataDir ?? tempDir();
  const proc = spawn(process.execPath, [SKIFF_BIN, 'up', '--data-dir', dataDir, '--api-port', '0', '--http-port', '0', ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  await waitFor(`skiff up to print its banner (output so far: ${out})`, () => out.includes('Skiff is up') || proc.exitCode !== null, 30000);
  if (proc.exitCode !== null) throw new Error(`skiff up exited early (${proc.exitCode}): ${out}`);
  const rec = JSON.parse(readFileSync(join(dataDir, 'api.json'), 'utf8'));
  const kubeconfig = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfig, await run(process.execPath, [SKIFF_BIN, 'kubeconfig', '--api', rec.api]).then((r) => r.stdout));
  return {
    proc,
    dataDir,
    api: rec.api,
    gateway: rec.gateway,
    kubeconfig,
    output: () => out,
    async stop(signal = 'SIGTERM', timeoutMs = 40000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 30000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) {
      child.stdin!.end(opts.input);
    }
  });
}

export function kubectl(s: SkiffProcess, args: string[], input?: string): Promise<RunResult> {
  return run(KUBECTL, ['--request-timeout=20s', ...args], { env: { KUBECONFIG: s.kubeconfig }, input });
}

export function skiffCli(s: SkiffProcess, args: string[], input?: string): Promise<RunResult> {
  return run(process.execPath, [SKIFF_BIN, '--api', s.api, ...args], { input });
}

export async function getJson(s: SkiffProcess, path: string): Promise<any> {
  const r = await fetch(`${s.api}${path}`);
  return r.status === 200 ? r.json() : undefined;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function fileExists(p: string): boolean {
  return existsSync(p);
}
