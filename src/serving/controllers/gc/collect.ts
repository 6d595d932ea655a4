// Which Revisions of a Configuration the garbage collector deletes (Knative
// pkg/reconciler/gc/gc.go), as a pure plan. Never collected: the latest
// ready and latest created revisions, revisions annotated
// `serving.knative.dev/no-gc: "true"`, and any revision the labeler has not
// put in `reserve` (so routed and still-pending ones stay). Of the rest,
// oldest-last-active first:
//   1. stale ones go (created before retain-since-create-time AND last active
//      before retain-since-last-active-time), but at least
//      min-non-active-revisions are kept;
//   2. then, if more than max-non-active-revisions remain, the oldest go.
// Unlike Knative (which waits for its 10 h resync), the plan also says when
// the next revision turns stale, so the controller can come back then.
import type { KObject } from '../../../api/meta.js';
import { A, L } from '../../../api/serving/constants.js';
import { DISABLED, type GcConfig } from './config.js';

export interface GcPlan {
  /** Revision names to delete, in order. */
  delete: string[];
  /** When (ms from now) another revision becomes collectable; undefined = not by time alone. */
  recheckAfterMs?: number;
}

function parseTime(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** routingStateModified, else creationTimestamp (Knative revisionLastActiveTime). */
export function lastActiveTime(rev: KObject): number {
  return parseTime(rev.metadata.annotations?.[A.routingStateModified]) || parseTime(rev.metadata.creationTimestamp);
}

export function isRevisionActive(rev: KObject, config: KObject): boolean {
  const name = rev.metadata.name;
  if (name === config.status?.latestReadyRevisionName || name === config.status?.latestCreatedRevisionName) return true;
  if ((rev.metadata.annotations?.[A.noGC] ?? '').toLowerCase() === 'true') return true;
  // Anything the labeler has not explicitly retired (pending, active, unlabelled) is in use.
  return rev.metadata.labels?.[L.routingState] !== 'reserve';
}

/** The earliest time `rev` may be collected by age; Infinity when age bounds are both disabled. */
function staleAt(cfg: GcConfig, rev: KObject): number {
  const { retainSinceCreateTimeMs: sinceCreate, retainSinceLastActiveTimeMs: sinceActive } = cfg;
  if (sinceCreate === DISABLED && sinceActive === DISABLED) return Infinity;
  let t = -Infinity;
  if (sinceCreate !== DISABLED) t = Math.max(t, parseTime(rev.metadata.creationTimestamp) + sinceCreate);
  if (sinceActive !== DISABLED) t = Math.max(t, lastActiveTime(rev) + sinceActive);
  return t;
}

export function planRevisionGc(config: KObject, revisions: KObject[], cfg: GcConfig, nowMs: number): GcPlan {
  const plan: GcPlan = { delete: [] };
  const min = cfg.minNonActiveRevisions;
  const max = cfg.maxNonActiveRevisions;
  if (max === DISABLED && cfg.retainSinceCreateTimeMs === DISABLED && cfg.retainSinceLastActiveTimeMs === DISABLED) return plan;

  const mine = revisions.filter((r) => r.metadata.labels?.[L.configuration] === config.metadata.name && !r.metadata.deletionTimestamp);
  if (mine.length <= min) return plan;
  const candidates = mine
    .filter((r) => !isRevisionActive(r, config))
    .sort((a, b) => lastActiveTime(a) - lastActiveTime(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
  if (candidates.length <= min) return plan;

  const deleted = new Set<string>();
  const maxDeletable = candidates.length - min;
  for (const rev of candidates) {
    if (deleted.size >= maxDeletable) break;
    if (staleAt(cfg, rev) <= nowMs) deleted.add(rev.metadata.name!);
  }
  const kept = candidates.filter((r) => !deleted.has(r.metadata.name!));
  if (deleted.size < maxDeletable && max !== DISABLED && kept.length > max) {
    // Too many left even so: the oldest non-active ones go regardless of age.
    for (const rev of kept.slice(0, kept.length - max)) deleted.add(rev.metadata.name!);
  }
  plan.delete = candidates.map((r) => r.metadata.name!).filter((n) => deleted.has(n));

  const remaining = candidates.filter((r) => !deleted.has(r.metadata.name!));
  if (remaining.length > min) {
    const next = Math.min(...remaining.map((r) => staleAt(cfg, r)));
    if (Number.isFinite(next) && next > nowMs) plan.recheckAfterMs = next - nowMs;
  }
  return plan;
}
