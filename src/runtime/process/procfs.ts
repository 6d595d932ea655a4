// Reading Linux /proc: process start times (to tell a live process from a
// recycled pid), process groups, and environments (to find processes carrying
// the agent's marker). Everything is async and tolerant: a process can vanish
// between listing and reading, which just means "not there".
import { readdir, readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  state: string;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  startTime: number;
}

/** Parse /proc/<pid>/stat text (pure; the command name may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field n is f[n - 3].
  const st: ProcStat = { pid, state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]), startTime: Number(f[19]) };
  return Number.isFinite(st.pid) && Number.isFinite(st.startTime) ? st : undefined;
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function listPids(): Promise<number[]> {
  try {
    return (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/** NUL-separated environment of a process (same user only), or undefined. */
export async function readEnviron(pid: number): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie, with the recorded start time. */
export async function isSameProcessAlive(pid: number, startTime: number): Promise<boolean> {
  const st = await readProcStat(pid);
  return !!st && st.state !== 'Z' && st.startTime === startTime;
}

export const SIGNALS: Record<string, number> = osConstants.signals as unknown as Record<string, number>;

/** kill(2) that ignores "no such process"; negative pid = process group. */
export function killQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function procfsAvailable(): Promise<boolean> {
  return readFile('/proc/self/stat', 'utf8').then(
    () => true,
    () => false,
  );
}
