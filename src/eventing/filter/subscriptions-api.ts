// Trigger `spec.filters` — the CloudEvents Subscriptions API filter dialects (exact, prefix,
// suffix, all, any, not, cesql) as Knative implements them (`pkg/eventfilter/subscriptionsapi`):
// validation with field paths for admission, and compilation of a whole Trigger filter spec
// (`filters` wins over the legacy `filter` when non-empty) into one `(event) => boolean`.
//
// Deliberate difference from Knative: Knative skips sub-filters it cannot build (logging them),
// which silently widens what a trigger receives. Here every problem is a validation error at
// admission, and `compileTriggerFilter` refuses an invalid spec (TriggerFilterError) so the
// controller can mark the Trigger not ready instead.

import type { CloudEventRecord } from '../cloudevents/event.js';
import { type EventFilter, FILTER_ATTRIBUTE_NAME, compileAttributesFilter, lookupAttribute, passAll, validateAttributesFilter } from './attributes.js';
import type { FieldError } from './field-error.js';

/** One Subscriptions API filter object; exactly one dialect must be set. */
export interface SubscriptionsApiFilter {
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
  all?: SubscriptionsApiFilter[];
  any?: SubscriptionsApiFilter[];
  not?: SubscriptionsApiFilter;
  cesql?: string;
}

/** The filter-related part of a TriggerSpec. */
export interface TriggerFilterSpec {
  filter?: { attributes?: Record<string, string> | null } | null;
  filters?: SubscriptionsApiFilter[] | null;
}

/** Structural view of the CESQL module (`src/eventing/filter/cesql/index.ts`), injected by callers. */
export interface CesqlExpressionLike {
  readonly source: string;
  evaluate(event: Record<string, unknown>): { value: boolean | number | string; errors: readonly unknown[] };
}

export interface CesqlDeps {
  /** Parse an expression; throws (CesqlError) on a syntax error. */
  compileCesql(expression: string): CesqlExpressionLike;
  /**
   * Optional match rule. Default (Knative's): the expression matches when it evaluates to Boolean
   * true with no evaluation errors; any error (e.g. a missing attribute) or non-Boolean → no match.
   */
  cesqlMatches?(expression: CesqlExpressionLike, event: Record<string, unknown>): boolean;
}

/** A Trigger filter spec that does not validate; `errors` carries every field problem. */
export class TriggerFilterError extends Error {
  readonly code = 'SKIFF_ERR_FILTER_INVALID';
  readonly httpStatus = 400;
  constructor(readonly errors: FieldError[]) {
    super(`invalid trigger filter: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'TriggerFilterError';
  }
}

export const FILTER_DIALECTS = ['all', 'any', 'cesql', 'exact', 'not', 'prefix', 'suffix'] as const;
type Dialect = (typeof FILTER_DIALECTS)[number];
const DIALECT_SET: ReadonlySet<string> = new Set(FILTER_DIALECTS);
const DIALECT_LIST = FILTER_DIALECTS.join(', ');

// ---------------------------------------------------------------------------------------------
// Validation

/** Validate a `filters` list at `path` (e.g. `spec.filters`). CESQL expressions are parsed. */
export function validateFilters(filters: unknown, path: string, deps: CesqlDeps): FieldError[] {
  const errors: FieldError[] = [];
  if (filters === undefined || filters === null) return errors;
  if (!Array.isArray(filters)) {
    errors.push({ path, message: 'must be a list of filters' });
    return errors;
  }
  filters.forEach((f, i) => validateFilter(f, `${path}[${i}]`, deps, errors));
  return errors;
}

/** Validate both `filter` and `filters` of a TriggerSpec found at `specPath` (e.g. `spec`). */
export function validateTriggerFilterSpec(spec: TriggerFilterSpec, specPath: string, deps: CesqlDeps): FieldError[] {
  const errors: FieldError[] = [];
  const filter = spec.filter as unknown;
  if (filter !== undefined && filter !== null) {
    if (typeof filter !== 'object' || Array.isArray(filter)) {
      errors.push({ path: `${specPath}.filter`, message: 'must be an object with "attributes"' });
    } else {
      errors.push(...validateAttributesFilter((filter as { attributes?: unknown }).attributes, `${specPath}.filter.attributes`));
    }
  }
  errors.push(...validateFilters(spec.filters, `${specPath}.filters`, deps));
  return errors;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value}`;
}

function validateFilter(filter: unknown, path: string, deps: CesqlDeps, errors: FieldError[]): void {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    errors.push({ path, message: `must be an object with exactly one of ${DIALECT_LIST}; got ${describeType(filter)}` });
    return;
  }
  const obj = filter as Record<string, unknown>;
  const present: Dialect[] = [];
  for (const key of Object.keys(obj)) {
    if (!DIALECT_SET.has(key)) {
      errors.push({ path: `${path}.${key}`, message: `unknown filter dialect "${key}"; expected one of ${DIALECT_LIST}` });
      continue;
    }
    if (obj[key] !== undefined && obj[key] !== null) present.push(key as Dialect);
  }
  if (present.length === 0) {
    errors.push({ path, message: `expected exactly one of ${DIALECT_LIST}; got none` });
    return;
  }
  if (present.length > 1) {
    errors.push({ path, message: `expected exactly one filter dialect per object; got ${present.join(' and ')}` });
  }
  for (const dialect of present) {
    const value = obj[dialect];
    const at = `${path}.${dialect}`;
    switch (dialect) {
      case 'exact':
      case 'prefix':
      case 'suffix':
        validateAttributeMap(value, at, dialect, errors);
        break;
      case 'all':
      case 'any':
        if (!Array.isArray(value) || value.length === 0) {
          errors.push({ path: at, message: `must be a non-empty list of filters` });
        } else {
          value.forEach((f, i) => validateFilter(f, `${at}[${i}]`, deps, errors));
        }
        break;
      case 'not':
        validateFilter(value, at, deps, errors);
        break;
      case 'cesql':
        validateCesql(value, at, deps, errors);
        break;
    }
  }
}

function validateAttributeMap(value: unknown, path: string, dialect: string, errors: FieldError[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push({ path, message: `must be a map of attribute name to value; got ${describeType(value)}` });
    return;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    errors.push({ path, message: 'must name at least one attribute' });
    return;
  }
  for (const [name, v] of entries) {
    if (!FILTER_ATTRIBUTE_NAME.test(name)) {
      errors.push({ path: `${path}[${name}]`, message: `invalid attribute name ${JSON.stringify(name)}: must start with a letter and contain only lower-case letters and digits` });
    }
    if (typeof v !== 'string') {
      errors.push({ path: `${path}[${name}]`, message: `value must be a string, got ${describeType(v)}` });
    } else if (v === '') {
      errors.push({ path: `${path}[${name}]`, message: `${dialect} value must not be empty` });
    }
  }
}

function validateCesql(value: unknown, path: string, deps: CesqlDeps, errors: FieldError[]): void {
  if (typeof value !== 'string') {
    errors.push({ path, message: `must be a CESQL expression string; got ${describeType(value)}` });
    return;
  }
  if (value.trim() === '') {
    errors.push({ path, message: 'CESQL expression must not be empty' });
    return;
  }
  try {
    deps.compileCesql(value);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const position = (err as { position?: unknown } | null)?.position;
    const where = typeof position === 'number' ? ` at position ${position}` : '';
    errors.push({ path, message: `invalid CESQL expression ${JSON.stringify(value)}${where}: ${reason}` });
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation

/**
 * Compile a Trigger's filters into a predicate. A non-empty `filters` list wins (implicit `all`);
 * else `filter.attributes`; else everything passes. Throws TriggerFilterError if the spec does not
 * validate.
 */
export function compileTriggerFilter(spec: TriggerFilterSpec, deps: CesqlDeps): EventFilter {
  const errors = validateTriggerFilterSpec(spec, 'spec', deps);
  if (errors.length > 0) throw new TriggerFilterError(errors);
  if (spec.filters && spec.filters.length > 0) {
    const compiled = spec.filters.map((f) => compileFilter(f, deps));
    return compiled.length === 1 ? compiled[0]! : adaptiveAll(compiled);
  }
  return compileAttributesFilter(spec.filter?.attributes ?? undefined);
}

/** Compile a validated `filters` list (empty → pass everything). */
export function compileFilters(filters: readonly SubscriptionsApiFilter[], deps: CesqlDeps): EventFilter {
  if (filters.length === 0) return passAll;
  const errors = validateFilters(filters, 'filters', deps);
  if (errors.length > 0) throw new TriggerFilterError(errors);
  const compiled = filters.map((f) => compileFilter(f, deps));
  return compiled.length === 1 ? compiled[0]! : adaptiveAll(compiled);
}

function compileFilter(f: SubscriptionsApiFilter, deps: CesqlDeps): EventFilter {
  if (f.exact) return attributeMatcher(f.exact, (got, want) => got === want);
  if (f.prefix) return attributeMatcher(f.prefix, (got, want) => got.startsWith(want));
  if (f.suffix) return attributeMatcher(f.suffix, (got, want) => got.endsWith(want));
  if (f.all) {
    const children = f.all.map((c) => compileFilter(c, deps));
    return children.length === 1 ? children[0]! : adaptiveAll(children);
  }
  if (f.any) {
    const children = f.any.map((c) => compileFilter(c, deps));
    return children.length === 1 ? children[0]! : adaptiveAny(children);
  }
  if (f.not) {
    const inner = compileFilter(f.not, deps);
    return (event) => !inner(event);
  }
  // Validation guarantees cesql is the remaining dialect.
  return cesqlMatcher(f.cesql!, deps);
}

function attributeMatcher(map: Record<string, string>, test: (got: string, want: string) => boolean): EventFilter {
  const entries = Object.entries(map);
  return (event) => {
    for (let i = 0; i < entries.length; i++) {
      const [name, want] = entries[i]!;
      const got = lookupAttribute(event, name);
      if (got === undefined || !test(got, want)) return false;
    }
    return true;
  };
}

function cesqlMatcher(source: string, deps: CesqlDeps): EventFilter {
  const expr = deps.compileCesql(source);
  const matches = deps.cesqlMatches
    ? (attrs: Record<string, unknown>) => deps.cesqlMatches!(expr, attrs)
    : (attrs: Record<string, unknown>) => {
        const r = expr.evaluate(attrs);
        return r.errors.length === 0 && r.value === true;
      };
  return (event) => matches(cesqlAttributes(event));
}

// The flat map CESQL evaluates against: context attributes + extensions, no data. Built once per
// event and shared by every trigger's CESQL filter (events are immutable once dispatched).
const cesqlViews = new WeakMap<CloudEventRecord, Record<string, unknown>>();

/** Attributes and extensions of an event as a flat map (no `data`), cached per event object. */
export function cesqlAttributes(event: CloudEventRecord): Record<string, unknown> {
  let view = cesqlViews.get(event);
  if (view === undefined) {
    view = {};
    for (const name in event) {
      const v = event[name];
      if (name !== 'data' && v !== undefined) view[name] = v;
    }
    cesqlViews.set(event, view);
  }
  return view;
}

// `all` / `any` move a child forward when it decides the outcome (fails an `all`, passes an `any`)
// more than twice as often as the child before it, so cheap, decisive filters run first — the same
// heuristic as Knative. Children are pure, so their order never changes the result.
function adaptiveAll(children: EventFilter[]): EventFilter {
  const order = children.slice();
  const decisive = new Array<number>(order.length).fill(0);
  return (event) => {
    for (let i = 0; i < order.length; i++) {
      if (!order[i]!(event)) {
        promote(order, decisive, i);
        return false;
      }
    }
    return true;
  };
}

function adaptiveAny(children: EventFilter[]): EventFilter {
  const order = children.slice();
  const decisive = new Array<number>(order.length).fill(0);
  return (event) => {
    for (let i = 0; i < order.length; i++) {
      if (order[i]!(event)) {
        promote(order, decisive, i);
        return true;
      }
    }
    return false;
  };
}

function promote(order: EventFilter[], decisive: number[], i: number): void {
  const n = ++decisive[i]!;
  if (i > 0 && n > decisive[i - 1]! * 2) {
    [order[i - 1], order[i]] = [order[i]!, order[i - 1]!];
    [decisive[i - 1], decisive[i]] = [decisive[i]!, decisive[i - 1]!];
  }
}
