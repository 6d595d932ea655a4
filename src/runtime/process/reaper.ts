// No orphans: pid files per container process, the agent's marker variable,
// the data-dir lock, and the start-up reaper.
//
// Each pod process gets `SKIFF_AGENT_ID=<id of the data dir>` in its
// environment (children inherit it) and a pid file
// `<dataDir>/run/<ns>_<pod>_<uid>_<container>.json` with pid, pgid and the
// start time from /proc/<pid>/stat. Before a (re)started agent runs anything,
// `reapStragglers` SIGKILLs every process that is either a recorded process
// with the same start time (a recycled pid has a different one, so it is
// never touched) or carries this data dir's marker — the latter catches
// grandchildren that outlived a SIGKILLed agent (pdeathsig only reaches the
// direct child) — and waits until they are gone, so no old generation of a
// pod and no port it held survives into the new run.
//
// When a container instance exits, anything still carrying its
// `SKIFF_CONTAINER_ID` (a daemonised grandchild that left the process group)
// is killed too, the way a container's cgroup would take it down.
//
// The lock file keeps two agents off one data dir: reaping would otherwise
// kill the other agent's pods.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RuntimeError } from '../deps.js';
import { isSameProcessAlive, killQuietly, listPids, readEnviron, readProcStat } from './procfs.js';

export const AGENT_ID_ENV = 'SKIFF_AGENT_ID';
/** Per container instance; lets the agent find what an instance left behind when it exits. */
export const CONTAINER_ID_ENV = 'SKIFF_CONTAINER_ID';

export interface PidRecord {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  pid: number;
  pgid: number;
  /** /proc start time in clock ticks; 0 when /proc is unavailable. */
  startTime: number;
}

export async function agentIdFor(dataDir: string): Promise<string> {
  const real = await realpath(dataDir).catch(() => dataDir);
  return createHash('sha256').update(real).digest('hex').slice(0, 16);
}

/** Atomic JSON write: temp file + rename, so a crash never leaves half a record. */
async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}

export class PidFiles {
  constructor(readonly dir: string) {}

  private path(r: Pick<PidRecord, 'namespace' | 'pod' | 'uid' | 'container'>): string {
    return join(this.dir, `${r.namespace}_${r.pod}_${r.uid}_${r.container}.json`);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async write(r: PidRecord): Promise<void> {
    await writeJsonAtomic(this.path(r), r);
  }

  async remove(r: Pick<PidRecord, 'namespace' | 'pod' | 'uid' | 'container'>): Promise<void> {
    await rm(this.path(r), { force: true });
  }

  async list(): Promise<PidRecord[]> {
    const out: PidRecord[] = [];
    for (const f of await readdir(this.dir).catch(() => [] as string[])) {
      if (!f.endsWith('.json')) continue;
      try {
        const r = JSON.parse(await readFile(join(this.dir, f), 'utf8'));
        if (Number.isInteger(r?.pid)) out.push(r);
      } catch {
        // A torn or foreign file: ignore; the marker scan still finds its process.
      }
    }
    return out;
  }

  async clear(): Promise<void> {
    for (const f of await readdir(this.dir).catch(() => [] as string[])) if (f.endsWith('.json') || f.endsWith('.tmp')) await rm(join(this.dir, f), { force: true });
  }
}

/** Our pid and our ancestors: never reaped, whatever their environment says. */
async function protectedPids(): Promise<Set<number>> {
  const out = new Set<number>([process.pid]);
  let pid = process.ppid;
  for (let i = 0; i < 64 && pid > 1; i++) {
    out.add(pid);
    const st = await readProcStat(pid);
    if (!st) break;
    pid = st.ppid;
  }
  return out;
}

function hasVar(environ: string, assignment: string): boolean {
  return environ.startsWith(assignment + '\0') || environ.includes('\0' + assignment + '\0') || environ === assignment || environ.endsWith('\0' + assignment);
}

async function waitGone(pids: Iterable<number>, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (const pid of pids) {
    while (Date.now() < deadline) {
      const st = await readProcStat(pid);
      if (!st || st.state === 'Z') break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * SIGKILL every process whose environment holds one of `assignments`
 * (`NAME=value`), except ourselves and our ancestors; wait until they are gone.
 */
export async function killMarked(assignments: string[], waitMs = 5000): Promise<number[]> {
  if (!assignments.length) return [];
  const keep = await protectedPids();
  const victims: number[] = [];
  for (const pid of await listPids()) {
    if (keep.has(pid)) continue;
    const env = await readEnviron(pid);
    if (env && assignments.some((a) => hasVar(env, a))) victims.push(pid);
  }
  for (const pid of victims) killQuietly(pid, 'SIGKILL');
  await waitGone(victims, waitMs);
  return victims;
}

/**
 * Kill leftovers of a previous agent run: recorded processes whose start
 * time still matches, and anything carrying this data dir's marker. Returns
 * the pids killed, once they have exited (zombies count as exited).
 */
export async function reapStragglers(opts: { records: PidRecord[]; agentId: string; waitMs?: number }): Promise<number[]> {
  const keep = await protectedPids();
  const victims = new Set<number>();
  for (const r of opts.records) {
    if (keep.has(r.pid)) continue;
    if (r.startTime > 0 && (await isSameProcessAlive(r.pid, r.startTime))) {
      victims.add(r.pid);
      killQuietly(-r.pgid, 'SIGKILL');
      killQuietly(r.pid, 'SIGKILL');
    }
  }
  await waitGone(victims, opts.waitMs ?? 5000);
  for (const pid of await killMarked([`${AGENT_ID_ENV}=${opts.agentId}`], opts.waitMs)) victims.add(pid);
  return [...victims];
}

/**
 * Exclusive use of a data dir by one agent. A lock left by a dead agent (pid
 * gone or recycled) is taken over.
 */
export class AgentLock {
  constructor(private readonly path: string) {}

  async acquire(): Promise<void> {
    try {
      const held = JSON.parse(await readFile(this.path, 'utf8'));
      if (held?.pid && held.pid !== process.pid && (await isSameProcessAlive(held.pid, held.startTime)))
        throw new RuntimeError('SKIFF_ERR_AGENT_LOCKED', `another Skiff node agent (pid ${held.pid}) is using this data directory (${this.path})`);
    } catch (e) {
      if (e instanceof RuntimeError) throw e;
    }
    const st = await readProcStat(process.pid);
    await writeJsonAtomic(this.path, { pid: process.pid, startTime: st?.startTime ?? 0 });
  }

  async release(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
