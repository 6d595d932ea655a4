// The warm pool: node runtimes booted ahead of time for Skiff's built-in images, so a cold start
// (a request to a revision at zero) does not wait for node's own ~40 ms boot. Each warm process
// runs warm-node-bootstrap.cjs — started through the real spawner, so it leads its own process
// group and carries setpriv's pdeathsig like any pod — and waits on a stdin pipe; a pod spawn
// that qualifies is handed an idle one by writing `{argv, env, cwd}` to it, and the program runs
// in that very process (same pid/group, stdout/stderr pipes already attached).
//
// What differs from a fresh spawn, and how it is contained:
//  - `ps` shows `node …/warm-node-bootstrap.cjs` until the assignment sets process.title (to the
//    pod's argv, truncated to the bootstrap's argv length); /proc/<pid>/environ keeps the warm
//    process's start-up environment (the program's process.env is exactly the pod's). Nothing
//    in Skiff relies on either for the main process: pid files and process groups track it, and
//    the warm environment carries SKIFF_AGENT_ID so the start-up reaper finds leftovers.
//  - The preloaded modules (node:http, the images' lib/*.cjs) are already in require.cache, and
//    node's HTTP server and client code has run once (a loopback request to a throw-away server),
//    so it is compiled: a warm helloworld answers ~5 ms after its assignment instead of ~35 ms.
//  - Variables node (or libc / OpenSSL / ICU) reads only at start-up cannot be changed later:
//    a request whose value for one of them differs from the warm environment's gets a fresh
//    spawn (isStartupOnlyEnv lists them; NODE_PATH and HOME are re-read, TZ is honoured live).
//  - Only `[process.execPath, <images dir>/…/*.cjs, …args]` is pooled: no node flags, no user
//    programs. Everything else is passed to the inner spawner untouched, as is a request whose
//    cwd is not a directory (so the error is the inner spawner's).
// Refill: after a take, one new warm process starts REFILL_DELAY_MS later, not at once — its boot
// (a full core for ~40 ms) would otherwise compete with the pod that just started answering its
// first request. A warm process that dies while idle is replaced with exponential back-off (no
// hot loop when node cannot start). close() kills the idle ones; an idle one also exits by
// itself when its stdin pipe closes (Skiff gone) and dies with Skiff through pdeathsig.
import { stat } from 'node:fs/promises';
import { isAbsolute, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as _bootstrap from './warm-node-bootstrap.cjs'; // puts the .cts in the build (tsconfig globs *.ts)
import { silentLogger, type Logger } from '../deps.js';
import type { ProcessSpawner, SpawnedProcess, SpawnRequest } from './spawner.js';

/** Default pause between taking a warm process and starting its replacement (see the module comment). */
export const REFILL_DELAY_MS = 200;
/** Must match the bootstrap's bound on an assignment line. */
export const MAX_ASSIGNMENT_BYTES = 8 * 1024 * 1024;

/** The compiled built-in images (dist/src/images/), whose programs are the only ones pooled. */
export const DEFAULT_IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));
export const BOOTSTRAP_PATH = fileURLToPath(new URL('./warm-node-bootstrap.cjs', import.meta.url));

/** NODE_* variables node reads while running (or re-read by the bootstrap): these do not force a fresh spawn. */
const RUNTIME_NODE_VARS = new Set(['NODE_ENV', 'NODE_PATH', 'NODE_TLS_REJECT_UNAUTHORIZED']);
const STARTUP_ONLY_VARS = new Set(['OPENSSL_CONF', 'OPENSSL_MODULES', 'OPENSSL_ENGINES', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GLIBC_TUNABLES', 'LANG', 'LANGUAGE', 'RES_OPTIONS', 'LOCALDOMAIN']);

/**
 * Is `key` read only when a node process starts (so a warm process cannot take a new value)?
 * Every NODE_* except NODE_ENV/NODE_PATH/NODE_TLS_REJECT_UNAUTHORIZED (NODE_OPTIONS,
 * NODE_EXTRA_CA_CERTS, NODE_ICU_DATA, NODE_DEBUG, … — unknown ones too, to be safe), UV_*
 * (UV_THREADPOOL_SIZE), the dynamic loader's and malloc's (LD_*, MALLOC_*, GLIBC_TUNABLES),
 * OpenSSL's, the locale (LANG, LANGUAGE, LC_*: ICU/libc may have read them at boot) and c-ares'
 * (RES_OPTIONS, LOCALDOMAIN: the bootstrap's HTTP warm-up loads node's DNS module).
 */
export function isStartupOnlyEnv(key: string): boolean {
  if (key.startsWith('NODE_')) return !RUNTIME_NODE_VARS.has(key);
  return key.startsWith('UV_') || key.startsWith('LD_') || key.startsWith('MALLOC_') || key.startsWith('LC_') || STARTUP_ONLY_VARS.has(key);
}

/**
 * Can `req` run in a warm process booted with `warmEnv`? Pure (the cwd's existence is checked
 * by the pool): argv is `[execPath, <program under imagesDir>.cjs, …args]` and every start-up-only
 * variable has the same value (or absence) in both environments.
 */
export function isWarmEligible(req: SpawnRequest, imagesDir: string, warmEnv: Readonly<Record<string, string>> = {}, execPath = process.execPath): boolean {
  const [exe, script] = req.argv;
  if (exe !== execPath || script === undefined || req.stdin === 'pipe') return false;
  const dir = imagesDir.endsWith(sep) ? imagesDir : imagesDir + sep;
  if (!isAbsolute(script) || normalize(script) !== script || !script.startsWith(dir) || !script.endsWith('.cjs')) return false;
  for (const k in req.env) if (isStartupOnlyEnv(k) && req.env[k] !== warmEnv[k]) return false;
  for (const k in warmEnv) if (isStartupOnlyEnv(k) && !(k in req.env)) return false;
  return true;
}

export interface WarmPoolOptions {
  /** The real spawner: starts the warm processes and every request the pool does not take. */
  inner: ProcessSpawner;
  /** Idle warm processes to keep (default 1; 0 = off: pure delegation). */
  size?: number;
  /** Environment the warm processes boot with (the agent's base env plus its SKIFF_AGENT_ID). */
  env: Record<string, string>;
  /** Programs under this directory are pooled (default: the compiled built-in images). */
  imagesDir?: string;
  /** The bootstrap program (default: the compiled warm-node-bootstrap.cjs beside this module). */
  bootstrapPath?: string;
  /** Pause before replacing a taken warm process (default REFILL_DELAY_MS). */
  refillDelayMs?: number;
  /** Back-off after a warm process fails to start or dies idle: doubling from `initialMs` up to `maxMs` (default 1 s … 60 s). */
  backoff?: { initialMs: number; maxMs: number };
  logger?: Logger;
}

interface WarmProcess {
  proc: SpawnedProcess;
  bornMs: number;
}

/** A warm process that lived this long before dying idle resets the back-off. */
const HEALTHY_LIFETIME_MS = 10_000;

export class WarmPoolSpawner implements ProcessSpawner {
  readonly size: number;
  private readonly inner: ProcessSpawner;
  private readonly env: Record<string, string>;
  private readonly imagesDir: string;
  private readonly bootstrapPath: string;
  private readonly refillDelayMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly logger: Logger;
  private readonly idle: WarmProcess[] = [];
  private starting = 0;
  private readonly startingNow = new Set<Promise<void>>();
  private failures = 0;
  private running = false;
  private timer?: NodeJS.Timeout;
  private timerAt = 0;
  private taken = 0;

  constructor(opts: WarmPoolOptions) {
    this.inner = opts.inner;
    this.size = Math.max(0, Math.floor(opts.size ?? 1));
    this.env = { ...opts.env };
    this.imagesDir = opts.imagesDir ?? DEFAULT_IMAGES_DIR;
    this.bootstrapPath = opts.bootstrapPath ?? BOOTSTRAP_PATH;
    this.refillDelayMs = opts.refillDelayMs ?? REFILL_DELAY_MS;
    this.backoff = opts.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    this.logger = opts.logger ?? silentLogger;
  }

  /** Boot the pool's warm processes (call once the reaper has run: they carry the agent's marker). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.fill();
  }

  /** Kill the idle warm processes and stop refilling; resolves once they are gone. Taken ones are pods: untouched. */
  async close(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const idle = this.idle.splice(0);
    for (const w of idle) this.inner.signalGroup(w.proc.pid, 'SIGKILL');
    await Promise.all([...idle.map((w) => w.proc.exited), ...this.startingNow]); // one being started is killed as it comes up
  }

  /** Idle warm processes right now (diagnostics, tests). */
  idleCount(): number {
    return this.idle.length;
  }

  /** Pids of the idle warm processes (tests). */
  idlePids(): number[] {
    return this.idle.map((w) => w.proc.pid);
  }

  /** How many spawns a warm process served. */
  takenCount(): number {
    return this.taken;
  }

  async spawn(req: SpawnRequest): Promise<SpawnedProcess> {
    if (this.size > 0 && this.running && this.idle.length > 0 && isWarmEligible(req, this.imagesDir, this.env)) {
      const cwdOk = !req.cwd || (await stat(req.cwd).then((s) => s.isDirectory(), () => false));
      const line = JSON.stringify({ argv: req.argv, env: req.env, ...(req.cwd ? { cwd: req.cwd } : {}) }) + '\n';
      const w = cwdOk && Buffer.byteLength(line) <= MAX_ASSIGNMENT_BYTES ? this.idle.shift() : undefined;
      if (w) {
        this.taken++;
        this.failures = 0;
        this.schedule(this.refillDelayMs);
        const stdin = w.proc.stdin!;
        stdin.write(line);
        stdin.end();
        return { pid: w.proc.pid, stdout: w.proc.stdout, stderr: w.proc.stderr, exited: w.proc.exited };
      }
    }
    return this.inner.spawn(req);
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    this.inner.signalGroup(pgid, signal);
  }

  // ------------------------------------------------------------------ filling

  private fill(): void {
    while (this.running && this.idle.length + this.starting < this.size) {
      this.starting++;
      const p = this.startOne().finally(() => this.startingNow.delete(p));
      this.startingNow.add(p);
    }
  }

  /** (Re)arm the single fill timer for `delayMs` from now, never earlier than an already-armed one (back-off wins). */
  private schedule(delayMs: number): void {
    if (!this.running) return;
    const at = Math.max(Date.now() + delayMs, this.timer ? this.timerAt : 0);
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fill();
    }, at - Date.now());
    this.timer.unref();
  }

  private retryLater(why: string, fields: Record<string, unknown>): void {
    this.failures++;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (this.failures - 1));
    this.logger.warn(`warm pool: ${why}; retrying in ${delay} ms`, fields);
    this.schedule(delay);
  }

  private async startOne(): Promise<void> {
    let proc: SpawnedProcess;
    try {
      proc = await this.inner.spawn({ argv: [process.execPath, this.bootstrapPath], env: this.env, stdin: 'pipe' });
    } catch (e) {
      this.starting--;
      this.retryLater('cannot start a warm node process', { error: (e as Error).message });
      return;
    }
    this.starting--;
    proc.stdin?.on('error', () => {}); // EPIPE when it died: its exit is what counts
    if (!this.running || !proc.stdin) {
      this.inner.signalGroup(proc.pid, 'SIGKILL');
      await proc.exited;
      return;
    }
    const w: WarmProcess = { proc, bornMs: Date.now() };
    this.idle.push(w);
    void proc.exited.then((exit) => {
      const i = this.idle.indexOf(w);
      if (i === -1) return; // taken (a pod now) or closed
      this.idle.splice(i, 1);
      if (Date.now() - w.bornMs >= HEALTHY_LIFETIME_MS) this.failures = 0;
      const stderr = String(proc.stderr?.read() ?? '').slice(0, 2000);
      this.retryLater('an idle warm node process exited', { pid: proc.pid, code: exit.code, signal: exit.signal, ...(stderr ? { stderr } : {}) });
    });
  }
}
