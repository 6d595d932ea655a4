// The durable embedded event log behind the `log` channel backend: one SQLite database (WAL) in
// the data directory, separate from the API store, holding any number of streams (one per broker
// or channel). Each stream is an append-only sequence of events numbered 1, 2, 3 … plus one durable
// cursor per subscriber ("everything up to seq N is finished for this subscriber").
//
// Why SQLite rather than a hand-rolled segment file: crash-safe commits, fsync discipline and
// space reuse come for free, and better-sqlite3 is already a dependency. Throughput comes from
// GROUP COMMIT: append() queues events and the queue is written in one transaction on the next
// turn of the event loop (setImmediate), so every publish that arrived in the same I/O phase
// shares one commit (and one fsync). append() resolves only after that commit.
//
// Durability: `synchronous: 'full'` (default) fsyncs the WAL on every commit, so an acknowledged
// event survives power loss; 'normal' survives a crash of Skiff (kill -9) but not of the machine.
//
// Cursors are written lazily (with the next commit, or within `cursorFlushDelayMs`): a cursor that
// lags on disk only causes redelivery after a crash (at-least-once), never loss.
//
// Retention (prune): per stream, events below the lowest cursor are deleted (every subscriber has
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
import { dirname } from 'node:path';
import type { CloudEventRecord, JsonValue } from '../../cloudevents/event.js';
import type { Clock } from '../../delivery/dispatcher.js';
import { ChannelError } from '../channel.js';

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
  /** Next seq to assign; `nextSeq - 1` is the newest committed event (0 = none yet). */
  nextSeq: number;
  /** Oldest retained seq (== nextSeq when the stream is empty). */
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
    this.firstSeq = firstSeq;
    this.tailFirst = nextSeq;
  }

  get head(): number {
    return this.nextSeq - 1;
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

const DELETE_CHUNK = 20_000;

export class EventLog {
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly streams = new Map<string, LogStream>();
  private queue: AppendRequest[] = [];
  private flushScheduled = false;
  private cursorTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly tailCap: number;
  private readonly graceMs: number;
  private readonly cursorDelayMs: number;
  private readonly stmt: {
    insertEvent: Database.Statement;
    setNextSeq: Database.Statement;
    upsertCursor: Database.Statement;
    deleteCursor: Database.Statement;
    readFrom: Database.Statement;
    firstNotOlder: Database.Statement;
    deleteRange: Database.Statement;
  };
  private readonly writeBatch: (batch: AppendRequest[], firsts: number[]) => void;

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
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
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
      insertEvent: db.prepare('INSERT INTO events (stream, seq, ts, attrs, data, kind) VALUES (?, ?, ?, ?, ?, ?)'),
      setNextSeq: db.prepare('UPDATE streams SET next_seq = ? WHERE id = ?'),
      upsertCursor: db.prepare(
        'INSERT INTO cursors (stream, uid, seq, detached_at) VALUES (?, ?, ?, ?) ON CONFLICT (stream, uid) DO UPDATE SET seq = excluded.seq, detached_at = excluded.detached_at',
      ),
      deleteCursor: db.prepare('DELETE FROM cursors WHERE stream = ? AND uid = ?'),
      readFrom: db.prepare('SELECT seq, attrs, data, kind FROM events WHERE stream = ? AND seq >= ? ORDER BY seq LIMIT ?'),
      firstNotOlder: db.prepare('SELECT seq FROM events WHERE stream = ? AND seq >= ? AND ts >= ? ORDER BY seq LIMIT 1'),
      deleteRange: db.prepare('DELETE FROM events WHERE stream = ? AND seq >= ? AND seq < ?'),
    };
    this.writeBatch = db.transaction((batch: AppendRequest[], firsts: number[]) => {
      const ts = this.clock.now();
      const touched = new Set<LogStream>();
      for (const req of batch) {
        const s = req.stream;
        firsts.push(s.nextSeq);
        for (const event of req.events) {
          const [attrs, data, kind] = encodeEvent(event);
          this.stmt.insertEvent.run(s.id, s.nextSeq, ts, attrs, data, kind);
          s.nextSeq++;
        }
        touched.add(s);
      }
      for (const s of touched) this.stmt.setNextSeq.run(s.nextSeq, s.id);
      this.writeDirtyCursors();
    });
    this.load();
    const interval = options.retentionIntervalMs ?? 10_000;
    if (interval > 0) {
      this.retentionTimer = setInterval(() => this.prune(), interval);
      this.retentionTimer.unref();
    }
  }

  private load(): void {
    const now = this.clock.now();
    const rows = this.db.prepare('SELECT id, key, next_seq FROM streams').all() as Array<{ id: number; key: string; next_seq: number }>;
    const minSeq = this.db.prepare('SELECT MIN(seq) AS m FROM events WHERE stream = ?');
    const cursorRows = this.db.prepare('SELECT uid, seq, detached_at FROM cursors WHERE stream = ?');
    for (const r of rows) {
      const min = (minSeq.get(r.id) as { m: number | null }).m;
      const stream = new LogStream(r.id, r.key, r.next_seq, min ?? r.next_seq, this.tailCap);
      for (const c of cursorRows.all(r.id) as Array<{ uid: string; seq: number; detached_at: number | null }>) {
        // After a restart nobody is attached yet: every cursor starts its grace period now.
        stream.cursors.set(c.uid, { seq: c.seq, detachedAt: c.detached_at ?? now, dirty: false });
      }
      this.streams.set(r.key, stream);
    }
  }

  /** The stream named `key`, created empty if it does not exist. */
  stream(key: string, retention?: RetentionPolicy): LogStream {
    this.assertOpen();
    let s = this.streams.get(key);
    if (s === undefined) {
      const info = this.db.prepare('INSERT INTO streams (key, next_seq) VALUES (?, 1)').run(key);
      s = new LogStream(Number(info.lastInsertRowid), key, 1, 1, this.tailCap);
      this.streams.set(key, s);
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
    if (this.closed || stream.dropped) return Promise.reject(new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, `event log stream ${stream.key} is closed`));
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ stream, events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Write everything queued (events and changed cursors) in one transaction. */
  flush(): void {
    this.flushScheduled = false;
    if (this.cursorTimer !== undefined) {
      clearTimeout(this.cursorTimer);
      this.cursorTimer = undefined;
    }
    if (this.closed && !this.db.open) return;
    const batch = this.queue;
    this.queue = [];
    const live = batch.filter((r) => !r.stream.dropped);
    for (const r of batch) if (r.stream.dropped) r.reject(new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, `event log stream ${r.stream.key} was deleted`));
    const saved = live.map((r) => r.stream.nextSeq);
    const firsts: number[] = [];
    try {
      this.writeBatch(live, firsts);
    } catch (cause) {
      // Roll the in-memory counters back to what is on disk (the transaction rolled back).
      for (let i = live.length - 1; i >= 0; i--) live[i]!.stream.nextSeq = saved[i]!;
      const err = new ChannelError('SKIFF_ERR_CHANNEL_STORAGE', 500, `event log commit failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
      for (const r of live) r.reject(err);
      return;
    }
    if (live.length === 0) return;
    const touched = new Set<LogStream>();
    for (let i = 0; i < live.length; i++) {
      const r = live[i]!;
      r.stream.extendTail(firsts[i]!, r.events);
      touched.add(r.stream);
      r.resolve();
    }
    // Let the acknowledgements go out first; subscribers start delivering on the next turn.
    setImmediate(() => {
      for (const s of touched) for (const fn of s.listeners) fn();
    });
  }

  private writeDirtyCursors(): void {
    for (const s of this.streams.values()) {
      for (const [uid, c] of s.cursors) {
        if (!c.dirty) continue;
        this.stmt.upsertCursor.run(s.id, uid, c.seq, c.detachedAt ?? null);
        c.dirty = false;
      }
    }
  }

  private scheduleCursorFlush(): void {
    if (this.flushScheduled || this.cursorTimer !== undefined || this.closed) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = undefined;
      if (!this.flushScheduled) this.flush();
    }, this.cursorDelayMs);
    this.cursorTimer.unref();
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
      this.scheduleCursorFlush();
    } else if (c.detachedAt !== undefined) {
      c.detachedAt = undefined;
      c.dirty = true;
      this.scheduleCursorFlush();
    }
    return c.seq;
  }

  /** The subscriber went away: keep its cursor for the grace period, then forget it. */
  detachCursor(stream: LogStream, uid: string): void {
    const c = stream.cursors.get(uid);
    if (c === undefined || this.closed) return;
    c.detachedAt = this.clock.now();
    c.dirty = true;
    this.scheduleCursorFlush();
  }

  /** Everything up to `seq` is finished for `uid` (persisted with the next commit). */
  commitCursor(stream: LogStream, uid: string, seq: number): void {
    const c = stream.cursors.get(uid);
    if (c === undefined || seq <= c.seq) return;
    c.seq = seq;
    c.dirty = true;
    this.scheduleCursorFlush();
  }

  /** The stored cursor of `uid`, if any (tests, status). */
  cursorOf(stream: LogStream, uid: string): number | undefined {
    return stream.cursors.get(uid)?.seq;
  }

  /** Up to `limit` stored events from `fromSeq` on (fewer at the head; pruned ones are absent). */
  readFrom(stream: LogStream, fromSeq: number, limit: number): StoredEvent[] {
    this.assertOpen();
    const rows = this.stmt.readFrom.all(stream.id, fromSeq, limit) as Array<{ seq: number; attrs: string; data: Buffer | string | null; kind: number }>;
    const out: StoredEvent[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { seq: r.seq, event: decodeEvent(r.attrs, r.data, r.kind) };
    }
    return out;
  }

  /** Apply retention to every stream now. Returns how many events were deleted. */
  prune(): number {
    if (this.closed) return 0;
    let deleted = 0;
    for (const s of this.streams.values()) deleted += this.pruneStream(s);
    return deleted;
  }

  private pruneStream(s: LogStream): number {
    const now = this.clock.now();
    // 1. Events every (live or recently detached) subscriber has passed.
    let minCursor = s.head;
    for (const [uid, c] of s.cursors) {
      if (c.detachedAt !== undefined && now - c.detachedAt >= this.graceMs) {
        s.cursors.delete(uid);
        this.stmt.deleteCursor.run(s.id, uid);
        continue;
      }
      if (c.seq < minCursor) minCursor = c.seq;
    }
    let cut = Math.max(s.firstSeq, minCursor + 1);
    // 2. Hard bounds, even if a subscriber is behind.
    const { maxEvents, maxAgeMs } = s.retention;
    if (maxEvents !== undefined && maxEvents >= 0) cut = Math.max(cut, s.nextSeq - maxEvents);
    if (maxAgeMs !== undefined && maxAgeMs >= 0 && cut < s.nextSeq) {
      const row = this.stmt.firstNotOlder.get(s.id, cut, now - maxAgeMs) as { seq: number } | undefined;
      cut = row === undefined ? s.nextSeq : Math.max(cut, row.seq);
    }
    cut = Math.min(cut, s.nextSeq);
    if (cut <= s.firstSeq) return 0;
    let deleted = 0;
    for (let from = s.firstSeq; from < cut; from += DELETE_CHUNK) {
      deleted += this.stmt.deleteRange.run(s.id, from, Math.min(cut, from + DELETE_CHUNK)).changes;
    }
    s.firstSeq = cut;
    return deleted;
  }

  /** Delete a stream with its events and cursors (its broker/channel was deleted). */
  dropStream(stream: LogStream): void {
    if (this.closed) return;
    this.flush();
    stream.dropped = true;
    stream.listeners.clear();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM events WHERE stream = ?').run(stream.id);
      this.db.prepare('DELETE FROM cursors WHERE stream = ?').run(stream.id);
      this.db.prepare('DELETE FROM streams WHERE id = ?').run(stream.id);
    })();
    this.streams.delete(stream.key);
  }

  /** Commit what is queued, then close the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.cursorTimer !== undefined) clearTimeout(this.cursorTimer);
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    this.db.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new ChannelError('SKIFF_ERR_CHANNEL_CLOSED', 503, 'event log is closed');
  }
}
