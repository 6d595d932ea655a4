// `service create|update|apply` and the waiting they share: build the Service
// from flags (edit-flags.ts, traffic.ts), write it, then either say so
// (`--no-wait`) or follow it to Ready printing kn's progress lines and
// `Service 'x' created to latest revision 'x-00001' is available at URL:`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Condition, KObject } from '../../../api/meta.js';
import type { Flags, FlagSpec } from '../../args.js';
import { LAST_APPLIED_ANNOTATION, threeWayMergePatch } from '../../apply-patch.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import type { KubeClient } from '../../http.js';
import { KnError } from '../../knative-format.js';
import { loadManifests } from '../../manifests.js';
import { anyMutation, applyEditFlags, editFlagSpecs, newService, servingContainerIndex, type ServiceVerb } from './edit-flags.js';
import { KSVC, knRun, listServiceRevisions, REVISION, singleName, typed, updateWithRetry } from './serving-client.js';
import { computeTraffic, type TrafficFlags } from './traffic.js';
import { formatElapsed, isReady, progressPrinter, waitForReady, type WatchSource } from './wait.js';

export const WAIT_DEFAULT_TIMEOUT = 600;

export function waitFlagSpecs(verb: string, waitDefault: boolean): FlagSpec[] {
  const until = verb === 'delete' ? 'deleted' : 'ready';
  return [
    { name: 'wait', type: 'boolean', default: waitDefault, description: `Wait for 'service ${verb}' operation to be completed.` },
    { name: 'no-wait', type: 'boolean', description: `Do not wait for 'service ${verb}' operation to be completed.` },
    { name: 'wait-timeout', type: 'int', default: WAIT_DEFAULT_TIMEOUT, description: `Seconds to wait before giving up on waiting for service to be ${until}.` },
    { name: 'wait-window', type: 'int', default: 2, description: `Seconds to wait for service to be ${until} after a false ready condition is returned` },
  ];
}

export function shouldWait(flags: Flags): boolean {
  if (flags.has('no-wait')) return !flags.bool('no-wait');
  return flags.bool('wait');
}

function trafficFlags(flags: Flags): TrafficFlags {
  const get = (n: string) => (flags.has(n) ? flags.strings(n) : []);
  return { traffic: get('traffic'), tags: get('tag'), untags: get('untag') };
}

async function envFileLines(ctx: CliContext, flags: Flags): Promise<string[] | undefined> {
  const path = flags.string('env-file');
  if (!path) return undefined;
  try {
    const text = await readFile(resolve(ctx.io.cwd, path), 'utf8');
    return text.split(/\r?\n/).filter((l) => l !== '');
  } catch (e) {
    throw new KnError(`Invalid --env-file: open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
}

/** -f FILE: the Service in the file, named by the argument when the file has no name. */
async function serviceFromFile(ctx: CliContext, file: string, name: string | undefined, ns: string): Promise<KObject> {
  const manifests = await loadManifests([file], { stdin: ctx.io.stdin, cwd: ctx.io.cwd });
  const obj = manifests[0]?.object;
  if (!obj) throw new KnError(`no service found in ${file}`);
  const svc = typed(KSVC, structuredClone(obj));
  svc.metadata ??= {};
  const fileName = svc.metadata.name;
  if (!name && !fileName) throw new KnError('no service name provided in command parameter or file');
  if (name && fileName && name !== fileName) throw new KnError(`provided service name '${name}' doesn't match name from file '${fileName}'`);
  svc.metadata.name = fileName || name;
  svc.metadata.namespace = ns;
  delete svc.status;
  return svc;
}

async function constructService(ctx: CliContext, flags: Flags, verb: ServiceVerb): Promise<KObject> {
  const file = flags.string('filename');
  const ns = ctx.namespace();
  if (flags.positionals.length !== 1 && !file) throw new KnError(`'service ${verb}' requires the service name given as single argument`);
  if (!flags.string('image') && !flags.string('source') && !file) throw new KnError(`'service ${verb}' requires the image name to run provided with the --image option`);
  const svc = file ? await serviceFromFile(ctx, file, flags.positionals[0], ns) : newService(flags.positionals[0], ns);
  return applyEditFlags(svc, flags, { verb, now: Date.now(), random: Math.random, envFileLines: await envFileLines(ctx, flags), cwd: ctx.io.cwd });
}

// ---------------------------------------------------------------- waiting

function serviceWatch(client: KubeClient, ns: string, name: string): WatchSource {
  return (from, onEvent, signal) => client.watch(KSVC, ns, { fieldSelector: `metadata.name=${name}`, resourceVersion: from }, onEvent, signal);
}

/**
 * Follow the service to Ready, printing kn's progress lines and the final
 * `  1.231s Ready to serve.`; throws kn's error on failure or timeout.
 */
export async function waitForService(ctx: CliContext, client: KubeClient, ns: string, name: string, flags: Flags): Promise<void> {
  const current = await client.tryGet(KSVC, ns, name);
  let elapsed = 0;
  // Already ready (e.g. `service wait` on a settled service): nothing to follow.
  if (!current || !isReady(current)) {
    elapsed = await waitForReady(serviceWatch(client, ns, name), current?.metadata.resourceVersion, {
      kind: 'service',
      name,
      timeoutMs: (flags.int('wait-timeout') ?? WAIT_DEFAULT_TIMEOUT) * 1000,
      errorWindowMs: (flags.int('wait-window') ?? 2) * 1000,
      onMessage: progressPrinter((s) => ctx.out(s)),
      signal: ctx.io.signal,
      initial: current,
      rootCause: (o) => o.status?.conditions?.find((c: Condition) => c.type === 'ConfigurationsReady'),
    });
  }
  ctx.out(`${formatElapsed(elapsed)}s Ready to serve.\n`);
}

/** The closing line: which revision now serves and where. */
export async function showUrl(ctx: CliContext, client: KubeClient, ns: string, name: string, originalRevision: string, what: string): Promise<void> {
  let svc: KObject;
  try {
    svc = await client.get(KSVC, ns, name);
  } catch (e) {
    throw new KnError(`cannot fetch service '${name}' in namespace '${ns}' for extracting the URL: ${(e as Error).message}`);
  }
  const url = svc.status?.url ?? '';
  const latest = svc.status?.latestReadyRevisionName ?? '';
  if ((originalRevision !== '' && originalRevision === latest) || originalRevision === 'unchanged')
    ctx.out(`Service '${name}' with latest revision '${latest}' (unchanged) is available at URL:\n${url}\n`);
  else ctx.out(`Service '${name}' ${what} to latest revision '${latest}' is available at URL:\n${url}\n`);
}

async function waitIfRequested(ctx: CliContext, client: KubeClient, flags: Flags, ns: string, name: string, doing: string, done: string): Promise<number> {
  if (!shouldWait(flags)) {
    ctx.out(`Service '${name}' ${done} in namespace '${ns}'.\n`);
    return 0;
  }
  ctx.out(`${doing} service '${name}' in namespace '${ns}':\n\n`);
  await waitForService(ctx, client, ns, name, flags);
  ctx.out('\n');
  await showUrl(ctx, client, ns, name, '', done);
  return 0;
}

// ---------------------------------------------------------------- create

const KEEP_ON_REPLACE = ['serving.knative.dev/creator', 'serving.knative.dev/lastModifier'];

export const createCommand: Command = {
  name: 'create',
  summary: 'Create a service',
  usage: 'service create NAME --image IMAGE [flags]',
  examples: [
    'skiff service create hello --image ikubernetes/helloworld-go --env TARGET=World',
    'skiff service create event-display --image ikubernetes/event_display --port 8080 --scale-min 1',
    'skiff service create hello --force --image ikubernetes/helloworld-go   # replace if it exists',
    'skiff service create hello --image ikubernetes/helloworld-go --cluster-local',
    'skiff service create myapp --source ./myapp   # your own code: package.json "start" script, or ./run',
  ],
  flags: [
    ...editFlagSpecs('create'),
    { name: 'tag', type: 'strings', splitCommas: true, placeholder: 'REV=TAG', description: "Set a tag (revisionRef=tagName); '@latest' means the latest ready revision." },
    ...waitFlagSpecs('create', true),
  ],
  run: (ctx, flags) =>
    knRun(async () => {
      const svc = await constructService(ctx, flags, 'create');
      const name = svc.metadata.name!;
      const ns = ctx.namespace();
      if (flags.has('tag')) svc.spec.traffic = computeTraffic(svc, trafficFlags(flags), { verb: 'create' });
      const client = await ctx.client();
      const existing = await client.tryGet(KSVC, ns, name);
      if (!existing) {
        await client.create(KSVC, ns, svc);
        return waitIfRequested(ctx, client, flags, ns, name, 'Creating', 'created');
      }
      if (!flags.bool('force'))
        throw new KnError(`cannot create service '${name}' in namespace '${ns}' because the service already exists and no --force option was given`);
      const { before, after } = await updateWithRetry(client, KSVC, ns, name, (orig) => {
        const next = structuredClone(svc);
        const annotations: Record<string, string> = (next.metadata.annotations ??= {});
        for (const k of KEEP_ON_REPLACE) if (orig.metadata.annotations?.[k] !== undefined) annotations[k] = orig.metadata.annotations[k];
        if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
        next.metadata.resourceVersion = orig.metadata.resourceVersion;
        return next;
      });
      if (before.metadata.generation === after.metadata.generation) {
        ctx.out(`Service '${name}' replaced in namespace '${ns}' (unchanged).\n`);
        return 0;
      }
      return waitIfRequested(ctx, client, flags, ns, name, 'Replacing', 'replaced');
    }),
};

// ---------------------------------------------------------------- update

/** The revision the template came from, for pinning the image digest (kn's GetBaseRevision). */
async function baseRevision(client: KubeClient, ns: string, svc: KObject): Promise<KObject | 'none' | undefined> {
  const tplName = svc.spec?.template?.metadata?.name;
  if (tplName) return client.tryGet(REVISION, ns, tplName);
  const latest = svc.status?.latestCreatedRevisionName;
  if (!latest) return 'none';
  const rev = await client.tryGet(REVISION, ns, latest);
  const spec = svc.spec?.template?.spec;
  const cur = spec?.containers?.[servingContainerIndex(spec)];
  const base = rev?.spec?.containers?.[servingContainerIndex(rev?.spec)];
  return rev && cur && base && cur.image === base.image ? rev : undefined;
}

const UPDATE_ONLY_FLAGS = ['traffic', 'tag', 'untag', 'wait', 'no-wait', 'wait-timeout', 'wait-window'];

export const updateCommand: Command = {
  name: 'update',
  summary: 'Update a service',
  usage: 'service update NAME [flags]',
  examples: [
    'skiff service update hello --env TARGET=World-002 --revision-name hello-world-002',
    'skiff service update hello --traffic hello-00001=90,@latest=10',
    'skiff service update hello --tag hello-00001=oldtest',
    'skiff service update hello --env TARGET-   # unset',
  ],
  flags: [
    ...editFlagSpecs('update'),
    { name: 'traffic', type: 'strings', splitCommas: true, placeholder: 'REF=PERCENT', description: "Traffic split; REF is a revision, a tag or '@latest'. Percentages sum to 100 (a REF given without =PERCENT, or else a single missing revision, gets the rest)." },
    { name: 'tag', type: 'strings', splitCommas: true, placeholder: 'REV=TAG', description: "Set a tag (revisionRef=tagName); '@latest' means the latest ready revision." },
    { name: 'untag', type: 'strings', splitCommas: true, placeholder: 'TAG', description: 'Remove a tag; repeatable.' },
    ...waitFlagSpecs('update', true),
  ],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'service update' requires the service name given as single argument");
      const given = [...editFlagSpecs('update').map((s) => s.name), ...UPDATE_ONLY_FLAGS].some((n) => flags.has(n)) || ctx.globals.namespace !== undefined;
      if (!given) throw new KnError('flag(s) not set\nUsage: update NAME');
      const ns = ctx.namespace();
      const client = await ctx.client();
      const envLines = await envFileLines(ctx, flags);
      const tf = trafficFlags(flags);
      const trafficChanged = tf.traffic.length + tf.tags.length + tf.untags.length > 0;
      const lockToDigest = flags.has('no-lock-to-digest') ? !flags.bool('no-lock-to-digest') : flags.bool('lock-to-digest');
      let latestBefore = '';
      const { before, after } = await updateWithRetry(client, KSVC, ns, name, async (svc) => {
        if (svc.metadata.deletionTimestamp) throw new KnError(`can't update service ${name} because it has been marked for deletion`);
        latestBefore = svc.status?.latestReadyRevisionName ?? '';
        let base: KObject | undefined;
        if (!flags.has('image') && lockToDigest) {
          const b = await baseRevision(client, ns, svc);
          if (b === 'none') ctx.out('Warning: No revision found to update image digest\n');
          else base = b;
        }
        applyEditFlags(svc, flags, { verb: 'update', now: Date.now(), random: Math.random, envFileLines: envLines, baseRevision: base, cwd: ctx.io.cwd });
        if (trafficChanged) {
          const revs = await listServiceRevisions(client, ns, name);
          svc.spec.traffic = computeTraffic(svc, tf, { revisions: new Set(revs.map((r) => r.metadata.name!)), mutation: anyMutation(flags), verb: 'update' });
        }
        return svc;
      });
      if (before.metadata.generation === after.metadata.generation) {
        ctx.out(`Service '${name}' updated in namespace '${ns}'.\nNo new revision has been created.\n`);
        return 0;
      }
      if (!shouldWait(flags)) {
        ctx.out(`Service '${name}' updated in namespace '${ns}'.\n`);
        return 0;
      }
      ctx.out(`Updating Service '${name}' in namespace '${ns}':\n\n`);
      await waitForService(ctx, client, ns, name, flags);
      ctx.out('\n');
      await showUrl(ctx, client, ns, name, latestBefore, 'updated');
      return 0;
    }),
};

// ---------------------------------------------------------------- apply

/** What kn records as "last applied": the Service it built, without the record itself. */
function lastAppliedText(svc: KObject): string {
  const copy = structuredClone(svc);
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return JSON.stringify(copy);
}

function withLastApplied(svc: KObject): KObject {
  const out = structuredClone(svc);
  out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: lastAppliedText(svc) };
  return out;
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Create a service or update it to the state the flags describe',
  usage: 'service apply NAME --image IMAGE [flags]',
  examples: ['skiff service apply hello --image ikubernetes/helloworld-go --env TARGET=world', 'skiff service apply -f hello.yaml'],
  flags: [...editFlagSpecs('apply'), ...waitFlagSpecs('apply', true)],
  run: (ctx, flags) =>
    knRun(async () => {
      const svc = await constructService(ctx, flags, 'apply');
      const name = svc.metadata.name!;
      const ns = ctx.namespace();
      const client = await ctx.client();
      const current = await client.tryGet(KSVC, ns, name);
      let doing = 'Creating';
      let done = 'created';
      if (current) {
        doing = 'Applying';
        done = 'applied';
        if (current.metadata.annotations?.[LAST_APPLIED_ANNOTATION] === undefined)
          ctx.out("Warning: 'skiff service apply' should be used only for services created by 'skiff service apply'\n");
      }
      const containers = svc.spec?.template?.spec?.containers ?? [];
      if (containers.length === 0 || (!containers[0].image && current)) throw new KnError("'service apply' requires the image name to run provided with the --image option");
      let changed: boolean;
      if (!current) {
        await client.create(KSVC, ns, withLastApplied(svc));
        changed = true;
      } else {
        let original: unknown;
        try {
          original = JSON.parse(current.metadata.annotations?.[LAST_APPLIED_ANNOTATION] ?? '');
        } catch {
          original = undefined;
        }
        const patch = threeWayMergePatch(original, withLastApplied(svc), current);
        if (Object.keys(patch).length === 0) changed = false;
        else {
          const saved = await client.patch(KSVC, ns, name, patch, 'merge');
          // A new generation means a new revision to wait for; metadata-only edits do not.
          changed = saved.metadata.generation !== current.metadata.generation;
        }
      }
      if (!changed) {
        ctx.out(`No changes to apply to service '${name}'.\n`);
        await showUrl(ctx, client, ns, name, 'unchanged', '');
        return 0;
      }
      return waitIfRequested(ctx, client, flags, ns, name, doing, done);
    }),
};
