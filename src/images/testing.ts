// Test support for the built-in images: start an image exactly as the node agent would (resolved
// through the registry, argv from builtinImageArgv, $PORT set, a clean environment) and observe it:
// wait for its port, collect stdout/stderr, await its exit. Used by the images' process tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { builtinImageArgv, resolveBuiltinImage, type ContainerCommand } from './registry.js';

/** A free TCP port on 127.0.0.1 (the OS picks it; other helpers share this machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningImage {
  readonly proc: ChildProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once `predicate(stdout)` holds; rejects after `timeoutMs`. */
  waitForStdout(predicate: (out: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited; rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<ExitStatus>;
  /** SIGKILLs the process if it still runs and waits for it. */
  kill(): Promise<void>;
}

export interface StartOptions extends ContainerCommand {
  env?: Record<string, string>;
  /** Wait until the port accepts connections (default true). */
  waitForPort?: boolean;
}

function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string, onChange: (cb: () => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const now = check();
    if (now !== undefined) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = onChange(() => {
      const v = check();
      if (v !== undefined) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}

/** Starts the built-in image for `imageRef` on a free port. */
export async function startImage(imageRef: string, opts: StartOptions = {}): Promise<RunningImage> {
  const image = resolveBuiltinImage(imageRef);
  if (!image) throw new Error(`no built-in image for ${imageRef}`);
  const port = await freePort();
  const [cmd, ...args] = builtinImageArgv(image, opts);
  // A clean environment: no proxy or NODE_OPTIONS leaking in from the machine running the tests.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...image.env, ...opts.env, PORT: String(port) };
  const proc = spawn(cmd!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let status: ExitStatus | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  const subscribe = (cb: () => void): (() => void) => {
    listeners.add(cb);
    return () => listeners.delete(cb);
  };
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    notify();
  });
  proc.on('exit', (code, signal) => {
    status = { code, signal };
    notify();
  });

  const running: RunningImage = {
    proc,
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (predicate, timeoutMs = 3000) =>
      waitFor(() => (predicate(out) ? out : undefined), timeoutMs, `stdout of ${image.name} (so far: ${JSON.stringify(out)})`, subscribe),
    exited: (timeoutMs = 3000) => waitFor(() => status, timeoutMs, `${image.name} to exit`, subscribe),
    kill: async () => {
      if (!status) proc.kill('SIGKILL');
      await running.exited(3000);
    },
  };

  if (opts.waitForPort ?? true) {
    const deadline = Date.now() + 5000;
    for (;;) {
      if (status) throw new Error(`${image.name} exited (${JSON.stringify(status)}) before listening; stderr: ${err}`);
      const ok = await new Promise<boolean>((resolve) => {
        const sock = connect(port, '127.0.0.1');
        sock.once('connect', () => {
          sock.destroy();
          resolve(true);
        });
        sock.once('error', () => resolve(false));
      });
      if (ok) break;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`${image.name} did not listen on ${port} within 5 s; stderr: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return running;
}

/**
 * True while a process with this pid runs. A zombie (exited, not yet reaped by whatever adopted
 * it — not every init reaps promptly) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 succeeded, so it exists
  }
}

/** Polls until `pid` is gone; resolves with the time it took (ms), rejects after `timeoutMs`. */
export async function waitUntilGone(pid: number, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (isAlive(pid)) {
    if (Date.now() - start > timeoutMs) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

/**
 * Starts `argv` under a throw-away parent process and returns the grandchild's pid plus a way to
 * SIGKILL the parent — to check that an image notices its parent (Skiff) is gone.
 */
export async function spawnUnderDisposableParent(argv: readonly string[], env: Record<string, string>): Promise<{ pid: number; killParent(): void }> {
  const script = `
    const c = require('node:child_process').spawn(${JSON.stringify(argv[0])}, ${JSON.stringify(argv.slice(1))},
      { env: ${JSON.stringify(env)}, stdio: 'ignore' });
    process.stdout.write(String(c.pid) + '\\n');
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let buf = '';
    parent.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) resolve(Number(buf.trim()));
    });
    parent.once('exit', () => reject(new Error('disposable parent exited early')));
  });
  return { pid, killParent: () => parent.kill('SIGKILL') };
}
