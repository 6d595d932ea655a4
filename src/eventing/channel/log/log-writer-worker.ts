// The event log's writer thread: owns the only writing SQLite connection and applies each batch
// the main thread sends (stream changes, events, cursors, deletions) in ONE transaction, then
// acknowledges it. Running it off the main thread means the commit (and its fsync) never blocks
// the event loop that serves producers and delivers events, and batches grow by themselves under
// load: while one commit is in flight, everything that arrives waits for the next one.

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** One transaction's worth of writes, in the order they are applied. */
export interface WriteBatch {
  type: 'batch';
  id: number;
  /** Stream ids to delete with their events and cursors (deleted brokers/channels). */
  dropStreams: number[];
  /** [id, key, nextSeq] of streams created since the last batch. */
  createStreams: Array<[number, string, number]>;
  /** Storage time (ms) of the events in this batch. */
  ts: number;
  evStream: number[];
  evSeq: number[];
  evAttrs: string[];
  evKind: number[];
  /** Kind Json: the data as JSON text (else null). */
  evText: Array<string | null>;
  /** Kind Bytes: offset and length of the data in `bytes`. */
  evOffset: number[];
  evLength: number[];
  /**
   * All byte payloads of the batch in one buffer, transferred (not copied) to the writer.
   * Sending each event's Buffer instead would copy its whole backing ArrayBuffer — for request
   * bodies that is the socket's 64 KiB read buffer.
   */
  bytes: ArrayBuffer | null;
  /** [stream id, next seq] for streams that got events. */
  nextSeqs: Array<[number, number]>;
  /** [stream id, uid, seq, detachedAt or null] */
  cursorUpserts: Array<[number, string, number, number | null]>;
  cursorDeletes: Array<[number, string]>;
  /** [stream id, from seq (incl.), to seq (excl.)] — retention. */
  rangeDeletes: Array<[number, number, number]>;
}

export type WriterRequest = WriteBatch | { type: 'close' };
export type WriterResponse = { type: 'ack'; id: number; ok: true } | { type: 'ack'; id: number; ok: false; error: string } | { type: 'closed' };

export interface WriterData {
  file: string;
  synchronous: 'full' | 'normal';
}

const port = parentPort;
if (port !== null) {
  const { file, synchronous } = workerData as WriterData;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // `synchronous` is per connection: this is the one that commits, so it decides durability.
  db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  const stmt = {
    dropEvents: db.prepare('DELETE FROM events WHERE stream = ?'),
    dropCursors: db.prepare('DELETE FROM cursors WHERE stream = ?'),
    dropStream: db.prepare('DELETE FROM streams WHERE id = ?'),
    createStream: db.prepare('INSERT INTO streams (id, key, next_seq) VALUES (?, ?, ?)'),
    insertEvent: db.prepare('INSERT INTO events (stream, seq, ts, attrs, data, kind) VALUES (?, ?, ?, ?, ?, ?)'),
    setNextSeq: db.prepare('UPDATE streams SET next_seq = ? WHERE id = ?'),
    upsertCursor: db.prepare(
      'INSERT INTO cursors (stream, uid, seq, detached_at) VALUES (?, ?, ?, ?) ON CONFLICT (stream, uid) DO UPDATE SET seq = excluded.seq, detached_at = excluded.detached_at',
    ),
    deleteCursor: db.prepare('DELETE FROM cursors WHERE stream = ? AND uid = ?'),
    deleteRange: db.prepare('DELETE FROM events WHERE stream = ? AND seq >= ? AND seq < ?'),
  };
  const apply = db.transaction((b: WriteBatch) => {
    for (const id of b.dropStreams) {
      stmt.dropEvents.run(id);
      stmt.dropCursors.run(id);
      stmt.dropStream.run(id);
    }
    for (const [id, key, next] of b.createStreams) stmt.createStream.run(id, key, next);
    for (let i = 0; i < b.evSeq.length; i++) {
      const kind = b.evKind[i]!;
      const data = kind === 1 ? Buffer.from(b.bytes!, b.evOffset[i], b.evLength[i]) : b.evText[i];
      stmt.insertEvent.run(b.evStream[i], b.evSeq[i], b.ts, b.evAttrs[i], data, kind);
    }
    for (const [id, next] of b.nextSeqs) stmt.setNextSeq.run(next, id);
    for (const [id, uid, seq, detached] of b.cursorUpserts) stmt.upsertCursor.run(id, uid, seq, detached);
    for (const [id, uid] of b.cursorDeletes) stmt.deleteCursor.run(id, uid);
    for (const [id, from, to] of b.rangeDeletes) stmt.deleteRange.run(id, from, to);
  });
  port.on('message', (msg: WriterRequest) => {
    if (msg.type === 'close') {
      db.close();
      port.postMessage({ type: 'closed' } satisfies WriterResponse);
      port.close();
      return;
    }
    try {
      apply(msg);
      port.postMessage({ type: 'ack', id: msg.id, ok: true } satisfies WriterResponse);
    } catch (err) {
      port.postMessage({ type: 'ack', id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WriterResponse);
    }
  });
}
