// Gradual rollout of a configuration target's new latest revision
// (route/traffic/rollout.go). The state lives as JSON in the KIngress
// annotation `networking.internal.knative.dev/rollout`, with Knative's field
// names and nanosecond Unix timestamps, so it reads the same as on a cluster:
//   start   → the newest old revision with traffic gives 1 % to the new one;
//   ready   → once the KIngress serves that (ObserveReady): minStep = time the
//             1 % step took, steps = min(P−1, (D−minStep)/minStep), size =
//             round((P−1)/steps), one step every (D−minStep)/steps;
//   step    → drain `size` % from the newest old revision backwards;
//   done    → only the new revision is left.
// Only latestRevision targets with P > 1 roll out (P = 1 is left alone, 0 ignored).
// Pure: time is passed in (ns), inputs are never mutated.
import type { RevisionTarget } from './traffic.js';

export interface RevisionRollout {
  revisionName: string;
  /** Share of the whole route's traffic (not of the configuration's). */
  percent: number;
}

export interface RolloutParams {
  /** ns since the epoch when the rollout began (0 = none). */
  starttime: number;
  /** ns since the epoch of the next step (0 = not scheduled). */
  nextStepTime: number;
  /** ns between steps (0 = not computed yet: waiting for the 1 % step to be served). */
  stepDuration: number;
  /** Percent moved per step. */
  stepSize: number;
}

export interface ConfigurationRollout {
  configurationName: string;
  /** '' for the default target. */
  tag: string;
  /** Total percent of the configuration target; the revisions' percents sum to it. */
  percent: number;
  /** Oldest first; the last one is the newest (the one being rolled out to). */
  revisions: RevisionRollout[];
  stepParams: RolloutParams;
}

/** Sorted by tag, then configuration name. */
export interface Rollout {
  configurations: ConfigurationRollout[];
}

const emptyParams = (): RolloutParams => ({ starttime: 0, nextStepTime: 0, stepDuration: 0, stepSize: 0 });

function cloneRollout(r: Rollout): Rollout {
  return {
    configurations: r.configurations.map((c) => ({ ...c, revisions: c.revisions.map((x) => ({ ...x })), stepParams: { ...c.stepParams } })),
  };
}

function sortRollout(r: Rollout): void {
  r.configurations.sort((a, b) => (a.tag === b.tag ? cmp(a.configurationName, b.configurationName) : cmp(a.tag, b.tag)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** BuildRollout: the steady-state rollout for the current traffic (one revision per configuration target). */
export function buildRollout(targets: Map<string, RevisionTarget[]>): Rollout {
  const r: Rollout = { configurations: [] };
  for (const [tag, rts] of targets) {
    for (const rt of rts) {
      if (!rt.latestRevision || rt.percent === 0) continue;
      r.configurations.push({
        configurationName: rt.configurationName,
        tag,
        percent: rt.percent,
        revisions: [{ revisionName: rt.revisionName, percent: rt.percent }],
        stepParams: emptyParams(),
      });
    }
  }
  sortRollout(r);
  return r;
}

/** The configuration rollouts of one tag. */
export function rolloutsByTag(r: Rollout, tag: string): ConfigurationRollout[] {
  return r.configurations.filter((c) => c.tag === tag);
}

/** True when no configuration is mid-rollout. */
export function rolloutDone(r: Rollout): boolean {
  return r.configurations.every((c) => c.revisions.length < 2);
}

/** Rollout.Validate: discard state whose numbers do not add up. */
export function validateRollout(r: Rollout): boolean {
  for (const c of r.configurations) {
    if (c.percent > 100) return false;
    if (c.stepParams.stepSize < 0 || c.stepParams.stepSize > c.percent) return false;
    if (c.revisions.reduce((s, x) => s + x.percent, 0) !== c.percent) return false;
  }
  return true;
}

/** JSON as Knative writes it (omitempty fields dropped; stepParams always present). */
export function serializeRollout(r: Rollout): string {
  const cfgs = r.configurations.map((c) => {
    const o: Record<string, unknown> = { configurationName: c.configurationName };
    if (c.tag) o.tag = c.tag;
    o.percent = c.percent;
    if (c.revisions.length) o.revisions = c.revisions.map((x) => ({ revisionName: x.revisionName, percent: x.percent }));
    const p: Record<string, number> = {};
    if (c.stepParams.starttime) p.starttime = c.stepParams.starttime;
    if (c.stepParams.nextStepTime) p.nextStepTime = c.stepParams.nextStepTime;
    if (c.stepParams.stepDuration) p.stepDuration = c.stepParams.stepDuration;
    if (c.stepParams.stepSize) p.stepSize = c.stepParams.stepSize;
    o.stepParams = p;
    return o;
  });
  return JSON.stringify(cfgs.length ? { configurations: cfgs } : {});
}

const num = (v: unknown): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError('not a number');
  return v;
};
const str = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new TypeError('not a string');
  return v;
};

/**
 * Parse the annotation; undefined for empty, corrupt or inconsistent state
 * (rollouts are not mission critical: a bad annotation just restarts from
 * the current traffic). `onProblem` hears why.
 */
export function deserializeRollout(s: string | undefined, onProblem?: (why: string) => void): Rollout | undefined {
  if (!s) return undefined;
  let r: Rollout;
  try {
    const raw = JSON.parse(s) as { configurations?: unknown };
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new TypeError('not an object');
    const list = raw.configurations ?? [];
    if (!Array.isArray(list)) throw new TypeError('configurations is not a list');
    r = {
      configurations: list.map((c: Record<string, unknown>) => {
        const revs = c.revisions ?? [];
        if (!Array.isArray(revs)) throw new TypeError('revisions is not a list');
        const sp = (c.stepParams ?? {}) as Record<string, unknown>;
        return {
          configurationName: str(c.configurationName),
          tag: str(c.tag),
          percent: num(c.percent),
          revisions: revs.map((x: Record<string, unknown>) => ({ revisionName: str(x.revisionName), percent: num(x.percent) })),
          stepParams: { starttime: num(sp.starttime), nextStepTime: num(sp.nextStepTime), stepDuration: num(sp.stepDuration), stepSize: num(sp.stepSize) },
        };
      }),
    };
  } catch (err) {
    onProblem?.(`error deserializing rollout ${s}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  if (!validateRollout(r)) {
    onProblem?.(`deserialized rollout is invalid: ${s}`);
    return undefined;
  }
  return r;
}

/**
 * ObserveReady: the KIngress now serves the 1 % step; compute step size and
 * timing for every configuration that started a rollout but has none yet.
 * Returns a new Rollout.
 */
export function observeReady(r: Rollout, nowNs: number, durationSecs: number): Rollout {
  const out = cloneRollout(r);
  for (const c of out.configurations) {
    if (c.stepParams.stepDuration === 0 && c.stepParams.starttime > 0) {
      const minStepSec = Math.max(1, Math.ceil((nowNs - c.stepParams.starttime) / 1e9));
      computeProperties(c, nowNs, minStepSec, durationSecs);
    }
  }
  return out;
}

function computeProperties(c: ConfigurationRollout, nowNs: number, minStepSec: number, durationSecs: number): void {
  // The 1 % step already used minStepSec of the duration; if it took longer
  // than the whole duration, do the rest in one step.
  const d = Math.max(1, durationSecs - minStepSec);
  let numSteps = Math.max(1, d / minStepSec);
  const remPercent = c.percent - 1;
  if (remPercent < numSteps) numSteps = remPercent;
  // Round, not floor: 1.9 → 1 would almost double the rollout time.
  const stepSize = Math.round(remPercent / numSteps);
  const stepDuration = (d / numSteps) * 1e9;
  c.stepParams.stepDuration = Math.trunc(stepDuration);
  c.stepParams.stepSize = stepSize;
  c.stepParams.nextStepTime = Math.trunc(nowNs + stepDuration);
}

/** Target % changed mid-rollout: more → to the newest revision; less → from the oldest first. */
function adjustPercentage(goal: number, cr: ConfigurationRollout): void {
  const diff = goal - cr.percent;
  if (goal === 0) {
    cr.revisions = [];
  } else if (diff > 0) {
    cr.revisions[cr.revisions.length - 1].percent += diff;
  } else if (diff < 0) {
    let left = -diff;
    let i = 0;
    while (left > 0 && i < cr.revisions.length) {
      if (cr.revisions[i].percent > left) {
        cr.revisions[i].percent -= left;
        break;
      }
      left -= cr.revisions[i].percent;
      i++;
    }
    cr.revisions = cr.revisions.slice(i);
  }
}

/** Move one step of traffic to the newest revision, draining the newest old revision first. */
function stepRevisions(goal: ConfigurationRollout, nowNs: number): void {
  if (nowNs < goal.stepParams.nextStepTime || goal.revisions.length < 2) return;
  const revs = goal.revisions;
  const revLen = revs.length;
  let remaining = goal.stepParams.stepSize;
  let writePos = revLen - 1;
  let readPos = revLen - 2;
  while (remaining > 0 && readPos >= 0) {
    if (revs[readPos].percent > remaining) {
      revs[readPos].percent -= remaining;
      break;
    }
    remaining -= revs[readPos].percent;
    writePos--;
    readPos--;
  }
  revs[writePos] = revs[revLen - 1];
  revs[writePos].percent += goal.stepParams.stepSize;
  // The step can exceed what is left when the target shrank meanwhile.
  if (revs[writePos].percent > goal.percent) revs[writePos].percent = goal.percent;
  goal.revisions = revs.slice(0, writePos + 1);
  if (goal.revisions.length > 1) goal.stepParams.nextStepTime = nowNs + goal.stepParams.stepDuration;
  else goal.stepParams = emptyParams();
}

function stepConfig(goal: ConfigurationRollout, prev: ConfigurationRollout, nowNs: number): ConfigurationRollout {
  const ret: ConfigurationRollout = {
    configurationName: goal.configurationName,
    tag: goal.tag,
    percent: goal.percent,
    revisions: goal.revisions.map((x) => ({ ...x })),
    stepParams: emptyParams(),
  };
  if (prev.revisions.length > 0) adjustPercentage(goal.percent, prev);
  const pc = prev.revisions.length;
  if (pc === 0 || goal.revisions[0].revisionName === prev.revisions[pc - 1].revisionName) {
    // No new revision: keep stepping an ongoing rollout (once its parameters are known).
    if (pc > 1) {
      ret.revisions = prev.revisions;
      ret.stepParams = { ...prev.stepParams };
      if (ret.stepParams.stepSize > 0) stepRevisions(ret, nowNs);
    }
    return ret;
  }
  // A new revision: start (or stack) a rollout with 1 % taken from the newest old revision with traffic.
  ret.stepParams.starttime = nowNs;
  for (let i = pc - 1; i >= 0; i--) {
    if (prev.revisions[i].percent > 0) {
      prev.revisions[i].percent--;
      break;
    }
  }
  const out = prev.revisions.filter((x) => x.percent !== 0).map((x) => ({ ...x }));
  out.push({ revisionName: goal.revisions[0].revisionName, percent: 1 });
  ret.revisions = out;
  return ret;
}

/**
 * Step: merge the desired (steady) rollout `cur` with the previous state.
 * Returns the effective rollout and the ns time of the next step (0 = none).
 */
export function stepRollout(cur: Rollout, prevIn: Rollout | undefined, nowNs: number): { rollout: Rollout; nextStepTime: number } {
  if (!prevIn || prevIn.configurations.length === 0) return { rollout: cloneRollout(cur), nextStepTime: 0 };
  const prev = cloneRollout(prevIn);
  const curC = cloneRollout(cur);
  const byTag = (r: Rollout) => {
    const m = new Map<string, ConfigurationRollout[]>();
    for (const c of r.configurations) {
      const l = m.get(c.tag) ?? [];
      l.push(c);
      m.set(c.tag, l);
    }
    return m;
  };
  const currConfigs = byTag(curC);
  const prevConfigs = byTag(prev);
  const ret: ConfigurationRollout[] = [];
  let next = Infinity;
  for (const [tag, ccfgs] of currConfigs) {
    const pcfgs = prevConfigs.get(tag);
    if (!pcfgs) {
      // A new tag: nothing to roll from.
      ret.push(ccfgs[0]);
      continue;
    }
    let i = 0;
    let j = 0;
    while (i < ccfgs.length) {
      if (j >= pcfgs.length) {
        ret.push(ccfgs[i++]);
      } else if (ccfgs[i].configurationName === pcfgs[j].configurationName) {
        const p = ccfgs[i].percent;
        if (p > 1) {
          const sc = stepConfig(ccfgs[i], pcfgs[j], nowNs);
          ret.push(sc);
          const nst = sc.stepParams.nextStepTime;
          if (nst > 0 && nst < next) next = nst;
        } else if (p === 1) {
          ret.push(ccfgs[i]);
        }
        i++;
        j++;
      } else if (ccfgs[i].configurationName < pcfgs[j].configurationName) {
        if (ccfgs[i].percent !== 0) ret.push(ccfgs[i]);
        i++;
      } else {
        j++;
      }
    }
  }
  const rollout: Rollout = { configurations: ret };
  sortRollout(rollout);
  return { rollout, nextStepTime: next === Infinity ? 0 : next };
}
