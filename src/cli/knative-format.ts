// kn's presentation conventions, shared by every Knative noun (`service`,
// `revision`, `route`, `domain`, and the eventing nouns): list ages
// (HumanDuration) and describe ages (ShortHumanDuration), the CONDITIONS /
// READY / REASON cells, the describe layout (one Go tabwriter with padding 2
// fed by nested "prefix writers"), the conditions table with its `++ !! ??`
// marks, and kn's error wording (`Error: …` + `Run '… --help' for usage`).
// Pure: callers pass `now`; nothing here does I/O.
import type { Condition, KObject, ObjectMeta } from '../api/meta.js';
import { humanDuration } from '../api/printers.js';
import { CliError, ServerError } from './errors.js';
import { DESCRIBE_TABS, GET_TABS, tabwriteLines } from './table.js';

// ---------------------------------------------------------------- ages

/** Kubernetes' ShortHumanDuration (kn describe): 38s, 5m, 3h, 12d, 2y. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

function parseTime(ts: string | undefined): number {
  return ts ? Date.parse(ts) : NaN;
}

/** Age in describe output (`Age:`, condition AGE): short form, '' when unknown. */
export function describeAge(ts: string | undefined, now: number): string {
  const t = parseTime(ts);
  return Number.isFinite(t) ? shortHumanDuration(now - t) : '';
}

/** Age in list output (AGE column): kubectl's HumanDuration, `<unknown>` when missing. */
export function listAge(ts: string | undefined, now: number): string {
  const t = parseTime(ts);
  return Number.isFinite(t) ? humanDuration(now - t) : '<unknown>';
}

// ---------------------------------------------------------------- conditions

export function conditionsOf(o: KObject | undefined): Condition[] {
  const c = o?.status?.conditions;
  return Array.isArray(c) ? c : [];
}

/** CONDITIONS column: `3 OK / 4`. */
export function conditionsValue(conditions: readonly Condition[]): string {
  return `${conditions.filter((c) => c.status === 'True').length} OK / ${conditions.length}`;
}

/** READY column: the Ready condition's status, `<unknown>` without one. */
export function readyStatus(conditions: readonly Condition[]): string {
  return conditions.find((c) => c.type === 'Ready')?.status ?? '<unknown>';
}

/** REASON column: empty when Ready, else `reason : message` (or just the reason). */
export function nonReadyReason(conditions: readonly Condition[]): string {
  const r = conditions.find((c) => c.type === 'Ready');
  if (!r) return '<unknown>';
  if (r.status === 'True') return '';
  return r.message ? `${r.reason ?? ''} : ${r.message}` : r.reason ?? '';
}

/** OK column of the conditions table: `++` True, `!!` False (error), ` W`/` I` False warning/info, `??` Unknown. */
export function conditionMark(c: Condition): string {
  if (c.status === 'True') return '++';
  if (c.status === 'False') {
    switch (c.severity ?? '') {
      case '':
      case 'Error':
        return '!!';
      case 'Warning':
        return ' W';
      case 'Info':
        return ' I';
      default:
        return ' !';
    }
  }
  return '??';
}

function severityRank(s: string | undefined): number {
  return s === 'Warning' ? 1 : s === 'Info' ? 2 : s === '' || s === undefined || s === 'Error' ? 0 : 3;
}

/** Ready first, then by severity (error, warning, info), then by type. */
export function sortConditions(conditions: readonly Condition[]): Condition[] {
  return conditions
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      if (a.c.type === 'Ready' || b.c.type === 'Ready') return a.c.type === 'Ready' ? (b.c.type === 'Ready' ? a.i - b.i : -1) : 1;
      const sa = severityRank(a.c.severity);
      const sb = severityRank(b.c.severity);
      if (sa === sb) return a.c.type < b.c.type ? -1 : a.c.type > b.c.type ? 1 : a.i - b.i;
      return sa - sb;
    })
    .map((x) => x.c);
}

// ---------------------------------------------------------------- describe layout

/**
 * kn's describe output: text with tab-separated cells goes through one Go
 * tabwriter (min width 0, padding 2) that kn flushes between sections.
 * Sections are "prefix writers": an attribute's children are indented by two
 * spaces, a row's children by one extra (empty) cell.
 */
export class DescribeWriter {
  private pending = '';
  private done = '';
  readonly root: DescribeSection = new DescribeSection(this, '');

  write(text: string): void {
    this.pending += text;
  }

  /** Align what was written since the last flush (kn calls Flush between sections). */
  flush(): void {
    if (!this.pending) return;
    const lines = this.pending.split('\n');
    // A last line without '\n' is still aligned with its block, as Go's Flush does.
    const partial = lines[lines.length - 1] !== '';
    if (!partial) lines.pop();
    const text = tabwriteLines(lines.map((l) => l.split('\t')), DESCRIBE_TABS).text;
    this.done += partial ? text.slice(0, -1) : text;
    this.pending = '';
  }

  text(): string {
    this.flush();
    return this.done;
  }
}

export class DescribeSection {
  constructor(
    private readonly w: DescribeWriter,
    private readonly prefix: string,
  ) {}

  /** `Label:<tab>value`; returns the section for sub-attributes (indented two spaces). */
  attribute(label: string, value: string): DescribeSection {
    this.w.write(`${this.prefix}${label}:\t${value}\n`);
    return new DescribeSection(this.w, `${this.prefix}  `);
  }

  /** Cells on one line; returns the section for lines belonging to the row's last cell. */
  row(...cols: string[]): DescribeSection {
    this.w.write(`${this.prefix}${cols.join('\t')}\n`);
    return new DescribeSection(this.w, `${this.prefix}\t`);
  }

  /** Raw text with this section's indentation (no alignment cells). */
  text(s: string): void {
    this.w.write(this.prefix + s);
  }

  /** An empty line (ends every column block, as in kn). */
  blank(): void {
    this.w.write('\n');
  }
}

const TRUNCATE_AT = 100;
const BORING_DOMAINS = new Set(['serving.knative.dev', 'client.knative.dev', 'kubectl.kubernetes.io']);

function keyIsBoring(k: string): boolean {
  const parts = k.split('/');
  return parts.length > 1 && BORING_DOMAINS.has(parts[0]);
}

/** Go's strings.TrimRight(s, ", "): drop any trailing commas and spaces. */
function trimCommaSpace(s: string): string {
  return s.replace(/[, ]+$/, '');
}

function joinAndTruncate(keys: string[], m: Record<string, string>, width: number): string {
  let ret = '';
  for (const k of keys) {
    ret += `${k}=${m[k]}, `;
    if (ret.length > width) break;
  }
  ret = trimCommaSpace(ret);
  return ret.length <= width ? ret : `${ret.slice(0, width - 4)} ...`;
}

/** Labels/annotations: one compact line (Knative-internal keys hidden), or one key per line with details. */
export function writeMapDesc(s: DescribeSection, m: Record<string, string> | undefined, label: string, details: boolean): void {
  if (!m) return;
  const keys = Object.keys(m)
    .filter((k) => details || !keyIsBoring(k))
    .sort();
  if (keys.length === 0) return;
  if (details) {
    keys.forEach((k, i) => s.row(i === 0 ? `${label}:` : '', `${k}=${m[k]}`));
    return;
  }
  s.row(`${label}:`, joinAndTruncate(keys, m, TRUNCATE_AT - label.length - 2));
}

/** A list in one line (`a, b`) or, with details, one item per line. */
export function writeSliceDesc(s: DescribeSection, items: string[], label: string, details: boolean): void {
  if (items.length === 0) return;
  if (details) {
    items.forEach((v, i) => s.row(i === 0 ? `${label}:` : '', v));
    return;
  }
  let joined = items.join(', ');
  if (joined.length > TRUNCATE_AT) joined = `${joined.slice(0, TRUNCATE_AT - 4)} ...`;
  s.attribute(label, joined);
}

/** Name, Namespace, Labels, Annotations, Age. */
export function writeMetadata(s: DescribeSection, meta: ObjectMeta, now: number, details: boolean): void {
  s.attribute('Name', meta.name ?? '');
  s.attribute('Namespace', meta.namespace ?? '');
  writeMapDesc(s, meta.labels, 'Labels', details);
  writeMapDesc(s, meta.annotations, 'Annotations', details);
  s.attribute('Age', describeAge(meta.creationTimestamp, now));
}

/** The `Conditions:` table (`OK TYPE AGE REASON`), Ready first; with details the reason carries its message. */
export function writeConditions(s: DescribeSection, conditions: readonly Condition[], now: number, details: boolean): void {
  const section = s.attribute('Conditions', '');
  const sorted = sortConditions(conditions);
  const maxLen = Math.max(0, ...sorted.map((c) => c.type.length));
  const line = (ok: string, type: string, age: string, reason: string) => `${ok.padEnd(2)} ${type.padEnd(maxLen)} ${age.padStart(6)} ${reason}\n`;
  section.text(line('OK', 'TYPE', 'AGE', 'REASON'));
  for (const c of sorted) {
    let reason = c.reason ?? '';
    if (details && reason !== '') reason = `${reason} (${c.message ?? ''})`;
    section.text(line(conditionMark(c), c.type, describeAge(c.lastTransitionTime, now), reason));
  }
}

// ---------------------------------------------------------------- list tables

/** kn's list printer: kubectl's tabwriter (min width 6, padding 3), upper-case headers. */
export function renderListTable(headers: string[], rows: string[][], opts: { noHeaders?: boolean } = {}): string {
  const lines = opts.noHeaders ? rows : [headers, ...rows];
  return tabwriteLines(lines, GET_TABS).text;
}

/** kn cuts long list cells to 50 characters (`…xyz ...`). */
export function truncCell(s: string, max = 50): string {
  return s.length <= max ? s : `${s.slice(0, max - 4)} ...`;
}

/** `-o json|yaml` of a list: a typed `<Kind>List`, as kn's typed clients return it. */
export function typedList(apiVersion: string, kind: string, items: KObject[], resourceVersion?: string): KObject {
  return { apiVersion, kind: `${kind}List`, metadata: { resourceVersion: resourceVersion ?? '' }, items } as unknown as KObject;
}

// ---------------------------------------------------------------- errors

/**
 * A failure reported in kn's words: `Error: <message>` and a help hint naming
 * the command when the message quotes one (`'skiff service create'`).
 */
export class KnError extends CliError {
  readonly code: string;
  constructor(message: string, code = 'SKIFF_ERR_KN') {
    super(message);
    this.name = 'KnError';
    this.code = code;
  }
  render(): string {
    const msg = this.message.replace(/^error:\s*/i, '');
    const m = /'(skiff\s.+?)'/.exec(msg);
    return `Error: ${msg}\nRun '${m ? m[1] : 'skiff'} --help' for usage`;
  }
}

/** Server failures become kn-style errors carrying the server's message (kn prints it as is). */
export function toKnError(e: unknown): unknown {
  if (e instanceof ServerError) return new KnError(e.message, e.code);
  return e;
}
