// Deployment rollout arithmetic and status (pure; the controller does the
// writes). One reconcile takes one step, like the Kubernetes deployment
// controller, and converges as ReplicaSet statuses change:
//  - RollingUpdate: scale the new ReplicaSet up within `replicas + maxSurge`
//    total, scale old ones down while at least `replicas - maxUnavailable`
//    pods stay available — unhealthy old pods first, then oldest ReplicaSets
//    first. (maxSurge rounds up, maxUnavailable down; both 0 → 1 unavailable.)
//  - Recreate: old ReplicaSets to 0, wait until their pods are gone, then the
//    new one to `replicas`.
// Deliberately simpler than Kubernetes: a Deployment scaled in the middle of
// a rollout is not scaled proportionally across ReplicaSets — the new one is
// clamped to `replicas` and the old ones drain through the rolling rules.
import type { Condition } from '../../api/meta.js';
import { kubeTime } from '../deps.js';

export interface RSView {
  name: string;
  /** spec.replicas */
  replicas: number;
  /** status.availableReplicas */
  available: number;
  /** For ordering old ReplicaSets (oldest first). */
  created: number;
}

export function resolveIntOrPercent(v: unknown, total: number, roundUp: boolean, dflt: string): number {
  const raw = v === undefined || v === null ? dflt : v;
  if (typeof raw === 'number') return Math.max(0, Math.floor(raw));
  const m = /^(\d+)%$/.exec(String(raw));
  if (m) {
    const x = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  const n = Number(raw);
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}

/** Kubernetes' ResolveFenceposts. */
export function resolveFenceposts(rollingUpdate: any, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = resolveIntOrPercent(rollingUpdate?.maxSurge, replicas, true, '25%');
  let maxUnavailable = resolveIntOrPercent(rollingUpdate?.maxUnavailable, replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export interface RolloutPlan {
  newReplicas: number;
  /** Target spec.replicas per old ReplicaSet name (only those that change). */
  old: Record<string, number>;
}

export function planRollingUpdate(opts: { replicas: number; maxSurge: number; maxUnavailable: number; newRS: RSView; oldRSs: RSView[] }): RolloutPlan {
  const { replicas, maxSurge, maxUnavailable } = opts;
  const olds = [...opts.oldRSs].sort((a, b) => a.created - b.created || a.name.localeCompare(b.name));
  const oldTotal = olds.reduce((n, r) => n + r.replicas, 0);
  let newReplicas = opts.newRS.replicas;
  if (newReplicas < replicas) {
    const room = replicas + maxSurge - (newReplicas + oldTotal);
    newReplicas += Math.max(0, Math.min(room, replicas - newReplicas));
  } else if (newReplicas > replicas) newReplicas = replicas;

  const old: Record<string, number> = {};
  if (oldTotal > 0) {
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = Math.max(0, newReplicas - opts.newRS.available);
    let budget = newReplicas + oldTotal - minAvailable - newUnavailable;
    const target = new Map(olds.map((r) => [r.name, r.replicas]));
    // Unhealthy old pods cost no availability: remove them first.
    for (const r of olds) {
      if (budget <= 0) break;
      const unhealthy = Math.max(0, r.replicas - r.available);
      const take = Math.min(unhealthy, budget);
      if (take > 0) {
        target.set(r.name, r.replicas - take);
        budget -= take;
      }
    }
    // Then available ones, as long as enough stay available overall.
    const available = opts.newRS.available + olds.reduce((n, r) => n + r.available, 0);
    let scaleDown = Math.min(budget, available - minAvailable);
    for (const r of olds) {
      if (scaleDown <= 0) break;
      const cur = target.get(r.name)!;
      const take = Math.min(cur, scaleDown);
      if (take > 0) {
        target.set(r.name, cur - take);
        scaleDown -= take;
      }
    }
    for (const r of olds) if (target.get(r.name) !== r.replicas) old[r.name] = target.get(r.name)!;
  }
  return { newReplicas, old };
}

export function planRecreate(opts: { replicas: number; newRS: RSView; oldRSs: RSView[]; oldPodsRemaining: number }): RolloutPlan {
  const old: Record<string, number> = {};
  for (const r of opts.oldRSs) if (r.replicas > 0) old[r.name] = 0;
  if (Object.keys(old).length || opts.oldPodsRemaining > 0) return { newReplicas: opts.newRS.replicas > 0 ? 0 : opts.newRS.replicas, old };
  return { newReplicas: opts.replicas, old };
}

// ---------------------------------------------------------------- status

export interface DeploymentCounts {
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Σ spec.replicas of old ReplicaSets. */
  oldReplicas: number;
}

type DeploymentCondition = Condition & { lastUpdateTime?: string };

function setCondition(prev: DeploymentCondition[], c: Omit<DeploymentCondition, 'lastTransitionTime' | 'lastUpdateTime'>, now: number, touch: boolean): DeploymentCondition {
  const old = prev.find((x) => x.type === c.type);
  const t = kubeTime(now);
  const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
  return {
    type: c.type,
    status: c.status,
    lastUpdateTime: same && !touch ? old.lastUpdateTime ?? t : t,
    lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : t,
    reason: c.reason,
    message: c.message,
  };
}

/**
 * Available and Progressing conditions, Kubernetes wording. Returns the
 * conditions and, while a rollout is in progress, when to look again for
 * the progress deadline.
 */
export function deploymentConditions(opts: {
  prev: DeploymentCondition[] | undefined;
  prevCounts: DeploymentCounts | undefined;
  counts: DeploymentCounts;
  desired: number;
  maxUnavailable: number;
  newRSName: string | undefined;
  createdNewRS: boolean;
  newGeneration: boolean;
  paused: boolean;
  progressDeadlineSeconds: number;
  now: number;
}): { conditions: DeploymentCondition[]; recheckAfterMs?: number } {
  const prev = opts.prev ?? [];
  const { counts, desired, now } = opts;
  const available =
    counts.availableReplicas >= desired - opts.maxUnavailable
      ? setCondition(prev, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now, false)
      : setCondition(prev, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now, false);
  const rs = opts.newRSName ?? '';
  const complete = counts.updatedReplicas === desired && counts.replicas === desired && counts.availableReplicas === desired && counts.oldReplicas === 0;
  const p = opts.prevCounts;
  const progressed =
    opts.newGeneration ||
    !p ||
    counts.updatedReplicas > p.updatedReplicas ||
    counts.availableReplicas > p.availableReplicas ||
    counts.readyReplicas > p.readyReplicas ||
    counts.oldReplicas < p.oldReplicas ||
    counts.replicas !== p.replicas;
  const oldProgressing = prev.find((c) => c.type === 'Progressing');
  let progressing: DeploymentCondition;
  let recheckAfterMs: number | undefined;
  if (opts.paused) {
    progressing = setCondition(prev, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, now, false);
  } else if (opts.createdNewRS) {
    progressing = setCondition(prev, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rs}"` }, now, true);
  } else if (complete) {
    progressing = setCondition(prev, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` }, now, false);
  } else if (progressed) {
    progressing = setCondition(prev, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` }, now, true);
  } else if (oldProgressing?.reason === 'NewReplicaSetAvailable') {
    // A finished rollout that lost a pod is not "progressing" again (Kubernetes keeps the condition).
    progressing = { ...oldProgressing };
  } else if (oldProgressing) {
    const since = Date.parse(oldProgressing.lastUpdateTime ?? oldProgressing.lastTransitionTime ?? '') || now;
    const deadline = since + opts.progressDeadlineSeconds * 1000;
    if (oldProgressing.status === 'False' || now >= deadline) {
      progressing = setCondition(prev, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.` }, now, false);
    } else {
      progressing = { ...oldProgressing };
      recheckAfterMs = deadline - now;
    }
  } else {
    progressing = setCondition(prev, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` }, now, true);
  }
  if (!complete && progressing.status === 'True' && progressing.reason !== 'NewReplicaSetAvailable' && recheckAfterMs === undefined)
    recheckAfterMs = opts.progressDeadlineSeconds * 1000 + 1000;
  return { conditions: [available, progressing], ...(recheckAfterMs !== undefined ? { recheckAfterMs } : {}) };
}
