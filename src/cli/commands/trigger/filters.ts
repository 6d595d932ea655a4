// Trigger filter flags → spec. kn's `--filter key=value` (repeatable, commas
// split) fills the legacy exact-match `spec.filter.attributes`; on update
// `key=value` adds or changes, `key` (no '=') means "any non-empty value",
// `key-` removes. Skiff adds the Subscriptions API dialects kn has no flags
// for: `--filter-exact`, `--filter-prefix`, `--filter-suffix` (key=value,
// each group one object) and `--filter-cesql EXPR` (one object per
// expression, parsed here so a typo fails before the request). Together they
// form `spec.filters` (an implicit AND). Knative ignores `filter` whenever
// `filters` is set, so a trigger with both is refused. Pure.
import { KnError } from '../../knative-format.js';
import { compileCesql, CesqlError } from '../../../eventing/filter/cesql/index.js';

/** One Subscriptions API filter object (exactly one dialect set). */
export interface SubscriptionsApiFilter {
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
  cesql?: string;
  all?: SubscriptionsApiFilter[];
  any?: SubscriptionsApiFilter[];
  not?: SubscriptionsApiFilter;
}

export interface TriggerFilterSpec {
  filter?: { attributes?: Record<string, string> };
  filters?: SubscriptionsApiFilter[];
}

export interface FilterFlagValues {
  /** --filter (legacy attributes). */
  attributes: string[];
  exact: string[];
  prefix: string[];
  suffix: string[];
  cesql: string[];
  /** --clear-filters (update): drop spec.filters. */
  clearFilters?: boolean;
}

const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;

function bad(flag: string, value: string, why: string): KnError {
  return new KnError(`invalid value '${value}' for '--${flag}': ${why}`, 'SKIFF_ERR_CLI_FILTER_INVALID');
}

function checkName(flag: string, value: string, key: string): void {
  if (!ATTRIBUTE_NAME.test(key)) throw bad(flag, value, `'${key}' is not a CloudEvents attribute name (lower-case letters and digits, starting with a letter)`);
}

/**
 * `key=value` pairs (kn's MapFromArray): duplicates and empty keys are errors.
 * With `allowSingles` a bare `key` means '' and `key-` asks for removal.
 */
export function parseKeyValues(flag: string, values: readonly string[], opts: { allowSingles?: boolean; allowEmptyValue?: boolean } = {}): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) {
      if (opts.allowSingles && v.endsWith('-') && v.length > 1) {
        remove.push(v.slice(0, -1));
        continue;
      }
      if (!opts.allowSingles) throw bad(flag, v, "expected KEY=VALUE (the '=' is missing)");
      checkName(flag, v, v);
      set[v] = '';
      continue;
    }
    const key = v.slice(0, eq);
    const value = v.slice(eq + 1);
    if (!key) throw bad(flag, v, 'the key is empty');
    checkName(flag, v, key);
    if (Object.prototype.hasOwnProperty.call(set, key)) throw bad(flag, v, `the key '${key}' is given twice`);
    if (!value && opts.allowEmptyValue === false) throw bad(flag, v, 'the value is empty');
    set[key] = value;
  }
  return { set, remove };
}

/** Compile a CESQL expression now, so an error names the flag and the position. */
export function checkCesql(expression: string): void {
  if (expression.trim() === '') throw bad('filter-cesql', expression, 'the expression is empty');
  try {
    compileCesql(expression);
  } catch (e) {
    if (e instanceof CesqlError) throw bad('filter-cesql', expression, e.message);
    throw e;
  }
}

/** The Subscriptions API filters the new flags describe (undefined when none was given). */
export function subscriptionsFiltersFromFlags(v: FilterFlagValues): SubscriptionsApiFilter[] | undefined {
  if (!v.exact.length && !v.prefix.length && !v.suffix.length && !v.cesql.length) return undefined;
  const out: SubscriptionsApiFilter[] = [];
  const group = (flag: string, values: string[], dialect: 'exact' | 'prefix' | 'suffix') => {
    if (!values.length) return;
    out.push({ [dialect]: parseKeyValues(flag, values, { allowEmptyValue: false }).set });
  };
  group('filter-exact', v.exact, 'exact');
  group('filter-prefix', v.prefix, 'prefix');
  group('filter-suffix', v.suffix, 'suffix');
  for (const expr of v.cesql) {
    checkCesql(expr);
    out.push({ cesql: expr });
  }
  return out;
}

function refuseBoth(spec: TriggerFilterSpec): void {
  const attrs = spec.filter?.attributes ?? {};
  if (Object.keys(attrs).length && spec.filters?.length)
    throw new KnError(
      `a trigger cannot have both --filter (attributes: ${Object.keys(attrs).sort().join(', ')}) and --filter-exact/--filter-prefix/--filter-suffix/--filter-cesql: ` +
        `Knative ignores the attributes filter when filters are set; use --filter-exact KEY=VALUE instead (on update, remove the attributes with --filter KEY-)`,
      'SKIFF_ERR_CLI_FILTER_CONFLICT',
    );
}

/** Filters for a new trigger. */
export function createFilterSpec(v: FilterFlagValues): TriggerFilterSpec {
  const spec: TriggerFilterSpec = {};
  const { set } = parseKeyValues('filter', v.attributes);
  if (Object.keys(set).length) spec.filter = { attributes: set };
  const filters = subscriptionsFiltersFromFlags(v);
  if (filters) spec.filters = filters;
  refuseBoth(spec);
  return spec;
}

/**
 * Apply update flags to the current filter spec: `--filter` merges into the
 * attributes (kn), the new-filter flags replace `filters` as a whole,
 * `--clear-filters` drops them. Returns the new spec (input untouched).
 */
export function updateFilterSpec(current: TriggerFilterSpec, v: FilterFlagValues): TriggerFilterSpec {
  const next: TriggerFilterSpec = structuredClone({ filter: current.filter, filters: current.filters });
  if (v.attributes.length) {
    const { set, remove } = parseKeyValues('filter', v.attributes, { allowSingles: true });
    const attrs = { ...(next.filter?.attributes ?? {}), ...set };
    for (const k of remove) delete attrs[k];
    next.filter = { ...(next.filter ?? {}), attributes: attrs };
  }
  if (v.clearFilters) delete next.filters;
  const filters = subscriptionsFiltersFromFlags(v);
  if (filters) next.filters = filters;
  if (next.filter === undefined) delete next.filter;
  if (next.filters === undefined) delete next.filters;
  refuseBoth(next);
  return next;
}
