// Which pods a ReplicaSet removes first when scaling down (pure), following
// Kubernetes' ActivePodsWithRanks order: unscheduled before scheduled,
// Pending before Unknown before Running, not ready before ready, ready for a
// shorter time before longer, more restarts before fewer, newer before older.
import type { KObject } from '../../api/meta.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readyCondition(p: KObject): { ready: boolean; since: number } {
  const c = (p.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
  const since = Date.parse(c?.lastTransitionTime ?? '');
  return { ready: c?.status === 'True', since: Number.isFinite(since) ? since : 0 };
}

function restarts(p: KObject): number {
  return (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => Math.max(n, c.restartCount ?? 0), 0);
}

function created(p: KObject): number {
  const t = Date.parse(p.metadata.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: KObject, b: KObject): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = readyCondition(a);
  const rb = readyCondition(b);
  if (ra.ready !== rb.ready) return ra.ready ? 1 : -1;
  if (ra.ready && ra.since !== rb.since) return rb.since - ra.since; // ready more recently goes first
  const xa = restarts(a);
  const xb = restarts(b);
  if (xa !== xb) return xb - xa;
  const ca = created(a);
  const cb = created(b);
  if (ca !== cb) return cb - ca; // newer first
  return (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
}

export function choosePodsToDelete(pods: KObject[], count: number): KObject[] {
  if (count <= 0) return [];
  return [...pods].sort(compareForDeletion).slice(0, count);
}
