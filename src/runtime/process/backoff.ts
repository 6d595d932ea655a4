// Crash-loop back-off, as the kubelet does it (pure; times are passed in):
// the first restart after a crash is immediate and arms a 10 s back-off; a
// container that crashes again while armed waits out the back-off, which then
// doubles (10 s, 20 s, 40 s … capped at 5 min). A container that last
// (re)started more than `resetAfterMs` (10 min = 2 × max) before it finished
// starts over at 10 s. While waiting the container shows
// `CrashLoopBackOff` / `back-off 20s restarting failed container=…`.
import { goDuration } from '../deps.js';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** An entry older than this (between its last update and the next crash) is forgotten. */
  resetAfterMs: number;
}

export const KUBELET_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

export function backoffPolicy(p: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const initialMs = p.initialMs ?? KUBELET_BACKOFF.initialMs;
  const maxMs = p.maxMs ?? Math.max(initialMs, KUBELET_BACKOFF.maxMs * (initialMs / KUBELET_BACKOFF.initialMs));
  return { initialMs, maxMs, resetAfterMs: p.resetAfterMs ?? 2 * maxMs };
}

export interface BackoffEntry {
  backoffMs: number;
  /** When the entry was last advanced (ms). */
  lastUpdate: number;
}

function expired(entry: BackoffEntry, finishedAt: number, p: BackoffPolicy): boolean {
  return finishedAt - entry.lastUpdate > p.resetAfterMs;
}

/** How long to wait, from `now`, before restarting a container that finished at `finishedAt`. 0 = now. */
export function restartDelay(entry: BackoffEntry | undefined, finishedAt: number, now: number, p: BackoffPolicy): number {
  if (!entry || expired(entry, finishedAt, p)) return 0;
  return Math.max(0, finishedAt + entry.backoffMs - now);
}

/** Advance the entry when a restart happens (kubelet's Backoff.Next). */
export function nextBackoff(entry: BackoffEntry | undefined, finishedAt: number, now: number, p: BackoffPolicy): BackoffEntry {
  if (!entry || expired(entry, finishedAt, p)) return { backoffMs: p.initialMs, lastUpdate: now };
  return { backoffMs: Math.min(entry.backoffMs * 2, p.maxMs), lastUpdate: now };
}

/** The kubelet's CrashLoopBackOff message. `podRef` is `name_namespace(uid)`. */
export function crashLoopMessage(backoffMs: number, container: string, podRef: string): string {
  return `back-off ${goDuration(backoffMs)} restarting failed container=${container} pod=${podRef}`;
}
