// What `service create|update|apply` flags do to a Knative Service, the way
// kn's ConfigurationEditFlags.Apply does it: container fields (delegated to
// podspec-flags.ts), autoscaling annotations on the revision template, labels
// and annotations split between Service and template, the client-side
// revision name, and kn's own bookkeeping annotations (user-image,
// updateTimestamp). Pure: time and randomness come in
// through EditContext; failures are KnErrors with kn's wording.
import { resolve as resolvePath } from 'node:path/posix';
import type { FlagSpec } from '../../args.js';
import { rfc3339, type KObject } from '../../../api/meta.js';
import { parseGoDuration } from '../../../api/go-syntax.js';
import { KnError } from '../../knative-format.js';
import { mapAllowingSingles, resolvePodSpec, servingContainerIndex } from './podspec-flags.js';

export type ServiceVerb = 'create' | 'update' | 'apply';

/** The slice of parsed flags this module reads (the CLI's Flags class fits). */
export interface FlagView {
  has(name: string): boolean;
  string(name: string): string | undefined;
  strings(name: string): string[];
  int(name: string): number | undefined;
  bool(name: string): boolean;
}

export interface EditContext {
  verb: ServiceVerb;
  /** Epoch ms for client.knative.dev/updateTimestamp. */
  now: number;
  /** [0, 1) for {{.Random n}} in --revision-name. */
  random: () => number;
  /** Lines of --env-file (the command reads the file). */
  envFileLines?: string[];
  /** The revision the template was last built from, for --lock-to-digest. */
  baseRevision?: KObject;
  /** Directory a relative --source is resolved against (the command passes process.cwd()). */
  cwd?: string;
}

export const USER_IMAGE_ANNOTATION = 'client.knative.dev/user-image';
export const UPDATE_TIMESTAMP_ANNOTATION = 'client.knative.dev/updateTimestamp';
export const VISIBILITY_LABEL = 'networking.knative.dev/visibility';
const AUTOSCALING = 'autoscaling.knative.dev';
export const AS = {
  minScale: `${AUTOSCALING}/min-scale`,
  maxScale: `${AUTOSCALING}/max-scale`,
  initialScale: `${AUTOSCALING}/initial-scale`,
  activationScale: `${AUTOSCALING}/activation-scale`,
  window: `${AUTOSCALING}/window`,
  target: `${AUTOSCALING}/target`,
  metric: `${AUTOSCALING}/metric`,
  utilization: `${AUTOSCALING}/target-utilization-percentage`,
} as const;

// ---------------------------------------------------------------- flag specs

/** Flags that change the revision template (kn: markFlagMakesRevision). */
const MUTATING_FLAGS = [
  'image', 'source', 'env', 'env-value-from', 'env-from', 'env-file', 'mount', 'volume', 'cmd', 'arg', 'limit', 'request', 'port',
  'service-account', 'pull-secret', 'user', 'security-context',
  'scale', 'scale-min', 'scale-max', 'scale-activation', 'scale-metric', 'scale-window', 'scale-target', 'concurrency-limit',
  'scale-utilization', 'scale-init', 'timeout', 'revision-name',
  'label', 'label-service', 'label-revision', 'annotation', 'annotation-service', 'annotation-revision', 'filename',
];

export function anyMutation(f: FlagView): boolean {
  return MUTATING_FLAGS.some((n) => f.has(n));
}

const unset = (what: string) => ` To unset, specify the ${what} name followed by a "-" (e.g., name-).`;

export function editFlagSpecs(verb: ServiceVerb): FlagSpec[] {
  const upd = verb === 'update';
  const specs: FlagSpec[] = [
    { name: 'image', type: 'string', description: 'Image to run.' },
    { name: 'source', type: 'string', placeholder: 'DIR', description: 'Run your own code from a local directory instead of an image (Skiff): sets the image to local:/abs/DIR; the directory needs package.json with a "start" script, or an executable "run" or "start".' },
    { name: 'env', short: 'e', type: 'strings', placeholder: 'NAME=value', description: `Environment variable to set; repeatable.${upd ? unset('environment variable') : ''}` },
    { name: 'env-from', type: 'strings', placeholder: 'cm:NAME', description: `Add environment variables from a ConfigMap (prefix cm: or config-map:) or a Secret (prefix secret:); repeatable.${upd ? ' Append "-" to remove, e.g. --env-from cm:myconfigmap-.' : ''}` },
    { name: 'env-value-from', type: 'strings', placeholder: 'NAME=cm:CM:KEY', description: 'Add an environment variable from a key of a ConfigMap (cm:) or a Secret (secret:/sc:), e.g. NAME=secret:mysecret:key; repeatable.' },
    { name: 'env-file', type: 'string', placeholder: 'FILE', description: 'Path to a file with NAME=value lines.' },
    { name: 'port', short: 'p', type: 'string', placeholder: '[NAME:]PORT', description: "The port the application listens on, 'NAME:PORT' with NAME optional (h2c for HTTP/2), e.g. '--port h2c:8080' or '--port 8080'." },
    { name: 'cmd', type: 'strings', description: 'Command to use as entrypoint instead of the image default; repeatable.' },
    { name: 'arg', type: 'strings', description: 'Argument for the container command; repeatable.' },
    { name: 'mount', type: 'strings', placeholder: '/DIR=SOURCE', description: 'Mount cm:NAME, secret:NAME, ed:NAME, pvc:NAME or an existing volume on a directory (e.g. /etc/cfg=cm:app); "/dir-" unmounts.' },
    { name: 'volume', type: 'strings', placeholder: 'NAME=SOURCE', description: 'Add a volume from cm:NAME, secret:NAME, ed:NAME or pvc:NAME; "NAME-" removes it.' },
    { name: 'request', type: 'strings', splitCommas: true, placeholder: 'cpu=100m,memory=256Mi', description: 'Resource requests; "cpu-" removes one.' },
    { name: 'limit', type: 'strings', splitCommas: true, placeholder: 'cpu=100m,memory=256Mi', description: 'Resource limits; "memory-" removes one.' },
    { name: 'service-account', type: 'string', description: 'Service account name ("" clears it).' },
    { name: 'pull-secret', type: 'string', description: 'Image pull secret ("" clears it).' },
    { name: 'pull-policy', type: 'string', description: 'Image pull policy: Always | Never | IfNotPresent.' },
    { name: 'user', type: 'int', description: 'The user ID to run the container as.' },
    { name: 'security-context', type: 'string', description: "Predefined security context: 'none' or 'strict'." },
    { name: 'scale', type: 'string', placeholder: 'N|MIN..MAX', description: 'Minimum and maximum replicas: --scale 5, --scale 1..5, --scale 1.. or --scale ..5.' },
    { name: 'scale-min', type: 'int', description: 'Minimum number of replicas.' },
    { name: 'scale-max', type: 'int', description: 'Maximum number of replicas.' },
    { name: 'scale-init', type: 'int', description: 'Initial number of replicas (0 or more).' },
    { name: 'scale-activation', type: 'int', description: 'Minimum non-zero number of replicas when scaling up from zero.' },
    { name: 'scale-metric', type: 'string', description: 'Metric to scale on: concurrency (default) or rps.' },
    { name: 'scale-target', type: 'int', description: 'Target value of the scale metric per replica.' },
    { name: 'scale-utilization', type: 'int', default: 70, description: 'Percentage of the target utilization before scaling up.' },
    { name: 'scale-window', type: 'string', description: 'Look-back window for autoscaling decisions, e.g. 10s.' },
    { name: 'concurrency-limit', type: 'int', description: 'Hard limit of concurrent requests per replica.' },
    { name: 'timeout', type: 'int', default: 300, description: 'Seconds the routing layer waits for a request to be answered.' },
    { name: 'revision-name', type: 'string', description: 'Name of the new revision; must start with the service name and a dash (added if missing). Go template with {{.Service}}, {{.Generation}}, {{.Random n}}.' },
    { name: 'annotation', short: 'a', type: 'strings', placeholder: 'NAME=value', description: `Annotation for both Service and Revision; repeatable.${upd ? unset('annotation') : ''}` },
    { name: 'annotation-service', type: 'strings', placeholder: 'NAME=value', description: `Service annotation; repeatable.${unset('annotation')}` },
    { name: 'annotation-revision', type: 'strings', placeholder: 'NAME=value', description: `Revision annotation; repeatable.${unset('annotation')}` },
    { name: 'label', short: 'l', type: 'strings', placeholder: 'NAME=value', description: `Label for both Service and Revision; repeatable.${upd ? unset('label') : ''}` },
    { name: 'label-service', type: 'strings', placeholder: 'NAME=value', description: `Service label; repeatable.${unset('label')}` },
    { name: 'label-revision', type: 'strings', placeholder: 'NAME=value', description: `Revision label; repeatable.${unset('label')}` },
    { name: 'cluster-local', type: 'boolean', description: 'Make the service private (no external URL).' },
    { name: 'no-cluster-local', type: 'boolean', description: 'Make the service public again.' },
    { name: 'lock-to-digest', type: 'boolean', default: true, description: 'Keep the running image digest when --image is not given.' },
    { name: 'no-lock-to-digest', type: 'boolean', description: 'Pull the image tag afresh with each new revision.' },
  ];
  if (verb !== 'update') {
    specs.push({ name: 'filename', short: 'f', type: 'string', placeholder: 'FILE', description: 'Create the service from a file; other flags modify it.' });
  }
  if (verb === 'create') specs.push({ name: 'force', type: 'boolean', description: 'Create service forcefully, replacing an existing one.' });
  return specs;
}

// ---------------------------------------------------------------- helpers

function fail(message: string): never {
  throw new KnError(message, 'SKIFF_ERR_KN_FLAG');
}

type Obj = Record<string, any>;

export { servingContainerIndex, generateVolumeName, pairsAndRemovals, mapAllowingSingles } from './podspec-flags.js';

// ---------------------------------------------------------------- revision names

const CONSONANTS = 'bcdfghjklmnpqrstvwxyz';

/**
 * --revision-name: a Go-template subset ({{.Service}}, {{.Generation}},
 * {{.Random n}}); the result gets the `{service}-` prefix when it lacks it.
 * Generation is the one the update will produce (current + 1).
 */
export function generateRevisionName(template: string, svc: KObject, random: () => number): string {
  const service = svc.metadata.name ?? '';
  const generation = (svc.metadata.generation ?? 0) + 1;
  const res = template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, action: string) => {
    if (action === '.Service') return service;
    if (action === '.Generation') return String(generation);
    const m = /^\.Random\s+(\d+)$/.exec(action);
    if (m) {
      let s = '';
      for (let i = 0; i < Number(m[1]); i++) s += CONSONANTS[Math.floor(random() * CONSONANTS.length) % CONSONANTS.length];
      return s;
    }
    fail(`invalid --revision-name template "${template}": cannot evaluate ${whole} (use {{.Service}}, {{.Generation}} or {{.Random n}})`);
  });
  if (res === '') return '';
  return res.startsWith(`${service}-`) ? res : `${service}-${res}`;
}

// ---------------------------------------------------------------- scale

/** --scale N | MIN..MAX | MIN.. | ..MAX → the bounds it sets. */
export function parseScale(s: string): { min?: number; max?: number } {
  const int = (x: string) => {
    if (!/^[+-]?\d+$/.test(x)) fail(`invalid --scale "${s}": strconv.Atoi: parsing "${x}": invalid syntax`);
    return Number(x);
  };
  if (s.includes('..')) {
    const [a, b] = s.split('..');
    return { min: a !== '' ? int(a) : undefined, max: b !== undefined && b !== '' ? int(b) : undefined };
  }
  if (!/^[+-]?\d+$/.test(s)) fail('Scale must be of the format x..y or x');
  return { min: Number(s), max: Number(s) };
}

// ---------------------------------------------------------------- digest pinning

function pinImageToDigest(template: Obj, base: KObject | undefined): void {
  if (!base) return;
  const cur = template.spec?.containers?.[servingContainerIndex(template.spec)];
  const idx = servingContainerIndex(base.spec);
  const baseC = base.spec?.containers?.[idx];
  if (!cur) fail(`can not pin image to digest: no container given in current revision ${template.metadata?.name ?? ''}`);
  if (!baseC) fail(`can not pin image to digest: no container found in base revision ${base.metadata.name}`);
  if (cur.image !== baseC.image)
    fail(
      `can not pin image to digest: current revision ${template.metadata?.name ?? ''} contains unexpected image (${cur.image}) that does not fit to the base revision's ${base.metadata.name} image (${baseC.image})`,
    );
  const digest = base.status?.containerStatuses?.[idx]?.imageDigest;
  if (digest) cur.image = digest;
}

// ---------------------------------------------------------------- the whole edit

function applyMap(target: Obj, key: 'labels' | 'annotations', set: Map<string, string>, remove: Iterable<string>): void {
  const m: Record<string, string> = { ...(target[key] ?? {}) };
  for (const [k, v] of set) m[k] = v;
  for (const k of remove) delete m[k];
  target[key] = m;
}

/** Empty maps and lists are omitted from what kn sends (Go's omitempty). */
function pruneEmpty(svc: KObject): void {
  const dropIfEmpty = (o: Obj | undefined, keys: string[]) => {
    if (!o) return;
    for (const k of keys) {
      const v = o[k];
      if (v === undefined) continue;
      if ((Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)) delete o[k];
    }
  };
  dropIfEmpty(svc.metadata, ['labels', 'annotations']);
  const tpl = svc.spec?.template;
  dropIfEmpty(tpl?.metadata, ['labels', 'annotations']);
  dropIfEmpty(tpl?.spec, ['volumes', 'imagePullSecrets']);
  for (const c of tpl?.spec?.containers ?? []) dropIfEmpty(c, ['env', 'envFrom', 'volumeMounts', 'ports', 'command', 'args']);
}

/** A new Service as kn starts it: one empty container, the user-image placeholder. */
export function newService(name: string, namespace: string): KObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { template: { metadata: { annotations: { [USER_IMAGE_ANNOTATION]: '' } }, spec: { containers: [{}] } } },
  };
}

/**
 * Apply the command's flags to `svc` in place (kn: ConfigurationEditFlags.Apply,
 * same order of steps so overlapping flags resolve the same way).
 */
export function applyEditFlags(svc: KObject, f: FlagView, ctx: EditContext): KObject {
  svc.metadata ??= {};
  svc.spec ??= {};
  const template: Obj = (svc.spec.template ??= {});
  template.metadata ??= {};
  template.spec ??= {};
  const mutation = anyMutation(f);

  resolvePodSpec(template.spec, f, ctx);
  if (f.has('source')) {
    // Skiff's own flag: a local directory as the "image" (the node agent runs it, see runtime/process/local-images.ts).
    if (f.has('image')) fail('only --image or --source can be specified');
    const dir = f.string('source') ?? '';
    if (!dir) fail('--source needs a directory');
    template.spec.containers[servingContainerIndex(template.spec)].image = `local:${resolvePath(ctx.cwd ?? '/', dir)}`;
  }

  // As kn: every template change names the new revision from --revision-name, whose default is empty, so a
  // name the template already had (the seed's BYO `hello-world`) is dropped and the server names the revision;
  // keeping it would be refused ("Saw the following changes without a name change").
  if (ctx.verb !== 'apply' && mutation) {
    const name = generateRevisionName(f.string('revision-name') ?? '', svc, ctx.random);
    if (name) template.metadata.name = name;
    else delete template.metadata.name;
  }

  const annotations: Record<string, string> = (template.metadata.annotations ??= {});
  // `apply` must stay idempotent, so it never stamps the update time.
  if (mutation && ctx.verb !== 'apply') annotations[UPDATE_TIMESTAMP_ANNOTATION] = rfc3339(ctx.now);

  const lockToDigest = f.has('no-lock-to-digest') ? !f.bool('no-lock-to-digest') : f.bool('lock-to-digest');
  const userImagePresent = USER_IMAGE_ANNOTATION in annotations;
  if ((userImagePresent || f.has('lock-to-digest')) && lockToDigest && mutation) {
    const c = template.spec.containers?.[servingContainerIndex(template.spec)];
    if (c) {
      let image: string = c.image ?? '';
      if (image.includes('@') && annotations[USER_IMAGE_ANNOTATION]) image = annotations[USER_IMAGE_ANNOTATION];
      annotations[USER_IMAGE_ANNOTATION] = image;
    }
    // A given --image is sent as a tag so the server resolves it afresh (apply always re-resolves).
    if (!(f.has('image') || f.has('source')) || ctx.verb === 'apply') pinImageToDigest(template, ctx.baseRevision);
  }
  if (!lockToDigest) delete annotations[USER_IMAGE_ANNOTATION];

  if (f.has('scale-min')) annotations[AS.minScale] = String(f.int('scale-min'));
  if (f.has('scale-max')) annotations[AS.maxScale] = String(f.int('scale-max'));
  if (f.has('scale')) {
    if (f.has('scale-max')) fail('only --scale or --scale-max can be specified');
    if (f.has('scale-min')) fail('only --scale or --scale-min can be specified');
    const { min, max } = parseScale(f.string('scale') ?? '');
    if (max !== undefined) annotations[AS.maxScale] = String(max);
    if (min !== undefined) annotations[AS.minScale] = String(min);
  }
  if (f.has('scale-window')) {
    const w = f.string('scale-window') ?? '';
    if (parseGoDuration(w) === undefined) fail(`invalid duration for 'scale-window': time: invalid duration "${w}"`);
    annotations[AS.window] = w;
  }
  if (f.has('scale-target')) annotations[AS.target] = String(f.int('scale-target'));
  if (f.has('scale-metric')) annotations[AS.metric] = f.string('scale-metric') ?? '';
  if (f.has('scale-activation')) annotations[AS.activationScale] = String(f.int('scale-activation'));
  if (f.has('concurrency-limit')) {
    const limit = f.int('concurrency-limit') ?? 0;
    if (limit < 0) fail(`invalid concurrency-limit ${limit} (must not be less than 0)`);
    template.spec.containerConcurrency = limit;
  }
  if (f.has('scale-utilization')) annotations[AS.utilization] = String(f.int('scale-utilization'));

  if (f.has('cluster-local') || f.has('no-cluster-local')) {
    const local = f.has('no-cluster-local') && f.bool('no-cluster-local') ? false : f.bool('cluster-local');
    if (local) applyMap(svc.metadata, 'labels', new Map([[VISIBILITY_LABEL, 'cluster-local']]), []);
    else applyMap(svc.metadata, 'labels', new Map(), [VISIBILITY_LABEL]);
  }

  if (f.has('label') || f.has('label-service') || f.has('label-revision')) {
    const all = mapAllowingSingles(f.strings('label'), '--label');
    for (const [target, flag] of [
      [svc.metadata, 'label-service'],
      [template.metadata, 'label-revision'],
    ] as const) {
      const own = mapAllowingSingles(f.strings(flag), `--${flag}`);
      const set = new Map([...all.set, ...own.set]);
      applyMap(target, 'labels', set, [...all.remove, ...own.remove]);
    }
  }

  if (f.has('annotation') || f.has('annotation-service') || f.has('annotation-revision')) {
    const all = mapAllowingSingles(f.strings('annotation'), '--annotation');
    const rev = mapAllowingSingles(f.strings('annotation-revision'), '--annotation-revision');
    const svcOwn = mapAllowingSingles(f.strings('annotation-service'), '--annotation-service');
    for (const k of svcOwn.set.keys())
      if (k.startsWith(AUTOSCALING)) fail(`service can not have auto-scaling related annotation: ${k} , please update using '--annotation-revision'`);
    applyMap(template.metadata, 'annotations', new Map([...all.set, ...rev.set]), [...all.remove, ...rev.remove]);
    // Autoscaling annotations belong on the revision template only.
    const svcSet = new Map([...[...all.set].filter(([k]) => !k.startsWith(AUTOSCALING)), ...svcOwn.set]);
    applyMap(svc.metadata, 'annotations', svcSet, [...all.remove, ...svcOwn.remove]);
  }

  if (f.has('scale-init')) {
    if (f.has('annotation') && f.strings('annotation').some((a) => a.includes(AS.initialScale)))
      fail(`only one of the --scale-init or --annotation ${AS.initialScale} can be specified`);
    template.metadata.annotations = { ...(template.metadata.annotations ?? {}), [AS.initialScale]: String(f.int('scale-init')) };
  }

  if (f.has('timeout')) template.spec.timeoutSeconds = f.int('timeout');

  pruneEmpty(svc);
  return svc;
}
