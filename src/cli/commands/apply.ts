// `skiff apply -f`: create or update objects from manifests, kubectl-style.
// Updates are a three-way JSON merge patch (last applied ↔ new manifest ↔ live
// object) so fields the server or controllers own are kept and fields removed
// from the manifest are removed from the object. The last applied manifest is
// kept in kubectl's own annotation so `kubectl apply` and `skiff apply` can
// take turns on the same objects.
import type { KObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import { kindName, type ApiResource } from '../discovery.js';
import { CliError, ServerError, UsageError, UserError } from '../errors.js';
import { loadManifests, type Manifest } from '../manifests.js';
import { formatObjects } from '../output.js';
import { desiredObject, LAST_APPLIED_ANNOTATION, threeWayMergePatch, type ApplyResult } from '../apply-patch.js';
import { deepEqual } from '../../api/json.js';

function parseLastApplied(live: KObject): unknown {
  const raw = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function namespaceFor(ctx: CliContext, r: ApiResource, m: Manifest): string | undefined {
  if (!r.namespaced) return undefined;
  const own = m.object.metadata.namespace;
  const flag = ctx.globals.namespace;
  if (own && flag && own !== flag)
    throw new UserError(`the namespace from the provided object "${own}" does not match the namespace "${flag}". You must pass '--namespace=${own}' to perform this operation.`);
  return own || flag || 'default';
}

function wrap(e: unknown, verb: string, source: string): unknown {
  if (e instanceof ServerError && e.reason !== 'Invalid') return new ServerError(e.status, e.reason, `error when ${verb} "${source}": ${e.message}`, e.details);
  return e;
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Create or update resources from files or stdin',
  usage: 'apply -f FILE|DIR|- [-f ...] [-n NS]',
  description:
    'Create or update resources from YAML or JSON manifests (several documents per file, List kinds, directories of *.yaml, *.yml, *.json). Prints created, configured or unchanged for each object, as kubectl does.',
  examples: ['skiff apply -f hello.yaml', 'skiff apply -f manifests/', 'cat hello.yaml | skiff apply -f -'],
  flags: [{ name: 'filename', short: 'f', type: 'strings', splitCommas: true, placeholder: 'FILE', description: 'file, directory or - (stdin) with manifests; repeatable' }],
  async run(ctx, flags) {
    const files = flags.strings('filename');
    if (files.length === 0) throw new UsageError('must specify one of -f and -k');
    if (flags.positionals.length) throw new UsageError(`unexpected arguments: ${flags.positionals.join(' ')}`);
    const manifests = await loadManifests(files, { stdin: ctx.io.stdin, cwd: ctx.io.cwd });
    if (manifests.length === 0) throw new UserError('no objects passed to apply');
    const client = await ctx.client();
    const disc = await client.discovery();
    const errors: CliError[] = [];
    const results: KObject[] = [];
    for (const m of manifests) {
      const o = m.object;
      const name = o.metadata.name;
      try {
        const r = disc.forKind(String(o.apiVersion), String(o.kind));
        if (!r)
          throw new UserError(
            `resource mapping not found for name: "${name ?? ''}" namespace: "${o.metadata.namespace ?? ''}" from "${m.source}": no matches for kind "${o.kind}" in version "${o.apiVersion}"`,
            'SKIFF_ERR_CLI_UNKNOWN_KIND',
          );
        if (!name) throw new UserError(`error when retrieving current configuration from "${m.source}": ${kindName(r.kind, r.group)}: metadata.name is required (apply cannot use generateName)`);
        const ns = namespaceFor(ctx, r, m);
        const { desired } = desiredObject(o, ns);
        const shown = `${kindName(r.kind, r.group)}/${name}`;
        const live = await client.tryGet(r, ns, name);
        let result: ApplyResult;
        let obj: KObject;
        if (!live) {
          try {
            obj = await client.create(r, ns, desired);
          } catch (e) {
            throw wrap(e, 'creating', m.source);
          }
          result = 'created';
        } else {
          const patch = threeWayMergePatch(parseLastApplied(live), desired, live);
          if (Object.keys(patch).length === 0) {
            obj = live;
            result = 'unchanged';
          } else {
            try {
              obj = await client.patch(r, ns, name, patch, 'merge');
            } catch (e) {
              throw wrap(e, 'patching', m.source);
            }
            const same = obj.metadata?.resourceVersion ? obj.metadata.resourceVersion === live.metadata.resourceVersion : deepEqual(obj, live);
            result = same ? 'unchanged' : 'configured';
          }
        }
        results.push(obj);
        const fmt = ctx.globals.output;
        if (fmt === 'name') ctx.out(`${shown}\n`);
        else if (fmt !== 'yaml' && fmt !== 'json') ctx.out(`${shown} ${result}\n`);
      } catch (e) {
        if (e instanceof CliError && !(e.code === 'SKIFF_ERR_CLI_UNREACHABLE')) errors.push(e);
        else throw e;
      }
    }
    const fmt = ctx.globals.output;
    if ((fmt === 'yaml' || fmt === 'json') && results.length) ctx.out(formatObjects(results, fmt, results.length === 1));
    for (const e of errors) ctx.err(`${e.render()}\n`);
    return errors.length ? 1 : 0;
  },
};
