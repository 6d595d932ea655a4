// The durable embedded event log behind the `log` channel backend: one SQLite database (WAL) in
// the data directory, separate from the API store, holding any number of streams (one per broker
// or channel). Each stream is an append-only sequence of events numbered 1, 2, 3 … plus one durable
// cursor per subscriber ("everything up to seq N is finished for this subscriber").
//
// Why SQLite rather than a hand-rolled segment file: crash-safe commits, fsync discipline and
// space reuse come for free, and better-sqlite3 is already a dependency. Throughput comes from
// GROUP COMMIT on a writer thread (log-writer-worker.ts): append() queues events; at most one
// batch is being committed at a time, and everything queued meanwhile goes into the next
// transaction (one commit, one fsync). append() resolves only after its batch was committed.
// The main thread keeps a read connection (WAL readers never block the writer) for laggards.
//
// Durability: `synchronous: 'full'` (default) fsyncs the WAL on every commit, so an acknowledged
// event survives power loss; 'normal' survives a crash of Skiff (kill -9) but not of the machine.
// A failed commit (disk full, I/O error) rejects that batch's appends with a 500 ChannelError and
// rolls the in-memory sequence numbers back; the next batch tries again.
//
// Cursors are written lazily (with the next commit, or within `cursorFlushDelayMs`): a cursor that
// lags on disk only causes redelivery after a crash (at-least-once), never loss.
//
// Retention (prune, every `retentionIntervalMs`): per stream, events below the lowest cursor are deleted (every subscriber has
// passed them); in addition `maxEvents` / `maxAgeMs` bound the stream even when a subscriber is
// behind — that subscriber then skips ahead to the oldest retained event (counted as
// lostToRetention), as a Kafka consumer does when retention deletes its offset. A cursor whose
// subscriber went away is kept for `detachedCursorGraceMs` (so a restart, or a trigger re-created
// with the same uid, resumes where it left off) and then forgotten.
//
// A small in-memory tail of recently committed events per stream lets subscribers that keep up
// deliver without reading back or re-parsing from SQLite; laggards read from the database.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import type { CloudEventRecord, JsonValue } from '../../cloudevents/event.js';
import type { Clock } from '../../delivery/dispatcher.js';
import { ChannelError } from '../channel.js';
import type { WriteBatch, WriterData, WriterResponse } from './log-writer-worker.js';

export interface RetentionPolicy {
  /** Delete events older than this (ms) even if a subscriber has not finished them. */
  maxAgeMs?: number;
  /** Keep at most this many events per stream, newest first. */
  maxEvents?: number;
}

/** Knative's KafkaChannel default retention is 7 days (PT168H); we bound the count too. */
export const DEFAULT_RETENTION: Readonly<Required<RetentionPolicy>> = Object.freeze({ maxAgeMs: 7 * 24 * 3600 * 1000, maxEvents: 1_000_000 });

export interface EventLogOptions {
  /** SQLite file; its directory is created. */
  file: string;
  clock?: Clock;
  /** 'full' (default): fsync per commit, power-loss safe. 'normal': crash (kill -9) safe. */
  synchronous?: 'full' | 'normal';
  /** Recent events kept in memory per stream for subscribers that keep up. Default 20,000. */
  tailCacheEvents?: number;
  /** How often retention runs (ms); 0 disables the timer (call prune()). Default 10 s. */
  retentionIntervalMs?: number;
  /** How long a detached cursor is kept (and holds back pruning). Default 10 min. */
  detachedCursorGraceMs?: number;
  /** Longest a changed cursor waits for a commit to ride along with. Default 20 ms. */
  cursorFlushDelayMs?: number;
}

export interface StoredEvent {
  seq: number;
  event: CloudEventRecord;
}

interface CursorState {
  seq: number;
  /** When the subscriber went away (clock ms); undefined while attached. */
  detachedAt: number | undefined;
  dirty: boolean;
}

interface AppendRequest {
  stream: LogStream;
  events: readonly CloudEventRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** One stream (a broker's or a channel's events). Owned by the EventLog. */
export class LogStream {
  /** Next seq to assign (events in a batch being committed already have theirs). */
  nextSeq: number;
  /** One past the newest COMMITTED event: readers stop here. */
  committedNextSeq: number;
  /** Oldest retained seq (== committedNextSeq when the stream is empty). */
  firstSeq: number;
  retention: RetentionPolicy = DEFAULT_RETENTION;
  readonly cursors = new Map<string, CursorState>();
  /** Called (on a later turn) after new events were committed. */
  readonly listeners = new Set<() => void>();
  dropped = false;
  private tail: CloudEventRecord[] = [];
  private tailFirst: number;

  constructor(
    readonly id: number,
    readonly key: string,
    nextSeq: number,
    firstSeq: number,
    private readonly tailCap: number,
  ) {
    this.nextSeq = nextSeq;
    this.committedNextSeq = nextSeq;
    this.firstSeq = firstSeq;
    this.tailFirst = nextSeq;
  }

  /** Newest committed seq (0 = none yet). */
  get head(): number {
    return this.committedNextSeq - 1;
  }

  /** The event at `seq` if it is still in the in-memory tail. */
  tailEvent(seq: number): CloudEventRecord | undefined {
    const i = seq - this.tailFirst;
    return i >= 0 && i < this.tail.length ? this.tail[i] : undefined;
  }

  /** Append committed events whose seqs start at `first` (must continue the tail). */
  extendTail(first: number, events: readonly CloudEventRecord[]): void {
    if (this.tailCap <= 0) return;
    if (first !== this.tailFirst + this.tail.length) {
      this.tail = [];
      this.tailFirst = first;
    }
    for (const e of events) this.tail.push(e);
    if (this.tail.length > 2 * this.tailCap) {
      const cut = this.tail.length - this.tailCap;
      this.tail = this.tail.slice(cut);
      this.tailFirst += cut;
    }
  }
}

const enum DataKind {
  None = 0,
  Bytes = 1,
  Json = 2,
}

/** Split an event into stored columns: attributes as JSON text, data as bytes or JSON text. */
function encodeEvent(event: CloudEventRecord): [attrs: string, data: Buffer | string | null, kind: DataKind] {
  const attrs: Record<string, unknown> = {};
  for (const k in event) if (k !== 'data' && event[k] !== undefined) attrs[k] = event[k];
  const data = event.data;
  if (data === undefined) return [JSON.stringify(attrs), null, DataKind.None];
  if (data instanceof Uint8Array) {
    return [JSON.stringify(attrs), Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), DataKind.Bytes];
  }
  return [JSON.stringify(attrs), JSON.stringify(data), DataKind.Json];
}

function decodeEvent(attrs: string, data: Buffer | string | null, kind: number): CloudEventRecord {
  const event = JSON.parse(attrs) as CloudEventRecord;
  if (kind === DataKind.Bytes) event.data = data as Buffer;
  else if (kind === DataKind.Json) event.data = JSON.parse(typeof data === 'string' ? data : (data as Buffer).toString('utf8')) as JsonValue;
  return event;
}

// Retention deletes go to the writer a chunk per commit (~2-3 ms each), so a big prune never
// holds producers' commits back for long.
const DELETE_CHUNK = 2_000;
const WRITER_SCRIPT = new URL('./log-writer-worker.js', import.meta.url);

interface InFlightBatch {
  id: number;
  requests: AppendRequest[];
  /** First seq of each request's events. */
  firsts: number[];
  /** Seq counters to restore if the commit fails. */
  saved: Map<LogStream, number>;
  /** Cursor values sent, to mark dirty again if the commit fails. */
  cursors: Array<[LogStream, string]>;
  /** Structural changes sent, to send again if the commit fails. */
  batch: WriteBatch;
}

export class EventLog {
  /** Main-thread connection: schema, loading, reads. Never writes after open. */
  private readonly db: Database.Database;
  private readonly writer: Worker;
  private readonly clock: Clock;
  private readonly streams = new Map<string, LogStream>();
  private nextStreamId: number;
  private queue: AppendRequest[] = [];
  private inFlight: InFlightBatch | undefined;
  private batchIds = 0;
  private sendScheduled = false;
  private cursorTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failure: ChannelError | undefined;
  private idleWaiters: Array<() => void> = [];
  private closedPromise: Promise<void> | undefined;
  // Structural changes waiting for the next batch.
  private pendingDrops: number[] = [];
  private pendingCreates: Array<[number, string, number]> = [];
  private pendingCursorDeletes: Array<[number, string]> = [];
  private pendingRangeDeletes: Array<[number, number, number]> = [];
  private readonly tailCap: number;
  private readonly graceMs: number;
  private readonly cursorDelayMs: number;
  private readonly stmt: { readFrom: Database.Statement; firstNotOlder: Database.Statement };

  static open(options: EventLogOptions): EventLog {
    mkdirSync(dirname(options.file), { recursive: true });
    return new EventLog(options);
  }

  private constructor(options: EventLogOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.tailCap = options.tailCacheEvents ?? 20_000;
    this.graceMs = options.detachedCursorGraceMs ?? 10 * 60 * 1000;
    this.cursorDelayMs = options.cursorFlushDelayMs ?? 20;
    const db = new Database(options.file);
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS streams (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, next_seq INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS events (
        stream INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,
        attrs TEXT NOT NULL, data BLOB, kind INTEGER NOT NULL,
        PRIMARY KEY (stream, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS cursors (
        stream INTEGER NOT NULL, uid TEXT NOT NULL, seq INTEGER NOT NULL, detached_at INTEGER,
        PRIMARY KEY (stream, uid)
      ) WITHOUT ROWID;
    `);
    this.stmt = {
      readFrom: db.prepare('SELECT seq, attrs, data, kind FROM events WHERE stream = ? AND seq >= ? ORDER BY seq LIMIT ?'),
      firstNotOlder: db.prepare('SELECT seq FROM events WHERE stream = ? AND seq >= ? AND ts >= ? ORDER BY seq LIMIT 1'),
    };
    this.nextStreamId = this.load() + 1;
    const data: WriterData = { file: options.file, synchronous: options.synchronous ?? 'full' };
    this.writer = new Worker(WRITER_SCRIPT, { workerData: data });
    this.writer.on('message', (msg: WriterResponse) => this.onWriterMessage(msg));
    this.writer.on('error', (err) => this.fail(new ChannelError('SKIFF_ERR_CHANNEL_STORAGE', 500, `event log writer failed: ${err.message}`, err)));
    this.writer.on('exit', () => {
      if (!this.closed) this.fail(new ChannelError('SKIFF_ERR_CHANNEL_STORAGE', 500, 'event log writer thread exited'));
    });
    // The writer must not keep the process alive on its own; pending work holds a ref (see ref()).
    this.writer.unref();
    const interval = options.retentionIntervalMs ?? 10_000;
    if (interval > 0) {
      this.retentionTimer = setInterval(() => this.prune(), interval);
      this.retentionTimer.unref();
    }
  }

  /** Load streams and cursors; returns the highest stream id. */
  private load(): number {
    const now = this.clock.now();
    const rows = this.db.prepare('SELECT id, key, next_seq FROM streams').all() as Array<{ id: number; key: string; next_seq: number }>;
    const minSeq = this.db.prepare('SELECT MIN(seq) AS m FROM events WHERE stream = ?');
    const cursorRows = this.db.prepare('SELECT uid, seq, detached_at FROM cursors WHERE stream = ?');
    let maxId = 0;
    for (const r of rows) {
      const min = (minSeq.get(r.id) as { m: number | null }).m;
      const stream = new LogStream(r.id, r.key, r.next_seq, min ?? r.next_seq, this.tailCap);
      for (const c of cursorRows.all(r.id) as Array<{ uid: string; seq: number; detached_at: number | null }>) {
        // After a restart nobody is attached yet: every cursor starts its grace period now.
        stream.cursors.set(c.uid, { seq: c.seq, detachedAt: c.detached_at ?? now, dirty: false });
      }
      this.streams.set(r.key, stream);
      maxId = Math.max(maxId, r.id);
    }
    return maxId;
  }

  /** The stream named `key`, created empty if it does not exist. */
  stream(key: string, retention?: RetentionPolicy): LogStream {
    this.assertOpen();
    let s = this.streams.get(key);
    if (s === undefined) {
      s = new LogStream(this.nextStreamId++, key, 1, 1, this.tailCap);
      this.streams.set(key, s);
      this.pendingCreates.push([s.id, key, 1]);
      this.scheduleSend(false);
    }
    if (retention !== undefined) s.retention = { ...DEFAULT_RETENTION, ...retention };
    return s;
  }

  /** Keys of all stored streams (e.g. to find streams of brokers deleted while Skiff was down). */
  streamKeys(): string[] {
    return [...this.streams.keys()];
  }

  /** Queue events for the next group commit; resolves once they are committed. */
  append(stream: LogStream, events: readonly CloudEventRecord[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed || stream.dropped) return Promise.reject(new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, `event log stream ${stream.key} is closed`));
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ stream, events, resolve, reject });
      this.scheduleSend(true);
    });
  }

  /**
   * Arrange for the next batch: right away (next turn) when events wait, after `cursorFlushDelayMs`
   * when only cursors / housekeeping do. Nothing is sent while a batch is in flight; its
   * acknowledgement sends what accumulated.
   */
  private scheduleSend(urgent: boolean): void {
    if (this.inFlight !== undefined || this.sendScheduled || this.failure !== undefined) return;
    if (urgent) {
      if (this.cursorTimer !== undefined) {
        clearTimeout(this.cursorTimer);
        this.cursorTimer = undefined;
      }
      this.sendScheduled = true;
      setImmediate(() => {
        this.sendScheduled = false;
        this.sendBatch();
      });
    } else if (this.cursorTimer === undefined) {
      this.cursorTimer = setTimeout(() => {
        this.cursorTimer = undefined;
        this.sendBatch();
      }, this.cursorDelayMs);
      this.cursorTimer.unref();
    }
  }

  private sendBatch(): void {
    if (this.inFlight !== undefined || this.failure !== undefined) return;
    const requests = this.queue.filter((r) => !r.stream.dropped);
    for (const r of this.queue) if (r.stream.dropped) r.reject(new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, `event log stream ${r.stream.key} was deleted`));
    this.queue = [];
    const batch: WriteBatch = {
      type: 'batch',
      id: ++this.batchIds,
      dropStreams: this.pendingDrops,
      createStreams: this.pendingCreates,
      ts: this.clock.now(),
      evStream: [],
      evSeq: [],
      evAttrs: [],
      evKind: [],
      evText: [],
      evOffset: [],
      evLength: [],
      bytes: null,
      nextSeqs: [],
      cursorUpserts: [],
      cursorDeletes: this.pendingCursorDeletes,
      rangeDeletes: this.pendingRangeDeletes.splice(0, 1),
    };
    this.pendingDrops = [];
    this.pendingCreates = [];
    this.pendingCursorDeletes = [];
    const saved = new Map<LogStream, number>();
    const firsts: number[] = [];
    const parts: Buffer[] = [];
    let byteLength = 0;
    for (const r of requests) {
      const s = r.stream;
      if (!saved.has(s)) saved.set(s, s.nextSeq);
      firsts.push(s.nextSeq);
      for (const event of r.events) {
        const [attrs, data, kind] = encodeEvent(event);
        batch.evStream.push(s.id);
        batch.evSeq.push(s.nextSeq++);
        batch.evAttrs.push(attrs);
        batch.evKind.push(kind);
        if (kind === DataKind.Bytes) {
          const bytes = data as Buffer;
          batch.evText.push(null);
          batch.evOffset.push(byteLength);
          batch.evLength.push(bytes.length);
          parts.push(bytes);
          byteLength += bytes.length;
        } else {
          batch.evText.push(data as string | null);
          batch.evOffset.push(0);
          batch.evLength.push(0);
        }
      }
    }
    const transfer: ArrayBuffer[] = [];
    if (byteLength > 0) {
      // A dedicated (unpooled) buffer, so transferring it hands over nothing else.
      const all = Buffer.allocUnsafeSlow(byteLength);
      let off = 0;
      for (const p of parts) off += p.copy(all, off);
      batch.bytes = all.buffer as ArrayBuffer;
      transfer.push(batch.bytes);
    }
    for (const s of saved.keys()) batch.nextSeqs.push([s.id, s.nextSeq]);
    const cursors: Array<[LogStream, string]> = [];
    for (const s of this.streams.values()) {
      for (const [uid, c] of s.cursors) {
        if (!c.dirty) continue;
        batch.cursorUpserts.push([s.id, uid, c.seq, c.detachedAt ?? null]);
        c.dirty = false;
        cursors.push([s, uid]);
      }
    }
    const empty =
      batch.evSeq.length === 0 &&
      batch.cursorUpserts.length === 0 &&
      batch.dropStreams.length === 0 &&
      batch.createStreams.length === 0 &&
      batch.cursorDeletes.length === 0 &&
      batch.rangeDeletes.length === 0;
    if (empty) {
      this.notifyIdle();
      return;
    }
    this.inFlight = { id: batch.id, requests, firsts, saved, cursors, batch };
    this.writer.ref();
    this.writer.postMessage(batch, transfer);
  }

  private onWriterMessage(msg: WriterResponse): void {
    if (msg.type !== 'ack') return;
    const b = this.inFlight;
    if (b === undefined || b.id !== msg.id) return;
    this.inFlight = undefined;
    this.writer.unref();
    if (!msg.ok) {
      // The transaction rolled back: put the counters and dirty marks back, refuse the events.
      for (const [s, next] of b.saved) s.nextSeq = next;
      for (const [s, uid] of b.cursors) {
        const c = s.cursors.get(uid);
        if (c !== undefined) c.dirty = true;
      }
      this.pendingDrops.unshift(...b.batch.dropStreams);
      this.pendingCreates.unshift(...b.batch.createStreams);
      this.pendingCursorDeletes.unshift(...b.batch.cursorDeletes);
      this.pendingRangeDeletes.unshift(...b.batch.rangeDeletes);
      const err = new ChannelError('SKIFF_ERR_CHANNEL_STORAGE', 500, `event log commit failed: ${msg.error}`);
      for (const r of b.requests) r.reject(err);
    } else {
      const touched = new Set<LogStream>();
      for (let i = 0; i < b.requests.length; i++) {
        const r = b.requests[i]!;
        r.stream.committedNextSeq = b.firsts[i]! + r.events.length;
        r.stream.extendTail(b.firsts[i]!, r.events);
        touched.add(r.stream);
        r.resolve();
      }
      if (touched.size > 0) {
        // Let the acknowledgements go out first; subscribers start delivering on the next turn.
        setImmediate(() => {
          for (const s of touched) for (const fn of s.listeners) fn();
        });
      }
    }
    if (this.queue.length > 0) this.sendBatch();
    else if (this.hasHousekeeping()) {
      if (this.idleWaiters.length > 0) this.sendBatch();
      else this.scheduleSend(false);
    } else this.notifyIdle();
  }

  private hasHousekeeping(): boolean {
    if (this.pendingDrops.length + this.pendingCreates.length + this.pendingCursorDeletes.length + this.pendingRangeDeletes.length > 0) return true;
    for (const s of this.streams.values()) for (const c of s.cursors.values()) if (c.dirty) return true;
    return false;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once everything queued so far (events, cursors, deletions) is committed. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      if (this.inFlight === undefined) {
        if (this.cursorTimer !== undefined) {
          clearTimeout(this.cursorTimer);
          this.cursorTimer = undefined;
        }
        this.sendBatch();
      }
    });
  }

  private fail(err: ChannelError): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    const b = this.inFlight;
    this.inFlight = undefined;
    if (b !== undefined) for (const r of b.requests) r.reject(err);
    for (const r of this.queue) r.reject(err);
    this.queue = [];
    this.notifyIdle();
  }

  private markCursorDirty(): void {
    this.scheduleSend(false);
  }

  /**
   * Attach subscriber `uid` to `stream`: returns its committed seq — the stored cursor if it has
   * one (restart, or re-attached within the grace period), else the current head (a new
   * subscriber gets events committed from now on, like a Kafka trigger's `latest`).
   */
  attachCursor(stream: LogStream, uid: string): number {
    this.assertOpen();
    let c = stream.cursors.get(uid);
    if (c === undefined) {
      c = { seq: stream.head, detachedAt: undefined, dirty: true };
      stream.cursors.set(uid, c);
      this.markCursorDirty();
    } else if (c.detachedAt !== undefined) {
      c.detachedAt = undefined;
      c.dirty = true;
      this.markCursorDirty();
    }
    return c.seq;
  }

  /** The subscriber went away: keep its cursor for the grace period, then forget it. */
  detachCursor(stream: LogStream, uid: string): void {
    const c = stream.cursors.get(uid);
    if (c === undefined || this.closed) return;
    c.detachedAt = this.clock.now();
    c.dirty = true;
    this.markCursorDirty();
  }

  /** Everything up to `seq` is finished for `uid` (persisted with a later commit). */
  commitCursor(stream: LogStream, uid: string, seq: number): void {
    const c = stream.cursors.get(uid);
    if (c === undefined || seq <= c.seq) return;
    c.seq = seq;
    c.dirty = true;
    if (!this.closed) this.markCursorDirty();
  }

  /** The cursor of `uid` as the log knows it (tests, status). */
  cursorOf(stream: LogStream, uid: string): number | undefined {
    return stream.cursors.get(uid)?.seq;
  }

  /** Up to `limit` committed, retained events from `fromSeq` on (fewer at the head). */
  readFrom(stream: LogStream, fromSeq: number, limit: number): StoredEvent[] {
    this.assertOpen();
    const rows = this.stmt.readFrom.all(stream.id, Math.max(fromSeq, stream.firstSeq), limit) as Array<{
      seq: number;
      attrs: string;
      data: Buffer | string | null;
      kind: number;
    }>;
    const out: StoredEvent[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { seq: r.seq, event: decodeEvent(r.attrs, r.data, r.kind) };
    }
    return out;
  }

  /**
   * Apply retention to every stream now. Returns how many events it removes; they are invisible
   * at once and deleted from disk with the next commit.
   */
  prune(): number {
    if (this.closed || this.failure !== undefined) return 0;
    let removed = 0;
    for (const s of this.streams.values()) removed += this.pruneStream(s);
    if (removed > 0 || this.pendingCursorDeletes.length > 0) this.scheduleSend(false);
    return removed;
  }

  private pruneStream(s: LogStream): number {
    const now = this.clock.now();
    // 1. Events every (live or recently detached) subscriber has passed.
    let minCursor = s.head;
    for (const [uid, c] of s.cursors) {
      if (c.detachedAt !== undefined && now - c.detachedAt >= this.graceMs) {
        s.cursors.delete(uid);
        this.pendingCursorDeletes.push([s.id, uid]);
        continue;
      }
      if (c.seq < minCursor) minCursor = c.seq;
    }
    let cut = Math.max(s.firstSeq, minCursor + 1);
    // 2. Hard bounds, even if a subscriber is behind.
    const { maxEvents, maxAgeMs } = s.retention;
    if (maxEvents !== undefined && maxEvents >= 0) cut = Math.max(cut, s.committedNextSeq - maxEvents);
    if (maxAgeMs !== undefined && maxAgeMs >= 0 && cut < s.committedNextSeq) {
      const row = this.stmt.firstNotOlder.get(s.id, cut, now - maxAgeMs) as { seq: number } | undefined;
      // Only committed events are on disk; anything newer is younger than the cutoff anyway.
      cut = row === undefined ? s.committedNextSeq : Math.max(cut, row.seq);
    }
    cut = Math.min(cut, s.committedNextSeq);
    if (cut <= s.firstSeq) return 0;
    for (let from = s.firstSeq; from < cut; from += DELETE_CHUNK) {
      this.pendingRangeDeletes.push([s.id, from, Math.min(cut, from + DELETE_CHUNK)]);
    }
    const removed = cut - s.firstSeq;
    s.firstSeq = cut;
    return removed;
  }

  /** Delete a stream with its events and cursors (its broker/channel was deleted). */
  dropStream(stream: LogStream): void {
    if (this.closed || stream.dropped) return;
    stream.dropped = true;
    stream.listeners.clear();
    this.streams.delete(stream.key);
    const created = this.pendingCreates.findIndex(([id]) => id === stream.id);
    if (created !== -1) this.pendingCreates.splice(created, 1);
    else this.pendingDrops.push(stream.id);
    this.scheduleSend(false);
  }

  /** Commit what is queued, stop the writer thread and close the database. Idempotent. */
  close(): Promise<void> {
    this.closedPromise ??= this.doClose();
    return this.closedPromise;
  }

  private async doClose(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.cursorTimer !== undefined) clearTimeout(this.cursorTimer);
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    if (this.failure === undefined) {
      this.writer.ref();
      await new Promise<void>((resolve) => {
        this.writer.once('exit', () => resolve());
        this.writer.postMessage({ type: 'close' });
      });
    } else {
      await this.writer.terminate();
    }
    this.db.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, 'event log is closed');
    if (this.failure !== undefined) throw this.failure;
  }
}
