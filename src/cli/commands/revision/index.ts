// `skiff revision list|describe|delete`: Knative Revisions in kn's words.
import type { KObject } from '../../../api/meta.js';
import type { Command } from '../../command.js';
import { KnError, renderListTable } from '../../knative-format.js';
import { deleteEach, NO_HEADERS_FLAG, printMachineReadable, VERBOSE_FLAG, waitDeleted } from '../service/read.js';
import { KSVC, knRun, LABEL_ROUTING_STATE, LABEL_SERVICE, listNamespace, REVISION, singleName, typed } from '../service/serving-client.js';
import { waitFlagSpecs, shouldWait, WAIT_DEFAULT_TIMEOUT } from '../service/write.js';
import { describeRevision, REVISION_LIST_HEADERS, revisionListRows, sortRevisions } from './format.js';

const listCommand: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List revisions',
  usage: 'revision list [NAME] [-s SERVICE] [-n NS | -A] [-o json|yaml|name] [--no-headers]',
  examples: ['skiff revision list', 'skiff revision list -s hello -n default', 'skiff revision list -o json'],
  flags: [{ name: 'service', short: 's', type: 'string', description: 'Service name' }, NO_HEADERS_FLAG],
  run: (ctx, flags) =>
    knRun(async () => {
      if (flags.positionals.length > 1) throw new KnError(`'skiff revision list' accepts maximum 1 argument, not ${flags.positionals.length} arguments as given`);
      const client = await ctx.client();
      const ns = listNamespace(ctx);
      const selectors: { labelSelector?: string; fieldSelector?: string } = {};
      const service = flags.string('service');
      if (flags.has('service')) {
        // kn checks the service exists first, so a typo is an error rather than an empty list.
        await client.get(KSVC, ctx.namespace(), service ?? '');
        selectors.labelSelector = `${LABEL_SERVICE}=${service}`;
      }
      if (flags.positionals.length) selectors.fieldSelector = `metadata.name=${flags.positionals[0]}`;
      const list = await client.list(REVISION, flags.has('service') ? ctx.namespace() : ns, selectors);
      const items = list.items.map((o) => typed(REVISION, o));
      if (printMachineReadable(ctx, REVISION, items, { resourceVersion: list.metadata?.resourceVersion })) return 0;
      if (items.length === 0) {
        ctx.out('No revisions found.\n');
        return 0;
      }
      // TRAFFIC and TAGS come from each owning service's status.
      const services = new Map<string, KObject>();
      for (const r of items) {
        const svcName = r.metadata.labels?.[LABEL_SERVICE];
        const key = `${r.metadata.namespace ?? ''}/${svcName}`;
        if (!svcName || services.has(key)) continue;
        const svc = await client.tryGet(KSVC, r.metadata.namespace ?? ctx.namespace(), svcName);
        if (svc) services.set(key, svc);
      }
      const withNs = ctx.globals.allNamespaces;
      const headers = withNs ? ['NAMESPACE', ...REVISION_LIST_HEADERS] : REVISION_LIST_HEADERS;
      ctx.out(renderListTable(headers, revisionListRows(sortRevisions(items), services, Date.now(), withNs), { noHeaders: flags.bool('no-headers') }));
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a revision',
  usage: 'revision describe NAME [-o json|yaml|name] [-v]',
  flags: [VERBOSE_FLAG],
  outputFormats: ['json', 'yaml', 'name'],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'skiff revision describe' requires name of the revision as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const rev = typed(REVISION, await client.get(REVISION, ns, name));
      if (printMachineReadable(ctx, REVISION, [rev], undefined)) return 0;
      const details = flags.bool('verbose');
      const svcName = rev.metadata.labels?.[LABEL_SERVICE];
      const svc = details && svcName ? await client.get(KSVC, ns, svcName) : undefined;
      ctx.out(describeRevision(rev, svc, Date.now(), details));
      return 0;
    }),
};

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete revisions',
  usage: 'revision delete NAME... | --prune SERVICE | --prune-all [-n NS] [--wait]',
  examples: ['skiff revision delete hello-00001', 'skiff revision delete --prune hello', 'skiff revision delete --prune-all'],
  flags: [
    { name: 'prune', type: 'string', placeholder: 'SERVICE', description: 'Remove unreferenced revisions for a given service in a namespace.' },
    { name: 'prune-all', type: 'boolean', description: 'Remove all unreferenced revisions in a namespace.' },
    ...waitFlagSpecs('delete', false).map((s) => ({ ...s, description: s.description.replace('service', 'revision') })),
  ],
  run: (ctx, flags) =>
    knRun(async () => {
      const prune = flags.has('prune');
      const pruneAll = flags.bool('prune-all');
      let names = flags.positionals;
      if (names.length < 1 && !prune && !pruneAll) throw new KnError("'skiff revision delete' requires one or more revision name");
      if (names.length > 0 && pruneAll) throw new KnError("'skiff revision delete' with --prune-all flag requires no arguments");
      const ns = ctx.namespace();
      const client = await ctx.client();
      if (prune || pruneAll) {
        const list = await client.list(REVISION, ns, prune ? { labelSelector: `${LABEL_SERVICE}=${flags.string('prune')}` } : {});
        // Unreferenced = not routed (routingState other than active).
        names = sortRevisions(list.items)
          .filter((r) => r.metadata.labels?.[LABEL_ROUTING_STATE] !== 'active')
          .map((r) => r.metadata.name!);
        if (names.length === 0) {
          ctx.out('No unreferenced revisions found.\n');
          return 0;
        }
      }
      const wait = shouldWait(flags);
      return deleteEach(
        ctx,
        names,
        async (name) => {
          await client.delete(REVISION, ns, name, { propagationPolicy: wait ? 'Foreground' : 'Background' });
          if (wait) await waitDeleted(client, REVISION, ns, name, (flags.int('wait-timeout') ?? WAIT_DEFAULT_TIMEOUT) * 1000, 'revision');
        },
        (name) => `Revision '${name}' deleted in namespace '${ns}'.\n`,
      );
    }),
};

export const revisionCommand: Command = {
  name: 'revision',
  aliases: ['revisions'],
  summary: 'Manage Knative revisions (kn revision)',
  subcommands: [listCommand, describeCommand, deleteCommand],
};
