// Durable Store on SQLite (better-sqlite3, WAL). The whole data set is also
// held in memory (MemoryStore) so reads never touch disk; every write goes to
// SQLite inside the write call, before it is acknowledged.
//
// Durability: WAL with synchronous=NORMAL survives a kill -9 of Skiff (the
// WAL is in the OS page cache once the write returns); set SKIFF_FSYNC=full
// for power-loss durability (synchronous=FULL) at a throughput cost.
import Database from 'better-sqlite3';
import type { KObject } from '../api/meta.js';
import { MemoryStore, type Persistence } from './memory-store.js';

class SqlitePersistence implements Persistence {
  private readonly putStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly revStmt: Database.Statement;
  private readonly delTx: (gr: string, ns: string, name: string, rv: number) => void;

  constructor(private readonly db: Database.Database) {
    this.putStmt = db.prepare('INSERT INTO objects(gr, namespace, name, rv, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT(gr, namespace, name) DO UPDATE SET rv = excluded.rv, data = excluded.data');
    this.delStmt = db.prepare('DELETE FROM objects WHERE gr = ? AND namespace = ? AND name = ?');
    this.revStmt = db.prepare("INSERT INTO meta(key, value) VALUES ('revision', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.delTx = db.transaction((gr: string, ns: string, name: string, rv: number) => {
      this.delStmt.run(gr, ns, name);
      this.revStmt.run(rv);
    });
  }

  /**
   * One autocommitted statement: the row carries its rv, and the store's
   * revision on open is the larger of max(rv) and the meta row (which only
   * deletes need to advance) — half the statements of put + meta per write.
   */
  put(gr: string, namespace: string, name: string, rv: number, json: string): void {
    this.putStmt.run(gr, namespace, name, rv, json);
  }
  remove(gr: string, namespace: string, name: string, rv: number): void {
    this.delTx(gr, namespace, name, rv);
  }
  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openSqliteStore(file: string): MemoryStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${process.env.SKIFF_FSYNC === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS objects (
      gr TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
      rv INTEGER NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (gr, namespace, name)
    );
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `);
  const revRow = db.prepare("SELECT value FROM meta WHERE key = 'revision'").get() as { value: number } | undefined;
  const maxRow = db.prepare('SELECT MAX(rv) AS rv FROM objects').get() as { rv: number | null } | undefined;
  const rows = db.prepare('SELECT gr, data FROM objects').all() as Array<{ gr: string; data: string }>;
  const objects = rows.map((r) => ({ gr: r.gr, obj: JSON.parse(r.data) as KObject }));
  return new MemoryStore(new SqlitePersistence(db), { objects, revision: Math.max(revRow?.value ?? 0, maxRow?.rv ?? 0) });
}
