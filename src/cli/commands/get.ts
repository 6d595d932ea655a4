// `skiff get`: kubectl's get — server-side Table columns, -o yaml|json|name|wide,
// -A, -l, --field-selector, `all`, several kinds at once, and -w (watch).
import type { KObject } from '../../api/meta.js';
import { humanDuration } from '../../api/printers.js';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import type { ApiResource } from '../discovery.js';
import { kindName } from '../discovery.js';
import { CliError, ServerError, UsageError } from '../errors.js';
import { TABLE_ACCEPT, type KubeClient } from '../http.js';
import { formatObjects, objectName, toJson, toYaml } from '../output.js';
import { isTable, StreamingTable, tableCells, tableFromObjects, tabwriteLines, GET_TABS, type Table, type TableRenderOptions, type TableRow } from '../table.js';
import { refuseNamesAcrossNamespaces, requestNamespace, resolveTargets, withTypeMeta, type Target } from './common.js';

interface Fetched {
  target: Target;
  table?: Table;
  objects: KObject[];
}

function asTable(r: ApiResource, body: unknown, now: number): { table: Table; objects: KObject[] } {
  if (isTable(body)) return { table: body, objects: [] };
  // Server without Table support: a plain object or list; show NAME and AGE.
  const b = body as { items?: KObject[] } & KObject;
  const objects = Array.isArray(b?.items) ? b.items.map((o) => withTypeMeta(r, o)) : b ? [withTypeMeta(r, b)] : [];
  return { table: tableFromObjects(objects, now, humanDuration), objects };
}

function mergeTables(a: Table | undefined, b: Table): Table {
  return a ? { ...a, rows: [...a.rows, ...b.rows] } : b;
}

async function fetchTarget(
  client: KubeClient,
  ctx: CliContext,
  target: Target,
  mode: 'table' | 'objects',
  q: { labelSelector?: string; fieldSelector?: string },
  errors: CliError[],
): Promise<Fetched> {
  const r = target.resource;
  const ns = requestNamespace(ctx, r);
  const now = Date.now();
  const out: Fetched = { target, objects: [] };
  if (target.names.length === 0) {
    if (mode === 'table') {
      const t = asTable(r, await client.table(r, ns, undefined, q), now);
      out.table = t.table;
    } else {
      out.objects = (await client.list(r, ns, q)).items.map((o) => withTypeMeta(r, o));
    }
    return out;
  }
  // Named objects in a namespace; -A makes no sense for names (kubectl uses the current namespace).
  const nsForName = r.namespaced ? ctx.namespace() : undefined;
  for (const name of target.names) {
    try {
      if (mode === 'table') out.table = mergeTables(out.table, asTable(r, await client.table(r, nsForName, name), now).table);
      else out.objects.push(withTypeMeta(r, await client.get(r, nsForName, name)));
    } catch (e) {
      if (e instanceof ServerError) errors.push(e);
      else throw e;
    }
  }
  return out;
}

function noResourcesMessage(ctx: CliContext, targets: Target[]): string {
  if (ctx.globals.allNamespaces || targets.every((t) => !t.resource.namespaced)) return 'No resources found\n';
  return `No resources found in ${ctx.namespace()} namespace.\n`;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'Display one or many resources',
  usage: 'get KIND[,KIND...] [NAME...] [-n NS | -A] [-o yaml|json|wide|name] [-l SELECTOR] [-w]',
  description: 'Display one or many resources. Columns come from the server, as with kubectl; `all` lists every resource in the category "all".',
  examples: ['skiff get ksvc', 'skiff get pods -A -o wide', 'skiff get configmap config-autoscaler -n knative-serving -o yaml', 'skiff get all', 'skiff get pods -w'],
  flags: [
    { name: 'selector', short: 'l', type: 'string', description: 'label selector, e.g. app=hello,tier!=db' },
    { name: 'field-selector', type: 'string', description: 'field selector, e.g. metadata.name=hello' },
    { name: 'watch', short: 'w', type: 'boolean', description: 'after listing, watch for changes' },
    { name: 'watch-only', type: 'boolean', description: 'watch for changes without listing first' },
    { name: 'show-labels', type: 'boolean', description: 'add a LABELS column' },
    { name: 'no-headers', type: 'boolean', description: 'omit column headers' },
  ],
  async run(ctx, flags) {
    const client = await ctx.client();
    const disc = await client.discovery();
    const { targets, multipleKinds } = resolveTargets(disc, flags.positionals);
    refuseNamesAcrossNamespaces(ctx, targets);
    const fmt = ctx.globals.output;
    const q = { labelSelector: flags.string('selector'), fieldSelector: flags.string('field-selector') };
    if (flags.bool('watch') || flags.bool('watch-only')) {
      if (targets.length !== 1) throw new UsageError(`watch is only supported on individual resources and resource collections, but ${targets.length} resources were found`);
      return watchTarget(ctx, client, targets[0], flags.bool('watch-only'), q, {
        wide: fmt === 'wide',
        withNamespace: ctx.globals.allNamespaces && targets[0].resource.namespaced,
        showLabels: flags.bool('show-labels'),
        noHeaders: flags.bool('no-headers'),
      });
    }
    const errors: CliError[] = [];
    const mode = fmt === 'yaml' || fmt === 'json' || fmt === 'name' ? 'objects' : 'table';
    const fetched: Fetched[] = [];
    for (const t of targets) {
      try {
        fetched.push(await fetchTarget(client, ctx, t, mode, q, errors));
      } catch (e) {
        // `get all` skips kinds the server refuses to list (kubectl does the same for 404/405/403).
        if (multipleKinds && targets.length > 1 && e instanceof ServerError && [403, 404, 405].includes(e.status)) continue;
        throw e;
      }
    }
    let printed = 0;
    if (fmt === 'yaml' || fmt === 'json') {
      const objects = fetched.flatMap((f) => f.objects);
      const single = targets.length === 1 && targets[0].names.length === 1;
      if (!single) ctx.out(formatObjects(objects, fmt, false));
      else if (objects.length) ctx.out(formatObjects(objects, fmt, true));
      printed = objects.length;
    } else if (fmt === 'name') {
      for (const f of fetched)
        for (const o of f.objects) {
          ctx.out(`${objectName(f.target.resource.kind, f.target.resource.group, o.metadata.name ?? '')}\n`);
          printed++;
        }
    } else {
      const blocks: string[] = [];
      for (const f of fetched) {
        if (!f.table || f.table.rows.length === 0) continue;
        const r = f.target.resource;
        const opts: TableRenderOptions = {
          wide: fmt === 'wide',
          withNamespace: ctx.globals.allNamespaces && r.namespaced,
          kindPrefix: multipleKinds ? kindName(r.kind, r.group) : undefined,
          showLabels: flags.bool('show-labels'),
          noHeaders: flags.bool('no-headers'),
        };
        blocks.push(tabwriteLines(tableCells(f.table, opts), GET_TABS).text);
        printed += f.table.rows.length;
      }
      ctx.out(blocks.join('\n'));
    }
    for (const e of errors) ctx.err(`${e.render()}\n`);
    if (printed === 0 && errors.length === 0 && fmt !== 'yaml' && fmt !== 'json') ctx.err(noResourcesMessage(ctx, targets));
    return errors.length ? 1 : 0;
  },
};

/** resourceVersion of a watch event's object (a Table event carries it on the table or its row). */
function eventResourceVersion(obj: unknown): string | undefined {
  if (isTable(obj)) return obj.metadata?.resourceVersion || obj.rows[0]?.object?.metadata?.resourceVersion;
  return (obj as KObject)?.metadata?.resourceVersion;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

async function watchTarget(
  ctx: CliContext,
  client: KubeClient,
  target: Target,
  watchOnly: boolean,
  q: { labelSelector?: string; fieldSelector?: string },
  opts: TableRenderOptions,
): Promise<number> {
  const r = target.resource;
  const ns = target.names.length ? (r.namespaced ? ctx.namespace() : undefined) : requestNamespace(ctx, r);
  if (target.names.length > 1) throw new UsageError('watch is only supported on a single resource name');
  const fieldSelector = [q.fieldSelector, target.names[0] !== undefined ? `metadata.name=${target.names[0]}` : undefined].filter(Boolean).join(',') || undefined;
  const query = { labelSelector: q.labelSelector, fieldSelector };
  const fmt = ctx.globals.output;
  const printer = new StreamingTable();
  let columns: Table | undefined;
  let headerDone = !!opts.noHeaders;
  const lastRows = new Map<string, TableRow>();
  const rowKey = (row: TableRow) => `${row.object?.metadata?.namespace ?? ''}/${row.object?.metadata?.name ?? ''}`;
  const printRows = (rows: TableRow[]) => {
    if (!columns || rows.length === 0) return;
    for (const row of rows) lastRows.set(rowKey(row), row);
    const lines = tableCells({ ...columns, rows }, { ...opts, noHeaders: headerDone });
    headerDone = true;
    ctx.out(printer.write(lines));
  };
  const printObject = (o: KObject) => {
    if (fmt === 'name') ctx.out(`${objectName(r.kind, r.group, o.metadata.name ?? '')}\n`);
    else if (fmt === 'json') ctx.out(toJson(o));
    else ctx.out(`---\n${toYaml(o)}`);
  };
  const objectMode = fmt === 'yaml' || fmt === 'json' || fmt === 'name';
  let resourceVersion: string | undefined;
  let serverTables = false;
  if (objectMode) {
    const list = await client.list(r, ns, query);
    resourceVersion = list.metadata?.resourceVersion;
    if (!watchOnly) for (const o of list.items) printObject(withTypeMeta(r, o));
  } else {
    const body = await client.table(r, ns, undefined, query);
    const { table } = asTable(r, body, Date.now());
    columns = { ...table, rows: [] };
    serverTables = isTable(body);
    resourceVersion = isTable(body) ? body.metadata?.resourceVersion : (body as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
    if (!watchOnly) printRows(table.rows);
    else for (const row of table.rows) lastRows.set(rowKey(row), row);
  }
  // Servers end watches after a while (Kubernetes: minutes); resume from the last version seen, as kubectl does.
  const signal = ctx.io.signal;
  while (!signal?.aborted) {
    const started = Date.now();
    await client.watch(
      r,
      ns,
      { ...query, resourceVersion, accept: objectMode ? undefined : TABLE_ACCEPT },
      async (ev) => {
        resourceVersion = eventResourceVersion(ev.object) ?? resourceVersion;
        if (ev.type === 'BOOKMARK') return;
        const obj = ev.object as unknown;
        if (objectMode) {
          printObject(withTypeMeta(r, ev.object));
          return;
        }
        if (isTable(obj)) {
          if (obj.columnDefinitions.length) columns = { ...obj, rows: [] };
          printRows(obj.rows);
          return;
        }
        // Watch events carried full objects: ask for the object's row, or reuse its last row once it is gone.
        const o = withTypeMeta(r, ev.object);
        const key = `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
        let row: TableRow | undefined;
        if (!serverTables) row = tableFromObjects([o], Date.now(), humanDuration).rows[0];
        else if (ev.type !== 'DELETED') {
          try {
            const t = await client.table(r, r.namespaced ? o.metadata.namespace : undefined, o.metadata.name);
            if (isTable(t)) row = t.rows[0];
          } catch (e) {
            if (!(e instanceof ServerError)) throw e;
          }
        }
        row ??= lastRows.get(key);
        if (row) printRows([row]);
      },
      signal,
    );
    // A stream that ends at once again and again must not spin.
    if (!signal?.aborted && Date.now() - started < 1000) await pause(200, signal);
  }
  return 0;
}
