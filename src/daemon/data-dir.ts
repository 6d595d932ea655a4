// The data directory: where state (SQLite), logs and the running instance's
// record live, and the lock that keeps two `skiff up` off one directory.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultDataDir(): string {
  return process.env.SKIFF_DATA_DIR || join(homedir(), '.skiff');
}

export interface InstanceRecord {
  api: string;
  gateway: string;
  pid: number;
  dataDir: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  readonly code = 'SKIFF_ERR_DATA_DIR_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`another Skiff (pid ${pid}) is already running with data directory ${dataDir}; stop it first (or use --data-dir for a second instance)`);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A recycled pid belonging to something else is not our lock holder.
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /skiff|node/.test(cmd);
  } catch {
    return true;
  }
}

/** Take the data-dir lock or throw DataDirLockedError. Stale locks (dead pid) are taken over. */
export function lockDataDir(dir: string): { release(): void } {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const lockFile = join(abs, 'skiff.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release() {
          try {
            if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (holder !== process.pid && processAlive(holder)) throw new DataDirLockedError(abs, holder);
      rmSync(lockFile, { force: true }); // stale: previous instance died
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

export function writeInstanceRecord(dir: string, rec: InstanceRecord): void {
  const file = join(dir, 'api.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readInstanceRecord(dir: string): InstanceRecord | undefined {
  const file = join(dir, 'api.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstanceRecord;
  } catch {
    return undefined;
  }
}

export function removeInstanceRecord(dir: string): void {
  rmSync(join(dir, 'api.json'), { force: true });
}
