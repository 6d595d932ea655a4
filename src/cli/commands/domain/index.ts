// `skiff domain create|update|describe|list|delete`: DomainMappings in kn's
// words (`Domain mapping 'hello.magedu.com' created in namespace 'default'.`).
import type { Flags } from '../../args.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import type { KubeClient } from '../../http.js';
import { KnError, renderListTable } from '../../knative-format.js';
import { listObjects, NO_HEADERS_FLAG, printMachineReadable, VERBOSE_FLAG } from '../service/read.js';
import { apiVersionOf, DOMAIN_MAPPING, KSVC, knRun, ROUTE, singleName, typed, updateWithRetry } from '../service/serving-client.js';
import { buildDomainMapping, checkTlsSecret, describeDomainMapping, DOMAIN_LIST_HEADERS, domainListRows, parseRef, type KReference } from './format.js';

const REF_FLAG = {
  name: 'ref',
  type: 'string' as const,
  placeholder: 'ksvc:NAME[:NS]|kroute:NAME|NAME',
  description:
    "Addressable target reference for Domain Mapping: '--ref ksvc:hello' or simply '--ref hello' for a Knative service, '--ref kroute:hello' for a Knative route, '--ref ksvc:mysvc:mynamespace' for a service in another namespace.",
};

/** Look the referenced object up (it must exist) and describe it as a KReference. */
async function resolveRef(client: KubeClient, flags: Flags, namespace: string): Promise<KReference> {
  const raw = flags.string('ref');
  if (!flags.has('ref') || !raw) throw new KnError('required flag(s) "ref" not set');
  const spec = parseRef(raw);
  const r = spec.prefix === 'ksvc' ? KSVC : spec.prefix === 'kroute' ? ROUTE : undefined;
  if (!r) throw new KnError(`unsupported sink prefix: '${spec.prefix}'`);
  const ns = spec.namespace || namespace;
  const obj = await client.get(r, ns, spec.name);
  return { apiVersion: obj.apiVersion || apiVersionOf(r), kind: obj.kind || r.kind, name: obj.metadata.name ?? spec.name, namespace: ns };
}

const createCommand: Command = {
  name: 'create',
  summary: 'Create a domain mapping',
  usage: 'domain create NAME --ref ksvc:NAME[:NS]|kroute:NAME|NAME [--tls SECRET] [-n NS]',
  examples: ['skiff domain create hello.magedu.com --ref ksvc:hello -n default', 'skiff domain create hello.example.com --ref hello --tls my-cert-secret'],
  flags: [REF_FLAG, { name: 'tls', type: 'string', placeholder: 'SECRET', description: 'Enable TLS and point to the secret that holds the server certificate.' }],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'skiff domain create' requires the domain name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const ref = await resolveRef(client, flags, ns);
      const tls = flags.string('tls') ?? '';
      checkTlsSecret(tls);
      await client.create(DOMAIN_MAPPING, ns, buildDomainMapping(name, ns, ref, tls || undefined));
      ctx.out(`Domain mapping '${name}' created in namespace '${ns}'.\n`);
      return 0;
    }),
};

const updateCommand: Command = {
  name: 'update',
  summary: 'Update a domain mapping',
  usage: 'domain update NAME --ref ksvc:NAME|kroute:NAME|NAME [-n NS]',
  examples: ['skiff domain update hello.example.com --ref ksvc:hello2'],
  flags: [REF_FLAG],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'skiff domain update' requires the domain name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      await updateWithRetry(client, DOMAIN_MAPPING, ns, name, async (dm) => {
        if (dm.metadata.deletionTimestamp) throw new KnError(`can't update domain mapping '${name}' because it has been marked for deletion`);
        dm.spec = { ...(dm.spec ?? {}), ref: { ...(await resolveRef(client, flags, ns)) } };
        return dm;
      });
      ctx.out(`Domain mapping '${name}' updated in namespace '${ns}'.\n`);
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a domain mapping',
  usage: 'domain describe NAME [-o url|json|yaml|name] [-v]',
  examples: ['skiff domain describe hello.magedu.com'],
  flags: [VERBOSE_FLAG],
  outputFormats: ['json', 'yaml', 'name', 'url'],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'skiff domain describe' requires name of the domain mapping as single argument");
      const client = await ctx.client();
      const dm = typed(DOMAIN_MAPPING, await client.get(DOMAIN_MAPPING, ctx.namespace(), name));
      if (ctx.globals.output === 'url') {
        ctx.out(`${dm.status?.url ?? ''}\n`);
        return 0;
      }
      if (printMachineReadable(ctx, DOMAIN_MAPPING, [dm], undefined)) return 0;
      ctx.out(describeDomainMapping(dm, Date.now(), flags.bool('verbose')));
      return 0;
    }),
};

const listCommand: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List domain mappings',
  usage: 'domain list [-n NS | -A] [-o json|yaml|name] [--no-headers]',
  flags: [NO_HEADERS_FLAG],
  run: (ctx: CliContext, flags) =>
    knRun(async () => {
      const client = await ctx.client();
      const list = await listObjects(ctx, client, DOMAIN_MAPPING, flags.positionals, "'skiff domain list' accepts maximum 1 argument");
      if (printMachineReadable(ctx, DOMAIN_MAPPING, list.items, list)) return 0;
      if (list.items.length === 0) {
        ctx.out('No domain mapping found.\n');
        return 0;
      }
      const withNs = ctx.globals.allNamespaces;
      const headers = withNs ? ['NAMESPACE', ...DOMAIN_LIST_HEADERS] : DOMAIN_LIST_HEADERS;
      ctx.out(renderListTable(headers, domainListRows(list.items, withNs), { noHeaders: flags.bool('no-headers') }));
      return 0;
    }),
};

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a domain mapping',
  usage: 'domain delete NAME [-n NS]',
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'skiff domain delete' requires the domain name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      await client.delete(DOMAIN_MAPPING, ns, name);
      ctx.out(`Domain mapping '${name}' deleted in namespace '${ns}'.\n`);
      return 0;
    }),
};

export const domainCommand: Command = {
  name: 'domain',
  aliases: ['domains'],
  summary: 'Manage domain mappings (kn domain)',
  subcommands: [createCommand, describeCommand, updateCommand, deleteCommand, listCommand],
};
