// `service list|describe|delete|wait`: kn's tables, describe layout, delete
// messages and the stand-alone wait.
import type { KObject } from '../../../api/meta.js';
import type { Flags } from '../../args.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import type { ApiResource } from '../../discovery.js';
import { ServerError } from '../../errors.js';
import type { KubeClient } from '../../http.js';
import { KnError, renderListTable, typedList } from '../../knative-format.js';
import { objectName, toJson, toYaml } from '../../output.js';
import { describeService, orderByGeneration, revisionDesc, serviceListRows, SERVICE_LIST_HEADERS, sortByNamespaceAndName, type RevisionDesc } from './format.js';
import { apiVersionOf, CONFIGURATION, KSVC, knRun, listNamespace, listServiceRevisions, REVISION, singleName, typed } from './serving-client.js';
import type { TrafficTarget } from './traffic.js';
import { waitFlagSpecs, waitForService, WAIT_DEFAULT_TIMEOUT, shouldWait } from './write.js';

export const NO_HEADERS_FLAG = { name: 'no-headers', type: 'boolean' as const, description: "When using the default output format, don't print headers (default: print headers)." };
export const VERBOSE_FLAG = { name: 'verbose', short: 'v', type: 'boolean' as const, description: 'More output.' };

/** -o json|yaml|name for objects already fetched; false when the human format is wanted. */
export function printMachineReadable(ctx: CliContext, r: ApiResource, objects: KObject[], list: { resourceVersion?: string } | undefined): boolean {
  const fmt = ctx.globals.output;
  if (fmt !== 'json' && fmt !== 'yaml' && fmt !== 'name') return false;
  const items = objects.map((o) => typed(r, o));
  if (fmt === 'name') {
    for (const o of items) ctx.out(`${objectName(r.kind, r.group, o.metadata.name ?? '')}\n`);
    return true;
  }
  const value = list ? typedList(apiVersionOf(r), r.kind, items, list.resourceVersion) : items[0];
  ctx.out(fmt === 'json' ? toJson(value) : toYaml(value));
  return true;
}

/** List one kind kn-style: optional single NAME filter, -A, machine formats. */
export async function listObjects(ctx: CliContext, client: KubeClient, r: ApiResource, positionals: string[], usage: string): Promise<{ items: KObject[]; resourceVersion?: string }> {
  if (positionals.length > 1) throw new KnError(usage);
  const list = await client.list(r, listNamespace(ctx), positionals.length ? { fieldSelector: `metadata.name=${positionals[0]}` } : {});
  return { items: list.items.map((o) => typed(r, o)), resourceVersion: list.metadata?.resourceVersion };
}

const listCommand: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List services',
  usage: 'service list [NAME] [-n NS | -A] [-o json|yaml|name] [--no-headers]',
  examples: ['skiff service list', 'skiff service list -n flow', 'skiff service list hello -o yaml'],
  flags: [NO_HEADERS_FLAG],
  run: (ctx, flags) =>
    knRun(async () => {
      const client = await ctx.client();
      const list = await listObjects(ctx, client, KSVC, flags.positionals, "'skiff service list' accepts maximum 1 argument");
      if (printMachineReadable(ctx, KSVC, list.items, list)) return 0;
      if (list.items.length === 0) {
        ctx.out('No services found.\n');
        return 0;
      }
      const withNs = ctx.globals.allNamespaces;
      const headers = withNs ? ['NAMESPACE', ...SERVICE_LIST_HEADERS] : SERVICE_LIST_HEADERS;
      ctx.out(renderListTable(headers, serviceListRows(sortByNamespaceAndName(list.items), Date.now(), withNs), { noHeaders: flags.bool('no-headers') }));
      return 0;
    }),
};

async function revisionForTarget(client: KubeClient, ns: string, t: TrafficTarget): Promise<KObject> {
  let name = t.revisionName;
  if (!name) {
    if (!t.configurationName) throw new KnError('neither RevisionName nor ConfigurationName set');
    const cfg = await client.get(CONFIGURATION, ns, t.configurationName);
    name = cfg.status?.latestCreatedRevisionName ?? '';
  }
  return typed(REVISION, await client.get(REVISION, ns, name!));
}

/** Routed revisions, then latest created/ready, then (verbose) the rest; newest generation first. */
export async function serviceRevisionDescs(client: KubeClient, svc: KObject, details: boolean): Promise<RevisionDesc[]> {
  const ns = svc.metadata.namespace ?? 'default';
  const seen = new Set<string>();
  const descs: RevisionDesc[] = [];
  for (const t of (svc.status?.traffic ?? []) as TrafficTarget[]) {
    let rev: KObject;
    try {
      rev = await revisionForTarget(client, ns, t);
    } catch (e) {
      throw new KnError(`cannot extract revision from service ${svc.metadata.name}: ${(e as Error).message}`);
    }
    seen.add(rev.metadata.name!);
    descs.push(revisionDesc(rev, t, svc));
  }
  for (const name of [svc.status?.latestCreatedRevisionName, svc.status?.latestReadyRevisionName]) {
    if (!name || seen.has(name)) continue;
    seen.add(name);
    descs.push(revisionDesc(typed(REVISION, await client.get(REVISION, ns, name)), undefined, svc));
  }
  if (details) {
    for (const rev of await listServiceRevisions(client, ns, svc.metadata.name!)) {
      if (seen.has(rev.metadata.name!)) continue;
      seen.add(rev.metadata.name!);
      descs.push(revisionDesc(rev, undefined, svc));
    }
  }
  return orderByGeneration(descs);
}

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a service',
  usage: 'service describe NAME [-o url|json|yaml|name] [-v]',
  examples: ['skiff service describe hello', 'skiff service describe hello -o url', 'skiff service describe hello -o yaml'],
  flags: [VERBOSE_FLAG],
  outputFormats: ['json', 'yaml', 'name', 'url'],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'service describe' requires the service name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const svc = typed(KSVC, await client.get(KSVC, ns, name));
      if (ctx.globals.output === 'url') {
        ctx.out(`${svc.status?.url ?? ''}\n`);
        return 0;
      }
      if (printMachineReadable(ctx, KSVC, [svc], undefined)) return 0;
      const details = flags.bool('verbose');
      ctx.out(describeService(svc, await serviceRevisionDescs(client, svc, details), Date.now(), details));
      return 0;
    }),
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until the object is gone; kn's delete --wait. */
export async function waitDeleted(client: KubeClient, r: ApiResource, ns: string, name: string, timeoutMs: number, kind: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (await client.tryGet(r, ns, name)) {
    if (Date.now() >= deadline) throw new KnError(`timeout: ${kind} '${name}' not ready after ${Math.trunc(timeoutMs / 1000)} seconds`, 'SKIFF_ERR_KN_TIMEOUT');
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, 1000);
  }
}

/** Delete each name, collecting failures into one kn error (`Error: a` / `Error: b`). */
export async function deleteEach(
  ctx: CliContext,
  names: string[],
  del: (name: string) => Promise<void>,
  done: (name: string) => string,
): Promise<number> {
  const errs: string[] = [];
  for (const name of names) {
    try {
      await del(name);
      ctx.out(done(name));
    } catch (e) {
      if (e instanceof KnError || e instanceof ServerError) errs.push(e.message);
      else throw e;
    }
  }
  if (errs.length) throw new KnError(errs.join('\nError: '));
  return 0;
}

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete services',
  usage: 'service delete NAME... | --all [-n NS] [--wait]',
  examples: ['skiff service delete hello', 'skiff service delete --all -n flow'],
  flags: [{ name: 'all', type: 'boolean', description: 'Delete all services in a namespace.' }, ...waitFlagSpecs('delete', false)],
  run: (ctx, flags) =>
    knRun(async () => {
      const all = flags.bool('all');
      let names = flags.positionals;
      if (names.length < 1 && !all) throw new KnError("'service delete' requires the service name(s)");
      if (names.length > 0 && all) throw new KnError("'service delete' with --all flag requires no arguments");
      const ns = ctx.namespace();
      const client = await ctx.client();
      if (all) {
        names = (await client.list(KSVC, ns)).items.map((o) => o.metadata.name!);
        if (names.length === 0) {
          ctx.out('No services found.\n');
          return 0;
        }
      }
      const wait = shouldWait(flags);
      return deleteEach(
        ctx,
        names,
        async (name) => {
          const svc = await client.get(KSVC, ns, name);
          if (svc.metadata.deletionTimestamp) throw new KnError(`can't delete service '${name}' because it has been already marked for deletion`);
          await client.delete(KSVC, ns, name, { propagationPolicy: wait ? 'Foreground' : 'Background' });
          if (wait) await waitDeleted(client, KSVC, ns, name, (flags.int('wait-timeout') ?? WAIT_DEFAULT_TIMEOUT) * 1000, 'service');
        },
        (name) => `Service '${name}' successfully deleted in namespace '${ns}'.\n`,
      );
    }),
};

const waitCommand: Command = {
  name: 'wait',
  summary: 'Wait for a service to be ready',
  usage: 'service wait NAME [--wait-timeout SECONDS] [--wait-window SECONDS]',
  examples: ['skiff service wait hello', 'skiff service wait hello --wait-timeout 10'],
  flags: waitFlagSpecs('wait', true).filter((s) => s.name !== 'wait' && s.name !== 'no-wait'),
  run: (ctx, flags: Flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'service wait' requires the service name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      ctx.out(`Waiting for Service '${name}' in namespace '${ns}':\n\n`);
      await waitForService(ctx, client, ns, name, flags);
      ctx.out(`\nService '${name}' in namespace '${ns}' is ready.\n`);
      return 0;
    }),
};

export const serviceReadCommands = { listCommand, describeCommand, deleteCommand, waitCommand };
