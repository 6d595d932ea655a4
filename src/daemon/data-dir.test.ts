import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, lockDataDir, readInstanceRecord, writeInstanceRecord } from './data-dir.js';

test('data dir lock: second holder refused, stale lock taken over, released on release()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dd-'));
  const l = lockDataDir(dir);
  // Same process locking again is allowed to take over only if the holder is dead; here a live foreign pid holds it.
  writeFileSync(join(dir, 'skiff.lock'), String(process.ppid));
  assert.throws(() => lockDataDir(dir), (e: unknown) => e instanceof DataDirLockedError && /already running/.test((e as Error).message));
  writeFileSync(join(dir, 'skiff.lock'), '999999999'); // dead pid
  const l2 = lockDataDir(dir);
  l2.release();
  l.release();
  writeInstanceRecord(dir, { api: 'http://127.0.0.1:1', gateway: 'http://127.0.0.1:2', pid: 1, dataDir: dir, startedAt: 'x' });
  assert.equal(readInstanceRecord(dir)?.api, 'http://127.0.0.1:1');
  rmSync(dir, { recursive: true, force: true });
});
