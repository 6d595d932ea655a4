// Kubernetes label selectors: the string form used in `?labelSelector=` and
// `kubectl -l` (=, ==, !=, in, notin, exists, !key) and the structured form
// (matchLabels + matchExpressions) used by Deployments and ReplicaSets.
import { badRequest } from './errors.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export type Selector = Requirement[];

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** Parse `a=b,c!=d,e in (x,y),!f,g`. Throws 400 naming the selector on bad syntax. */
export function parseSelector(s: string | undefined | null): Selector {
  if (!s || !s.trim()) return [];
  const out: Selector = [];
  // split on commas not inside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) throw badRequest(`unable to parse requirement: empty requirement in selector "${s}"`);
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      out.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter((v) => v !== '' || m![3].trim() === '') });
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(p))) {
      out.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = /^!\s*([\w./-]+)$/.exec(p))) {
      out.push({ key: m[1], op: '!exists' });
    } else if ((m = /^([\w./-]+)$/.exec(p))) {
      out.push({ key: m[1], op: 'exists' });
    } else {
      throw badRequest(`unable to parse requirement: invalid label selector "${p}"`);
    }
  }
  return out;
}

export function matchesSelector(sel: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'in':
        if (!has || !r.values.includes(l[r.key])) return false;
        break;
      case 'notin':
        if (has && r.values.includes(l[r.key])) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function selectorFromObject(o: LabelSelectorObject | undefined): Selector {
  const out: Selector = [];
  for (const [k, v] of Object.entries(o?.matchLabels ?? {})) out.push({ key: k, op: 'in', values: [v] });
  for (const e of o?.matchExpressions ?? []) {
    if (e.operator === 'In') out.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') out.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') out.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') out.push({ key: e.key, op: '!exists' });
  }
  return out;
}

/** String form (for status.selector of scale subresources, kubectl display). */
export function selectorToString(o: LabelSelectorObject | undefined): string {
  return selectorFromObject(o)
    .map((r) => {
      if (!('values' in r)) return r.op === 'exists' ? r.key : `!${r.key}`;
      return r.values.length === 1 ? `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]}` : `${r.key} ${r.op} (${r.values.join(',')})`;
    })
    .join(',');
}

/** Field selectors: `metadata.name=x,status.phase!=Running` over dotted paths. */
export type FieldSelector = Array<{ path: string[]; op: '=' | '!='; value: string }>;

export function parseFieldSelector(s: string | undefined | null): FieldSelector {
  if (!s || !s.trim()) return [];
  return s.split(',').map((p) => {
    const m = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(p);
    if (!m) throw badRequest(`invalid field selector: "${p}"`);
    return { path: m[1].split('.'), op: m[2] === '!=' ? '!=' : '=', value: m[3] };
  });
}

export function matchesFieldSelector(sel: FieldSelector, obj: unknown): boolean {
  for (const r of sel) {
    let v: unknown = obj;
    for (const k of r.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    const sv = v === undefined || v === null ? '' : String(v);
    if (r.op === '=' ? sv !== r.value : sv === r.value) return false;
  }
  return true;
}
