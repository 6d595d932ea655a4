// Text for `skiff describe`: kubectl's describe layout for any kind — Name,
// Namespace, Labels, Annotations, then the object's fields as an indented
// tree with Title Case labels, conditions as a table, and the object's
// Events. Pure (the command fetches; this renders).
import type { KObject } from '../api/meta.js';
import { humanDuration } from '../api/printers.js';
import { DESCRIBE_TABS, tabwriteLines } from './table.js';
import { LAST_APPLIED_ANNOTATION } from './apply-patch.js';
import { isPlainObject } from '../api/json.js';

const ACRONYMS = new Set(['api', 'url', 'uid', 'ip', 'id', 'http', 'https', 'dns', 'tls', 'cpu', 'uri', 'json', 'yaml', 'sha', 'cidr', 'tcp', 'udp', 'ttl', 'os', 'ca', 'cel']);
/** Maps whose keys are user data, printed verbatim. */
const VERBATIM_KEYS = new Set(['data', 'binaryData', 'stringData', 'labels', 'annotations', 'matchLabels', 'selector', 'nodeSelector', 'ceOverrides', 'extensions', 'attributes', 'filter']);

/** `latestReadyRevisionName` → `Latest Ready Revision Name`, `apiVersion` → `API Version`. */
export function smartLabel(key: string): string {
  if (!/^[a-zA-Z]+$/.test(key)) return key;
  // Words: `IPs`-style plural acronyms, acronyms, Capitalized or lowercase runs.
  const words = key.match(/[A-Z]{2,}s(?![a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z]+/g) ?? [key];
  return words
    .map((w) => {
      if (/^[A-Z]{2,}s$/.test(w)) return w;
      return ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1);
    })
    .join(' ');
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

/** Lines grouped into blocks; each block is aligned on its own (like separate tabwriter flushes). */
class DescribeWriter {
  private blocks: string[][][] = [[]];
  line(level: number, ...cells: string[]): void {
    const c = [...cells];
    c[0] = '  '.repeat(level) + c[0];
    this.blocks[this.blocks.length - 1].push(c);
  }
  flush(): void {
    if (this.blocks[this.blocks.length - 1].length) this.blocks.push([]);
  }
  text(): string {
    return this.blocks.map((b) => tabwriteLines(b, DESCRIBE_TABS).text).join('');
  }
}


function age(now: number, ts: unknown): string {
  const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
  return Number.isFinite(t) ? humanDuration(now - t) : '';
}

function writeConditions(w: DescribeWriter, level: number, conditions: Array<Record<string, unknown>>, now: number): void {
  w.line(level, 'Conditions:');
  w.flush();
  w.line(level + 1, 'Type', 'Status', 'Last Transition', 'Reason', 'Message');
  w.line(level + 1, '----', '------', '---------------', '------', '-------');
  for (const c of conditions) w.line(level + 1, scalar(c.type), scalar(c.status), age(now, c.lastTransitionTime) || '<unknown>', String(c.reason ?? ''), String(c.message ?? ''));
  w.flush();
}

/** Structure keys that can sit inside a user-data map (a LabelSelector under `selector`). */
const STRUCTURE_KEYS = new Set(['matchLabels', 'matchExpressions']);

function writeValue(w: DescribeWriter, level: number, key: string, v: unknown, now: number, verbatim: boolean): void {
  const label = verbatim && !STRUCTURE_KEYS.has(key) ? key : smartLabel(key);
  if (key === 'conditions' && Array.isArray(v) && v.length && v.every((c) => isPlainObject(c) && 'type' in c)) {
    writeConditions(w, level, v as Array<Record<string, unknown>>, now);
    return;
  }
  if (isPlainObject(v)) {
    if (Object.keys(v).length === 0) return;
    w.line(level, `${label}:`);
    writeMap(w, level + 1, v, now, VERBATIM_KEYS.has(key));
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return;
    w.line(level, `${label}:`);
    for (const item of v) {
      if (isPlainObject(item)) writeMap(w, level + 1, item, now, false);
      else w.line(level + 1, scalar(item));
    }
    return;
  }
  if (typeof v === 'string' && v.includes('\n')) {
    w.line(level, `${label}:`);
    w.flush();
    for (const l of v.replace(/\n$/, '').split('\n')) w.line(level + 1, l);
    w.flush();
    return;
  }
  w.line(level, `${label}:`, scalar(v));
}

function writeMap(w: DescribeWriter, level: number, m: Record<string, unknown>, now: number, verbatim: boolean): void {
  for (const k of Object.keys(m).sort()) if (m[k] !== undefined) writeValue(w, level, k, m[k], now, verbatim);
}

function writeKeyList(w: DescribeWriter, title: string, entries: string[]): void {
  if (entries.length === 0) {
    w.line(0, title, '<none>');
    return;
  }
  w.line(0, title, entries[0]);
  for (const e of entries.slice(1)) w.line(0, '', e);
}

/** kubectl's event AGE: `5s`, or `5s (x3 over 2m)` for repeated events. */
export function eventAge(ev: KObject, now: number): string {
  const last = ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp;
  const first = ev.firstTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp;
  const a = age(now, last) || '<unknown>';
  const count = Number(ev.count ?? ev.series?.count ?? 1);
  if (count > 1) return `${a} (x${count} over ${age(now, first) || '<unknown>'})`;
  return a;
}

function eventTime(ev: KObject): number {
  const t = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : 0;
}

export function describeObject(obj: KObject, events: KObject[] | undefined, now: number, opts: { namespaced: boolean }): string {
  const w = new DescribeWriter();
  const meta = obj.metadata ?? {};
  w.line(0, 'Name:', meta.name ?? '');
  if (opts.namespaced) w.line(0, 'Namespace:', meta.namespace ?? '');
  writeKeyList(
    w,
    'Labels:',
    Object.keys(meta.labels ?? {})
      .sort()
      .map((k) => `${k}=${meta.labels![k]}`),
  );
  writeKeyList(
    w,
    'Annotations:',
    Object.keys(meta.annotations ?? {})
      .filter((k) => k !== LAST_APPLIED_ANNOTATION)
      .sort()
      .map((k) => `${k}: ${meta.annotations![k]}`),
  );
  w.line(0, 'API Version:', String(obj.apiVersion ?? ''));
  w.line(0, 'Kind:', String(obj.kind ?? ''));
  w.flush();
  const rest: Record<string, unknown> = { ...meta };
  for (const k of ['name', 'namespace', 'labels', 'annotations', 'managedFields']) delete rest[k];
  if (Object.keys(rest).length) {
    w.line(0, 'Metadata:');
    writeMap(w, 1, rest, now, false);
    w.flush();
  }
  for (const k of Object.keys(obj).sort()) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    writeValue(w, 0, k, obj[k], now, false);
    w.flush();
  }
  if (events !== undefined) {
    if (events.length === 0) w.line(0, 'Events:', '<none>');
    else {
      w.line(0, 'Events:');
      w.flush();
      w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
      w.line(1, '----', '------', '----', '----', '-------');
      for (const ev of [...events].sort((a, b) => eventTime(a) - eventTime(b)))
        w.line(
          1,
          String(ev.type ?? 'Normal'),
          String(ev.reason ?? ''),
          eventAge(ev, now),
          String(ev.source?.component ?? ev.reportingComponent ?? ev.reportingController ?? ''),
          String(ev.message ?? '').replace(/\n/g, ' '),
        );
    }
  }
  return w.text();
}
