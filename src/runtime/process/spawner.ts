// Starting pod processes (the I/O edge, injected into the pod runner so tests
// can replace it). Every process is spawned detached — it leads its own
// session and process group, so the agent can signal the whole tree with
// kill(-pgid) — and, where util-linux `setpriv` supports it, wrapped as
// `setpriv --pdeathsig SIGKILL -- argv…`: setpriv sets the parent-death signal
// and execs the command in place (same pid), so the process dies with the
// agent even when the agent is SIGKILLed. Grandchildren do not inherit
// pdeathsig; the reaper (reaper.ts) finds them at the next start.
import { spawn as nodeSpawn, execFile } from 'node:child_process';
import { access, constants as fsConstants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { killQuietly } from './procfs.js';

export interface SpawnRequest {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Pods get /dev/null ('ignore', the default); the warm pool (warm-pool.ts) talks to its processes through a pipe. */
  stdin?: 'ignore' | 'pipe';
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  /** Also the process group id: each process leads its own group. */
  pid: number;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Only when the request asked for `stdin: 'pipe'`. */
  stdin?: Writable | null;
  exited: Promise<ExitInfo>;
}

export interface ProcessSpawner {
  /** Resolves once the process runs; rejects with SpawnError when it cannot start. */
  spawn(req: SpawnRequest): Promise<SpawnedProcess>;
  /** Signal a whole process group; quietly ignores groups that are gone. */
  signalGroup(pgid: number, signal: NodeJS.Signals): void;
}

export class SpawnError extends Error {
  readonly code = 'SKIFF_ERR_SPAWN';
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = 'SpawnError';
  }
}

/**
 * execvp's lookup, done up front so a missing executable is reported as
 * `exec: "x": executable file not found in $PATH` (the message Kubernetes users
 * see) rather than surfacing as the wrapper's exit code.
 */
export async function lookPath(cmd: string, pathEnv: string | undefined, cwd: string | undefined): Promise<string> {
  const executable = async (p: string) => {
    try {
      // Both at once: one thread-pool round trip instead of two on the way to every spawn.
      const [s] = await Promise.all([stat(p), access(p, fsConstants.X_OK)]);
      return s.isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) {
    const p = isAbsolute(cmd) ? cmd : resolvePath(cwd ?? process.cwd(), cmd);
    if (await executable(p)) return p;
    throw new SpawnError(`exec: "${cmd}": stat ${cmd}: no such file or directory`);
  }
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(isAbsolute(dir) ? dir : resolvePath(cwd ?? process.cwd(), dir), cmd);
    if (await executable(p)) return p;
  }
  throw new SpawnError(`exec: "${cmd}": executable file not found in $PATH`);
}

/** Does `setpriv --pdeathsig` work here? (util-linux ≥ 2.33 on Linux.) */
export function detectSetpriv(): Promise<string | undefined> {
  if (process.platform !== 'linux') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile('setpriv', ['--pdeathsig', 'SIGKILL', '--', 'true'], { timeout: 5000 }, (err) => resolve(err ? undefined : 'setpriv'));
  });
}

export class NodeProcessSpawner implements ProcessSpawner {
  /** @param setpriv path of setpriv to wrap commands with, or undefined for none. */
  constructor(private readonly setpriv?: string) {}

  async spawn(req: SpawnRequest): Promise<SpawnedProcess> {
    if (!req.argv.length) throw new SpawnError('no command specified');
    if (req.cwd) {
      const ok = await stat(req.cwd).then((s) => s.isDirectory(), () => false);
      if (!ok) throw new SpawnError(`chdir to cwd ("${req.cwd}") set in config.json failed: no such file or directory`);
    }
    const exe = await lookPath(req.argv[0], req.env.PATH, req.cwd);
    const argv = this.setpriv ? [this.setpriv, '--pdeathsig', 'SIGKILL', '--', exe, ...req.argv.slice(1)] : [exe, ...req.argv.slice(1)];
    return new Promise((resolve, reject) => {
      const child = nodeSpawn(argv[0], argv.slice(1), {
        env: req.env,
        cwd: req.cwd,
        detached: true,
        stdio: [req.stdin === 'pipe' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        // argv0 stays the user's command name for `ps`.
        argv0: this.setpriv ? undefined : req.argv[0],
      });
      const exited = new Promise<ExitInfo>((res) => child.once('exit', (code, signal) => res({ code, signal })));
      child.on('error', () => {}); // later errors (after start) are irrelevant: exit is what counts
      child.once('error', (err) => reject(new SpawnError(`failed to start "${req.argv[0]}": ${err.message}`, { cause: err })));
      child.once('spawn', () =>
        resolve({ pid: child.pid!, stdout: child.stdout, stderr: child.stderr, ...(req.stdin === 'pipe' ? { stdin: child.stdin } : {}), exited }),
      );
    });
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    if (pgid > 1) killQuietly(-pgid, signal);
  }
}
