// Knative "living" condition sets (knative.dev/pkg/apis ConditionSet /
// ConditionManager): a happy condition (`Ready` for long-running kinds,
// `Succeeded` for batch ones) that is the AND of its dependents, plus
// informational conditions with a severity. Works on plain status objects and
// never mutates its input: every mark returns a new status (or the same object
// when nothing changed), so frozen informer objects are safe to pass in.
//
// Deliberate differences from knative.dev/pkg:
// - lastTransitionTime moves only when a condition's status flips (the
//   Kubernetes convention) — Knative also moves it on reason/message changes.
// - the happy condition is recomputed from all dependents on every dependent
//   mark (first False wins, else first Unknown), so it never keeps a stale
//   False after the failing dependent recovers while another is still Unknown.
import type { Condition } from '../api/meta.js';
import { realClock, rfc3339, type Clock } from './clock.js';

export type ConditionStatus = Condition['status'];

/** knative.dev/pkg severities: Error is the empty string and is omitted from JSON. */
export const ConditionSeverity = { Error: '', Warning: 'Warning', Info: 'Info' } as const;
export type ConditionSeverityValue = (typeof ConditionSeverity)[keyof typeof ConditionSeverity];

/** The part of a status object this module reads and writes. */
export interface StatusWithConditions {
  conditions?: Condition[];
  observedGeneration?: number;
  [field: string]: unknown;
}

export interface ConditionSetOptions {
  clock?: Clock;
  /** Severity of non-dependent conditions by type (default Info, as in knative.dev/pkg). */
  severities?: Record<string, 'Warning' | 'Info'>;
}

/**
 * Minimal Go-style formatting for condition messages: %s %v %d %q %%.
 * With no args the format is returned as is (a literal '%' stays literal).
 */
export function formatMessage(format: string, ...args: unknown[]): string {
  if (args.length === 0) return format;
  let i = 0;
  return format.replace(/%([svdq%])/g, (m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return m;
    const a = args[i++];
    switch (verb) {
      case 'q':
        return JSON.stringify(String(a));
      case 'd':
        return String(typeof a === 'number' ? Math.trunc(a) : a);
      default:
        return a instanceof Error ? a.message : typeof a === 'object' && a !== null ? JSON.stringify(a) : String(a);
    }
  });
}

export class ConditionSet {
  readonly happy: string;
  readonly dependents: readonly string[];
  private readonly clock: Clock;
  private readonly severities: Record<string, 'Warning' | 'Info'>;

  constructor(happy: 'Ready' | 'Succeeded' | string, dependents: readonly string[], opts: ConditionSetOptions = {}) {
    if (dependents.includes(happy)) throw new Error(`ConditionSet: happy condition "${happy}" cannot also be a dependent`);
    this.happy = happy;
    this.dependents = Object.freeze([...dependents]);
    this.clock = opts.clock ?? realClock;
    this.severities = { ...opts.severities };
  }

  /** `Ready` = AND of dependents, for long-running kinds (Service, Revision, Route...). */
  static living(dependents: readonly string[], opts?: ConditionSetOptions): ConditionSet {
    return new ConditionSet('Ready', dependents, opts);
  }

  /** `Succeeded` = AND of dependents, for run-to-completion kinds. */
  static batch(dependents: readonly string[], opts?: ConditionSetOptions): ConditionSet {
    return new ConditionSet('Succeeded', dependents, opts);
  }

  /** Same set, different clock (e.g. a controller's injected clock). */
  withClock(clock: Clock): ConditionSet {
    return new ConditionSet(this.happy, this.dependents, { clock, severities: this.severities });
  }

  isDependent(type: string): boolean {
    return this.dependents.includes(type);
  }

  /** Error ('') for the happy condition and dependents, else the declared severity (default Info). */
  severityOf(type: string): ConditionSeverityValue {
    if (type === this.happy || this.isDependent(type)) return ConditionSeverity.Error;
    return this.severities[type] ?? ConditionSeverity.Info;
  }

  getCondition(status: StatusWithConditions | undefined, type: string): Condition | undefined {
    return status?.conditions?.find((c) => c.type === type);
  }

  getTopLevelCondition(status: StatusWithConditions | undefined): Condition | undefined {
    return this.getCondition(status, this.happy);
  }

  isHappy(status: StatusWithConditions | undefined): boolean {
    return this.getTopLevelCondition(status)?.status === 'True';
  }

  /**
   * Add the happy condition (Unknown) and every dependent that is missing:
   * True when happy is already True (it implies them), else Unknown.
   */
  initialize<S extends StatusWithConditions>(status: S | undefined): S {
    let s = (status ?? {}) as S;
    let happy = this.getCondition(s, this.happy);
    if (!happy) {
      s = this.setCondition(s, { type: this.happy, status: 'Unknown' });
      happy = this.getCondition(s, this.happy)!;
    }
    const depStatus: ConditionStatus = happy.status === 'True' ? 'True' : 'Unknown';
    for (const t of this.dependents) {
      if (!this.getCondition(s, t)) s = this.setCondition(s, { type: t, status: depStatus });
    }
    return s;
  }

  markTrue<S extends StatusWithConditions>(status: S | undefined, type: string, reason?: string, messageFormat?: string, ...args: unknown[]): S {
    return this.mark(status, type, 'True', reason, messageFormat, args);
  }

  markFalse<S extends StatusWithConditions>(status: S | undefined, type: string, reason: string, messageFormat?: string, ...args: unknown[]): S {
    return this.mark(status, type, 'False', reason, messageFormat, args);
  }

  markUnknown<S extends StatusWithConditions>(status: S | undefined, type: string, reason: string, messageFormat?: string, ...args: unknown[]): S {
    return this.mark(status, type, 'Unknown', reason, messageFormat, args);
  }

  /** Remove a non-happy condition (and recompute happy if it was a dependent). */
  clearCondition<S extends StatusWithConditions>(status: S | undefined, type: string): S {
    const s = (status ?? {}) as S;
    if (type === this.happy || !this.getCondition(s, type)) return s;
    const out = { ...s, conditions: s.conditions!.filter((c) => c.type !== type) } as S;
    return this.isDependent(type) ? this.recomputeHappy(out, type) : out;
  }

  /**
   * Put `cond` in place of any condition of the same type. `lastTransitionTime`
   * is kept when the status did not flip (unless `cond` brings its own) and set
   * to now when it did. Returns `status` itself when nothing changes.
   */
  setCondition<S extends StatusWithConditions>(status: S | undefined, cond: Condition): S {
    const s = (status ?? {}) as S;
    const existing = s.conditions ?? [];
    const prev = existing.find((c) => c.type === cond.type);
    const next: Condition = { type: cond.type, status: cond.status };
    const severity = cond.severity ?? this.severityOf(cond.type);
    if (severity) next.severity = severity;
    next.lastTransitionTime =
      cond.lastTransitionTime ?? (prev && prev.status === cond.status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(this.clock.now()));
    if (cond.reason) next.reason = cond.reason;
    if (cond.message) next.message = cond.message;
    if (prev && sameCondition(prev, next)) return s;
    const conditions = existing.filter((c) => c.type !== cond.type);
    conditions.push(next);
    conditions.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    return { ...s, conditions } as S;
  }

  private mark<S extends StatusWithConditions>(
    status: S | undefined,
    type: string,
    st: ConditionStatus,
    reason: string | undefined,
    messageFormat: string | undefined,
    args: unknown[],
  ): S {
    const message = messageFormat === undefined ? undefined : formatMessage(messageFormat, ...args);
    const s = this.setCondition(status, { type, status: st, reason, message });
    return this.isDependent(type) ? this.recomputeHappy(s, type) : s;
  }

  /** happy := first False dependent, else first Unknown/missing one, else True. The just-marked type's reason wins ties. */
  private recomputeHappy<S extends StatusWithConditions>(s: S, marked: string): S {
    let firstFalse: Condition | undefined;
    let firstUnknown: Condition | undefined;
    for (const t of this.dependents) {
      const c = this.getCondition(s, t) ?? { type: t, status: 'Unknown' as const };
      if (c.status === 'False') {
        if (!firstFalse || t === marked) firstFalse = c;
      } else if (c.status !== 'True') {
        if (!firstUnknown || t === marked) firstUnknown = c;
      }
    }
    const from = firstFalse ?? firstUnknown;
    if (!from) return this.setCondition(s, { type: this.happy, status: 'True' });
    return this.setCondition(s, { type: this.happy, status: from.status, reason: from.reason, message: from.message });
  }
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    (a.severity || '') === (b.severity || '') &&
    a.lastTransitionTime === b.lastTransitionTime &&
    (a.reason || '') === (b.reason || '') &&
    (a.message || '') === (b.message || '')
  );
}
