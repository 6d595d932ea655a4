// Server-side `Table` output (meta.k8s.io/v1 Table), what `kubectl get`
// prints: a NAME column, the kind's registry printer columns (priority 1
// only with -o wide; kubectl filters on `priority`) and AGE when the kind has
// none. Cells are computed with an injected `now`. Also the metadata-only
// representation (PartialObjectMetadata) kubectl asks for inside tables.
// Pure: no I/O.
import type { KObject } from '../api/meta.js';
import { humanDuration } from '../api/printers.js';
import type { PrinterColumn, ResourceType } from '../api/registry.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

interface CompiledColumn {
  def: TableColumnDefinition;
  cell(obj: KObject, now: number): unknown;
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition.';
const AGE_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created.';

function ageOf(obj: KObject, now: number): string {
  const t = Date.parse(obj.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? humanDuration(now - t) : '<unknown>';
}

/** Dates in `date` columns print as ages, like CRD printer columns on a real cluster. */
function dateCell(v: unknown, now: number): unknown {
  if (typeof v !== 'string') return v ?? null;
  const t = Date.parse(v);
  return Number.isFinite(t) && /^\d{4}-\d{2}-\d{2}T/.test(v) ? humanDuration(now - t) : v;
}

function compileColumn(c: PrinterColumn): CompiledColumn {
  const def: TableColumnDefinition = {
    name: c.name,
    type: c.type,
    format: '',
    description: c.description ?? (c.jsonPath ? `Custom resource definition column (in JSONPath format): ${c.jsonPath}` : c.name),
    priority: c.priority ?? 0,
  };
  let path: Step[] | undefined;
  try {
    path = c.jsonPath ? compileJsonPath(c.jsonPath) : undefined;
  } catch {
    path = undefined; // unsupported expression: the column shows <none>
  }
  return {
    def,
    cell(obj, now) {
      let v: unknown;
      try {
        v = c.value ? c.value(obj, now) : path ? evalCompiled(path, obj) : undefined;
      } catch {
        v = undefined; // a broken printer must not break `kubectl get`
      }
      if (c.type === 'date') return dateCell(v, now);
      if (v === undefined) return null;
      if (typeof v === 'object' && v !== null) return JSON.stringify(v);
      return v;
    },
  };
}

const columnCache = new WeakMap<ResourceType, CompiledColumn[]>();

/**
 * Column list for a kind: NAME, then the printer columns. Like a CRD, a kind
 * that declares printer columns gets exactly those (Knative's `kubectl get
 * ksvc` has no AGE); a kind without any gets AGE.
 */
export function columnsFor(t: ResourceType): CompiledColumn[] {
  let cols = columnCache.get(t);
  if (cols) return cols;
  const printer = t.printerColumns ?? [];
  cols = [];
  if (!printer.some((c) => c.name.toLowerCase() === 'name'))
    cols.push({ def: { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 }, cell: (o) => o.metadata?.name ?? '' });
  for (const c of printer) cols.push(compileColumn(c));
  if (!t.printerColumns)
    cols.push({ def: { name: 'Age', type: 'date', format: '', description: AGE_DESCRIPTION, priority: 0 }, cell: ageOf });
  columnCache.set(t, cols);
  return cols;
}

export function partialObjectMetadata(obj: KObject, metaVersion: string): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

export interface TableOptions {
  now: number;
  includeObject: IncludeObject;
  /** meta.k8s.io version the client asked for (v1 or v1beta1). */
  tableVersion: string;
  resourceVersion?: string;
  /** Present each object at the requested API version (for includeObject=Object). */
  present?: (o: KObject) => KObject;
}

export function makeTable(t: ResourceType, objects: readonly KObject[], opts: TableOptions): KObject {
  const cols = columnsFor(t);
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o, opts.now)) };
    if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(o, opts.tableVersion);
    else if (opts.includeObject === 'Object') row.object = opts.present ? opts.present(o) : o;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.tableVersion}`,
    metadata: opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions: cols.map((c) => c.def),
    rows,
  };
}

// ---------------------------------------------------------------- JSONPath

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string };

const pathCache = new Map<string, Step[]>();

/**
 * The subset of kubectl JSONPath used by printer columns: `.a.b`, `[0]`,
 * `[*]`, `['key']` and `[?(@.type=="Ready")]`. Surrounding `{}` are allowed.
 */
export function compileJsonPath(expr: string): Step[] {
  const cached = pathCache.get(expr);
  if (cached) return cached;
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '.') {
      let j = i + 1;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      const name = s.slice(i + 1, j);
      if (name === '*') steps.push({ kind: 'all' });
      else if (name) steps.push({ kind: 'field', name });
      i = j;
    } else if (ch === '[') {
      const end = findClose(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      let m: RegExpExecArray | null;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if ((m = /^'(.*)'$|^"(.*)"$/.exec(inner))) steps.push({ kind: 'field', name: m[1] ?? m[2] });
      else if ((m = /^\?\(\s*@((?:\.[\w-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+))\s*\)$/.exec(inner)))
        steps.push({ kind: 'filter', path: m[1].slice(1).split('.'), op: m[2] as '==' | '!=', value: m[3] ?? m[4] ?? m[5] });
      else throw new Error(`unsupported JSONPath segment [${inner}] in ${expr}`);
    } else {
      // bare leading name (`status.url`)
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      steps.push({ kind: 'field', name: s.slice(i, j) });
      i = j;
    }
  }
  if (pathCache.size > 1000) pathCache.clear();
  pathCache.set(expr, steps);
  return steps;
}

function findClose(s: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return i;
  }
  throw new Error(`unterminated [ in JSONPath ${s}`);
}

function evalCompiled(steps: Step[], root: unknown): unknown {
  let cur: unknown[] = [root];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      switch (st.kind) {
        case 'field': {
          const x = (v as Record<string, unknown>)[st.name];
          if (x !== undefined) next.push(x);
          break;
        }
        case 'index':
          if (Array.isArray(v)) {
            const x = v[st.index < 0 ? v.length + st.index : st.index];
            if (x !== undefined) next.push(x);
          }
          break;
        case 'all':
          next.push(...(Array.isArray(v) ? v : Object.values(v)));
          break;
        case 'filter':
          if (Array.isArray(v))
            for (const item of v) {
              let x: unknown = item;
              for (const k of st.path) x = x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
              const sv = x === undefined || x === null ? undefined : String(x);
              if (st.op === '==' ? sv === st.value : sv !== st.value) next.push(item);
            }
          break;
      }
    }
    cur = next;
  }
  return cur[0];
}

/** Evaluate a printer-column JSONPath; the first match, or undefined. */
export function evalJsonPath(obj: unknown, expr: string): unknown {
  return evalCompiled(compileJsonPath(expr), obj);
}
