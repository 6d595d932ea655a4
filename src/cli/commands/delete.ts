// `skiff delete`: delete objects by kind and name, by label, `--all`, or from
// manifests (`-f`); prints kubectl's `configmap "x" deleted` and, with --wait
// (the default, as in kubectl), waits until finalizers let the object go.
import type { KObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import { kindName, type ApiResource } from '../discovery.js';
import { CliError, ServerError, UsageError, UserError } from '../errors.js';
import type { KubeClient } from '../http.js';
import { loadManifests } from '../manifests.js';
import { requestNamespace, resolveTargets } from './common.js';

interface Victim {
  resource: ApiResource;
  namespace: string | undefined;
  name: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/** Poll until the object is gone (404) or `timeoutMs` passes. */
async function waitGone(client: KubeClient, v: Victim, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (!signal?.aborted) {
    if (!(await client.tryGet(v.resource, v.namespace, v.name))) return;
    if (Date.now() >= deadline) throw new UserError(`timed out waiting for the condition on ${v.resource.name}/${v.name}`, 'SKIFF_ERR_CLI_TIMEOUT');
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), signal);
    delay = Math.min(delay * 2, 1000);
  }
}

async function victimsFromArgs(ctx: CliContext, client: KubeClient, flags: { positionals: string[]; all: boolean; selector?: string }): Promise<Victim[]> {
  const disc = await client.discovery();
  const { targets } = resolveTargets(disc, flags.positionals);
  const out: Victim[] = [];
  for (const t of targets) {
    const r = t.resource;
    if (t.names.length) {
      if (flags.all || flags.selector) throw new UsageError('name cannot be provided when a selector or --all is specified');
      for (const name of t.names) out.push({ resource: r, namespace: r.namespaced ? ctx.namespace() : undefined, name });
      continue;
    }
    if (!flags.all && !flags.selector) throw new UserError('resource(s) were provided, but no name was specified');
    const list = await client.list(r, requestNamespace(ctx, r), { labelSelector: flags.selector });
    for (const o of list.items) out.push({ resource: r, namespace: r.namespaced ? o.metadata.namespace : undefined, name: o.metadata.name! });
  }
  return out;
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete resources by kind and name, by label, or from files',
  usage: 'delete (KIND NAME... | KIND/NAME... | KIND --all | KIND -l SELECTOR | -f FILE) [-n NS]',
  examples: ['skiff delete ksvc hello', 'skiff delete configmap a b -n demo', 'skiff delete pods --all', 'skiff delete -f hello.yaml'],
  flags: [
    { name: 'all', type: 'boolean', description: 'delete every object of the kind in the namespace' },
    { name: 'selector', short: 'l', type: 'string', description: 'delete objects matching this label selector' },
    { name: 'filename', short: 'f', type: 'strings', splitCommas: true, placeholder: 'FILE', description: 'delete the objects in these manifests' },
    { name: 'wait', type: 'boolean', default: true, description: 'wait until the objects are gone (finalizers done)' },
    { name: 'timeout', type: 'int', default: 60, placeholder: 'SECONDS', description: 'how long --wait waits' },
    { name: 'ignore-not-found', type: 'boolean', description: 'treat "not found" as a successful delete' },
    { name: 'cascade', type: 'string', default: 'background', placeholder: 'background|foreground|orphan', description: 'how dependents are deleted' },
  ],
  async run(ctx, flags) {
    const client = await ctx.client();
    const cascade = flags.string('cascade') ?? 'background';
    const policy = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' }[cascade];
    if (!policy) throw new UsageError(`invalid --cascade "${cascade}": must be background, foreground or orphan`);
    let victims: Victim[];
    const files = flags.strings('filename');
    if (files.length) {
      if (flags.positionals.length) throw new UsageError('cannot specify both -f and resource names');
      const manifests = await loadManifests(files, { stdin: ctx.io.stdin, cwd: ctx.io.cwd });
      const disc = await client.discovery();
      victims = manifests.map((m) => {
        const r = disc.forKind(String(m.object.apiVersion), String(m.object.kind));
        if (!r) throw new UserError(`resource mapping not found for name: "${m.object.metadata.name ?? ''}" from "${m.source}": no matches for kind "${m.object.kind}" in version "${m.object.apiVersion}"`);
        return { resource: r, namespace: r.namespaced ? m.object.metadata.namespace || ctx.namespace() : undefined, name: String(m.object.metadata.name ?? '') };
      });
    } else {
      if (flags.positionals.length === 0) throw new UsageError('you must provide one or more resources by argument or filename');
      victims = await victimsFromArgs(ctx, client, { positionals: flags.positionals, all: flags.bool('all'), selector: flags.string('selector') });
    }
    if (victims.length === 0) {
      ctx.err(ctx.globals.allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace()} namespace.\n`);
      return 0;
    }
    const errors: CliError[] = [];
    const pending: Victim[] = [];
    for (const v of victims) {
      let res: KObject;
      try {
        res = await client.delete(v.resource, v.namespace, v.name, { propagationPolicy: policy });
      } catch (e) {
        if (e instanceof ServerError && e.status === 404 && flags.bool('ignore-not-found')) continue;
        if (e instanceof ServerError) {
          errors.push(e);
          continue;
        }
        throw e;
      }
      ctx.out(`${kindName(v.resource.kind, v.resource.group)} "${v.name}" deleted\n`);
      // A Status answer means gone; an object with deletionTimestamp waits on finalizers.
      if (res && res.kind !== 'Status' && res.metadata?.deletionTimestamp) pending.push(v);
    }
    if (flags.bool('wait')) {
      const timeoutMs = (flags.int('timeout') ?? 60) * 1000;
      for (const v of pending) await waitGone(client, v, timeoutMs, ctx.io.signal);
    }
    for (const e of errors) ctx.err(`${e.render()}\n`);
    return errors.length ? 1 : 0;
  },
};
