// Container log files, kubelet/CRI style. Each (pod, container) has a
// directory-local set of files under `<dataDir>/logs/<ns>_<pod>_<uid>/`:
//   <container>.log            current instance (stdout+stderr interleaved)
//   <container>.log.1          older part of the current instance (size rotation)
//   <container>.previous.log   the instance before (kubectl logs --previous)
//   <container>.previous.log.1
// Lines are stored in the CRI format `<RFC3339Nano> <stdout|stderr> <F|P> <text>`
// so `--timestamps` and `--since` work; P marks a partial line (very long
// lines are split at 16 KiB). Writes are queued and appended asynchronously;
// followers get each appended chunk in order via the ContainerLog events.
//
// Skiff never writes anything of its own here (secret values stay out).
import { EventEmitter, once } from 'node:events';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { PodLogOptions } from '../logs.js';

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
const MAX_LINE = 16 * 1024;

/** RFC3339 with nanoseconds, as CRI logs and `kubectl logs --timestamps` show it. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatLogRecord(ms: number, stream: 'stdout' | 'stderr', partial: boolean, text: string): string {
  return `${rfc3339Nano(ms)} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}

export interface LogRecord {
  time: string;
  stream: string;
  partial: boolean;
  text: string;
}

export function parseLogRecord(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
  if (c < 0) return undefined;
  return { time: line.slice(0, a), stream: line.slice(a + 1, b), partial: line[b + 1] === 'P', text: line.slice(c + 1) };
}

/**
 * Render stored records for the reader: drop records before `sinceMs`, keep
 * the last `tailLines` logical lines, join partial records, optionally
 * prefix timestamps (pure).
 */
export function renderLog(stored: string, opts: { tailLines?: number; sinceMs?: number; timestamps?: boolean }): string {
  const lines: string[] = [];
  let cur = '';
  let curTime = '';
  let open = false;
  for (const raw of stored.split('\n')) {
    if (!raw) continue;
    const r = parseLogRecord(raw);
    if (!r) continue;
    if (opts.sinceMs !== undefined && Date.parse(r.time) < opts.sinceMs) continue;
    if (!open) curTime = r.time;
    cur += r.text;
    open = r.partial;
    if (!open) {
      lines.push(opts.timestamps ? `${curTime} ${cur}\n` : `${cur}\n`);
      cur = '';
    }
  }
  if (open) lines.push(opts.timestamps ? `${curTime} ${cur}` : cur);
  const tail = opts.tailLines !== undefined && opts.tailLines >= 0 ? lines.slice(Math.max(0, lines.length - opts.tailLines)) : lines;
  return tail.join('');
}

export interface ContainerLogPaths {
  current: string;
  rotated: string;
  previous: string;
  previousRotated: string;
}

export function containerLogPaths(dir: string, container: string): ContainerLogPaths {
  return {
    current: join(dir, `${container}.log`),
    rotated: join(dir, `${container}.log.1`),
    previous: join(dir, `${container}.previous.log`),
    previousRotated: join(dir, `${container}.previous.log.1`),
  };
}

async function readIfExists(path: string, limit?: number): Promise<string> {
  try {
    if (limit === undefined) return await readFile(path, 'utf8');
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(limit);
      const { bytesRead } = await fh.read(buf, 0, limit, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * One container's log across its instances (restarts). Emits:
 *  'data' (chunk: string of whole records) after each append;
 *  'instance-end' (final: boolean) when an instance stops (final = will not restart);
 *  'closed' when the pod is gone.
 */
export class ContainerLog extends EventEmitter {
  readonly paths: ContainerLogPaths;
  private fh?: FileHandle;
  private queue: string[] = [];
  private writing?: Promise<void>;
  private decoders = new Map<string, { dec: StringDecoder; pending: string }>();
  private streams: Readable[] = [];
  /** Bytes appended to the current file; rotations of the current instance. */
  written = 0;
  rotations = 0;
  instances = 0;
  running = false;
  finished = false;
  closed = false;

  constructor(
    readonly dir: string,
    readonly container: string,
    private readonly opts: { maxBytes: number; now: () => number },
  ) {
    super();
    this.setMaxListeners(0);
    this.paths = containerLogPaths(dir, container);
  }

  /** A new instance starts: the current file becomes the previous one. */
  async beginInstance(): Promise<void> {
    await this.flush();
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    const p = this.paths;
    await mkdir(this.dir, { recursive: true });
    if (await exists(p.current)) {
      await rm(p.previousRotated, { force: true });
      await rm(p.previous, { force: true });
      if (await exists(p.rotated)) await rename(p.rotated, p.previousRotated);
      await rename(p.current, p.previous);
    }
    this.fh = await open(p.current, 'a');
    this.written = 0;
    this.rotations = 0;
    this.instances++;
    this.running = true;
    this.finished = false;
  }

  /** Copy a process stream into the log, line by line. */
  attach(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const state = { dec: new StringDecoder('utf8'), pending: '' };
    this.decoders.set(name, state);
    this.streams.push(stream);
    stream.on('data', (buf: Buffer) => this.take(name, state, state.dec.write(buf)));
    stream.on('error', () => {});
  }

  private take(name: 'stdout' | 'stderr', state: { pending: string }, text: string): void {
    let s = state.pending + text;
    const now = this.opts.now();
    let nl: number;
    while ((nl = s.indexOf('\n')) >= 0) {
      this.enqueue(formatLogRecord(now, name, false, s.slice(0, nl)));
      s = s.slice(nl + 1);
    }
    while (s.length > MAX_LINE) {
      this.enqueue(formatLogRecord(now, name, true, s.slice(0, MAX_LINE)));
      s = s.slice(MAX_LINE);
    }
    state.pending = s;
  }

  private enqueue(rec: string): void {
    this.queue.push(rec);
    if (!this.writing) this.writing = this.drain().finally(() => (this.writing = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length && this.fh) {
      const chunk = this.queue.join('');
      this.queue = [];
      const buf = Buffer.from(chunk, 'utf8');
      try {
        await this.fh.write(buf);
      } catch {
        continue; // disk trouble: drop the chunk rather than wedge the pod
      }
      this.written += buf.length;
      this.emit('data', chunk);
      if (this.written >= this.opts.maxBytes) await this.rotate();
    }
  }

  private async rotate(): Promise<void> {
    await this.fh?.close().catch(() => {});
    await rename(this.paths.current, this.paths.rotated).catch(() => {});
    this.fh = await open(this.paths.current, 'a');
    this.written = 0;
    this.rotations++;
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The process exited: write out partial lines, close the file. */
  async endInstance(final: boolean): Promise<void> {
    // Output still in the pipes arrives shortly after exit; a straggler that
    // escaped the process group could hold a pipe open forever, so wait briefly.
    const streams = this.streams;
    this.streams = [];
    await Promise.all(
      streams.map((st) =>
        st.readableEnded || st.destroyed
          ? undefined
          : new Promise<void>((r) => {
              const t = setTimeout(r, 250);
              st.once('close', () => {
                clearTimeout(t);
                r();
              });
            }),
      ),
    );
    for (const st of streams) st.destroy();
    for (const [name, st] of this.decoders) {
      const rest = st.pending + st.dec.end();
      st.pending = '';
      if (rest) this.enqueue(formatLogRecord(this.opts.now(), name as 'stdout' | 'stderr', false, rest));
    }
    this.decoders.clear();
    await this.flush();
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    this.running = false;
    this.finished = final;
    this.emit('instance-end', final);
  }

  /** The pod is gone: end followers. */
  close(): void {
    this.closed = true;
    this.emit('closed');
  }

  hasPrevious(): Promise<boolean> {
    return exists(this.paths.previous);
  }
}

async function writeOut(out: NodeJS.WritableStream, s: string, signal: AbortSignal): Promise<void> {
  if (!s || signal.aborted) return;
  if (out.write(s)) return;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([once(out as unknown as EventEmitter, 'drain', { signal: ac.signal }), once(out as unknown as EventEmitter, 'close', { signal: ac.signal })]);
  } catch {
    // aborted
  } finally {
    ac.abort();
    signal.removeEventListener('abort', onAbort);
  }
}

/** Stream a container's log to `out` (see PodLogSource for the options). */
export async function streamContainerLog(log: ContainerLog, opts: PodLogOptions, out: NodeJS.WritableStream, signal: AbortSignal, now: number): Promise<void> {
  const sinceMs = opts.sinceSeconds !== undefined && opts.sinceSeconds > 0 ? now - opts.sinceSeconds * 1000 : undefined;
  const render = { tailLines: opts.tailLines, sinceMs, timestamps: opts.timestamps };
  const p = log.paths;
  if (opts.previous) {
    const stored = (await readIfExists(p.previousRotated)) + (await readIfExists(p.previous));
    await writeOut(out, renderLog(stored, render), signal);
    return;
  }
  if (!opts.follow) {
    await log.flush();
    const stored = (await readIfExists(p.rotated)) + (await readIfExists(p.current));
    await writeOut(out, renderLog(stored, render), signal);
    return;
  }
  // Follow: note where the file is and subscribe in the same tick, so the
  // file read and the live chunks meet without a gap or an overlap.
  await log.flush();
  const live: string[] = [];
  let wake: (() => void) | undefined;
  let done = log.closed || log.finished;
  const onData = (chunk: string) => {
    live.push(chunk);
    wake?.();
  };
  const onEnd = (final: boolean) => {
    if (final) {
      done = true;
      wake?.();
    }
  };
  const onClosed = () => {
    done = true;
    wake?.();
  };
  const onAbort = () => wake?.();
  const written = log.written;
  const rotations = log.rotations;
  log.on('data', onData);
  log.on('instance-end', onEnd);
  log.on('closed', onClosed);
  signal.addEventListener('abort', onAbort);
  try {
    const rotatedSince = log.rotations !== rotations;
    const stored = rotatedSince ? await readIfExists(p.rotated, written) : (await readIfExists(p.rotated)) + (await readIfExists(p.current, written));
    await writeOut(out, renderLog(stored, render), signal);
    for (;;) {
      while (live.length && !signal.aborted) await writeOut(out, renderLog(live.shift()!, { timestamps: opts.timestamps }), signal);
      if (signal.aborted || done) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    log.off('data', onData);
    log.off('instance-end', onEnd);
    log.off('closed', onClosed);
    signal.removeEventListener('abort', onAbort);
  }
}
