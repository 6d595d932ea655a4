// Column output the way kubectl prints it: Go's text/tabwriter semantics
// (kubectl get: min width 6, padding 3; kubectl describe: padding 2) and
// rendering of server-side `meta.k8s.io/v1 Table` responses (uppercase
// headers, priority>0 columns only with -o wide, NAMESPACE first with -A,
// `kind/name` when several kinds are printed). Pure; no I/O.

export interface TabOptions {
  minWidth: number;
  padding: number;
}

/** `kubectl get`'s writer: tabwriter.NewWriter(out, 6, 4, 3, ' ', 0). */
export const GET_TABS: TabOptions = { minWidth: 6, padding: 3 };
/** `kubectl describe`'s writer: tabwriter.NewWriter(out, 0, 8, 2, ' ', 0). */
export const DESCRIBE_TABS: TabOptions = { minWidth: 0, padding: 2 };

function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Align cells like Go's tabwriter: a column block is a run of consecutive
 * lines that all have a tab-terminated cell in that column; the last cell of a
 * line is never padded. `lines` are cell arrays; returns text with '\n' after
 * each line.
 */
export function tabwriteLines(lines: readonly (readonly string[])[], opts: TabOptions, remembered: number[] = []): { text: string; widths: number[] } {
  const out: string[] = new Array(lines.length);
  const maxWidths: number[] = [];
  const widths: number[] = [];
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const line = lines[i];
      let s = '';
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        s += c;
        if (j < widths.length && j < line.length - 1) s += ' '.repeat(Math.max(0, widths[j] - width(c)));
      }
      out[i] = s;
    }
  };
  const format = (line0: number, line1: number) => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue;
      writeLines(start, i);
      start = i;
      let w = Math.max(opts.minWidth, remembered[column] ?? 0);
      for (; i < line1; i++) {
        const line = lines[i];
        if (column >= line.length - 1) break;
        w = Math.max(w, width(line[column]) + opts.padding);
      }
      widths.push(w);
      maxWidths[column] = Math.max(maxWidths[column] ?? 0, w);
      format(start, i);
      widths.pop();
      start = i;
      i--; // the for-loop's i++ would skip the line that ended the block
    }
    writeLines(start, line1);
  };
  format(0, lines.length);
  return { text: out.map((l) => `${l}\n`).join(''), widths: maxWidths };
}

/** tabwriter over text with '\t' between cells and '\n' after lines. */
export function tabwrite(text: string, opts: TabOptions): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '') return text;
  return tabwriteLines(body.split('\n').map((l) => l.split('\t')), opts).text;
}

// ------------------------------------------------------------ Table objects

export interface TableColumnDefinition {
  name: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string; resourceVersion?: string } };
}

export interface Table {
  kind: 'Table';
  apiVersion?: string;
  metadata?: { resourceVersion?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export function isTable(v: unknown): v is Table {
  return !!v && typeof v === 'object' && (v as Table).kind === 'Table' && Array.isArray((v as Table).columnDefinitions);
}

export interface TableRenderOptions {
  wide?: boolean;
  /** Prepend a NAMESPACE column (-A). */
  withNamespace?: boolean;
  /** Prefix names with `kind/` (several kinds printed, e.g. `get all`). */
  kindPrefix?: string;
  showLabels?: boolean;
  noHeaders?: boolean;
}

/** kubectl prints cells with fmt.Print; missing values print as nothing. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** Header + rows as cell arrays (not yet aligned). */
export function tableCells(table: Table, opts: TableRenderOptions = {}): string[][] {
  const cols = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const nameIndex = Math.max(0, table.columnDefinitions.findIndex((c) => c.format === 'name'));
  const lines: string[][] = [];
  if (!opts.noHeaders) {
    const header = cols.map(({ c }) => c.name.toUpperCase());
    if (opts.withNamespace) header.unshift('NAMESPACE');
    if (opts.showLabels) header.push('LABELS');
    lines.push(header);
  }
  for (const row of table.rows) {
    const cells = cols.map(({ i }) => {
      const text = cellText(row.cells[i]);
      return opts.kindPrefix && i === nameIndex ? `${opts.kindPrefix}/${text}` : text;
    });
    if (opts.withNamespace) cells.unshift(row.object?.metadata?.namespace ?? '');
    if (opts.showLabels) cells.push(labelsText(row.object?.metadata?.labels));
    lines.push(cells);
  }
  return lines;
}

export function renderTable(table: Table, opts: TableRenderOptions = {}): string {
  return tabwriteLines(tableCells(table, opts), GET_TABS).text;
}

/**
 * A Table built on the client from plain objects (NAME, AGE), for servers or
 * kinds without server-side Table support.
 */
export function tableFromObjects(
  objects: Array<{ metadata: { name?: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string } }>,
  now: number,
  humanAge: (ms: number) => string,
): Table {
  return {
    kind: 'Table',
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name' },
      { name: 'Age', type: 'string' },
    ],
    rows: objects.map((o) => {
      const t = Date.parse(o.metadata.creationTimestamp ?? '');
      return { cells: [o.metadata.name ?? '', Number.isFinite(t) ? humanAge(now - t) : '<unknown>'], object: { metadata: o.metadata } };
    }),
  };
}

/**
 * Rows printed one at a time (`get -w`): widths from the first batch are
 * remembered so later rows line up (kubectl's tabwriter.RememberWidths).
 */
export class StreamingTable {
  private widths: number[] = [];
  write(lines: string[][]): string {
    const r = tabwriteLines(lines, GET_TABS, this.widths);
    this.widths = r.widths.map((w, i) => Math.max(w, this.widths[i] ?? 0));
    return r.text;
  }
}
