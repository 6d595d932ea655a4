// What `service create|update|apply` flags do to a Knative Service, the way
// kn's ConfigurationEditFlags.Apply does it: container fields (image, env,
// env-from, ports, command, resources, mounts), autoscaling annotations on the
// revision template, labels and annotations split between Service and
// template, the client-side revision name, and kn's own bookkeeping
// annotations (user-image, updateTimestamp). Pure: time and randomness come in
// through EditContext; failures are KnErrors with kn's wording.
import { createHash } from 'node:crypto';
import type { FlagSpec } from '../../args.js';
import type { KObject } from '../../../api/meta.js';
import { parseGoDuration } from '../../../api/serving/kinds.js';
import { KnError } from '../../knative-format.js';

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
  'image', 'env', 'env-value-from', 'env-from', 'env-file', 'mount', 'volume', 'cmd', 'arg', 'limit', 'request', 'port',
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

// ---------------------------------------------------------------- small parsers

function fail(message: string): never {
  throw new KnError(message, 'SKIFF_ERR_KN_FLAG');
}

/** NAME=value pairs in order plus NAME- removals (kn's OrderedMapAndRemovalListFromArray). */
export function pairsAndRemovals(items: readonly string[], flag: string): { set: Map<string, string>; remove: string[] } {
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const item of items) {
    const i = item.indexOf('=');
    if (i < 0) {
      if (!item.endsWith('-')) fail(`Invalid ${flag}: argument requires a value that contains the "=" character; got "${item}"`);
      remove.push(item.slice(0, -1));
      continue;
    }
    set.set(item.slice(0, i), item.slice(i + 1));
  }
  return { set, remove };
}

/** key=value map where a bare key means "" and `key-` means remove (labels, annotations). */
export function mapAllowingSingles(items: readonly string[], flag: string): { set: Map<string, string>; remove: string[] } {
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const item of items) {
    const i = item.indexOf('=');
    const key = i < 0 ? item : item.slice(0, i);
    const value = i < 0 ? '' : item.slice(i + 1);
    if (key === '') fail(`Invalid ${flag}: The key is empty`);
    if (set.has(key)) fail(`Invalid ${flag}: The key "${key}" has been duplicate in [${items.join(' ')}]`);
    if (key.endsWith('-') && i < 0) remove.push(key.slice(0, -1));
    else set.set(key, value);
  }
  return { set, remove };
}

// ---------------------------------------------------------------- containers

type Obj = Record<string, any>;

/** The serving container: the only one, or the one with a port (kn: ContainerIndexOfRevisionSpec). */
export function servingContainerIndex(spec: Obj | undefined): number {
  const cs: Obj[] = Array.isArray(spec?.containers) ? spec.containers : [];
  if (cs.length === 1) return 0;
  return cs.findIndex((c) => Array.isArray(c?.ports) && c.ports.length > 0);
}

/** kn edits containers[0], creating it when the template has none. */
function firstContainer(spec: Obj): Obj {
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) spec.containers = [{}];
  return spec.containers[0];
}

function envVarSource(spec: string): Obj {
  const parts = spec.split(':');
  if (parts.length < 3)
    fail(`argument requires a value in form "resourceType:name:key" where "resourceType" can be one of "config-map" ("cm") or "secret" ("sc"); got "${spec}"`);
  const type = parts[0].trim();
  const name = parts[1].trim();
  const key = parts.slice(2).join(':').trim();
  let kind: string;
  let ref: Obj;
  if (type === 'config-map' || type === 'cm') {
    kind = 'ConfigMap';
    ref = { configMapKeyRef: { name, key } };
  } else if (type === 'secret' || type === 'sc') {
    kind = 'Secret';
    ref = { secretKeyRef: { name, key } };
  } else fail(`unsupported env source type "${parts[0]}"; supported source types are "config-map" ("cm") and "secret" ("sc")`);
  if (!name) fail(`the name of ${kind} cannot be an empty string`);
  if (!key) fail(`the key referenced by resource ${kind} "${name}" cannot be an empty string`);
  return ref;
}

function envVar(name: string, value: string): Obj {
  // Go's EnvVar.value is omitempty.
  return value === '' ? { name } : { name, value };
}

function updateEnv(c: Obj, f: FlagView, ctx: EditContext): void {
  if (!f.has('env') && !f.has('env-value-from') && !f.has('env-file')) return;
  const env = pairsAndRemovals(f.strings('env'), '--env');
  const valueFrom = pairsAndRemovals(f.strings('env-value-from'), '--env-value-from');
  const fromFile = pairsAndRemovals(ctx.envFileLines ?? [], '--env-file');
  const updates = new Map<string, Obj>();
  for (const [k, v] of env.set) updates.set(k, envVar(k, v));
  for (const [k, v] of valueFrom.set) updates.set(k, { name: k, valueFrom: envVarSource(v) });
  for (const [k, v] of fromFile.set) updates.set(k, envVar(k, v));
  const list: Obj[] = Array.isArray(c.env) ? c.env : [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const u = updates.get(list[i]?.name);
    if (u) {
      list[i] = u;
      seen.add(u.name);
    }
  }
  for (const [k, u] of updates) if (!seen.has(k)) list.push(u);
  const removals = new Set([...env.remove, ...valueFrom.remove]);
  c.env = list.filter((e) => !removals.has(e?.name));
}

interface SourceRef {
  type: 'configMap' | 'secret' | 'emptyDir' | 'pvc';
  name: string;
  medium?: string;
  sizeLimit?: string;
}

function sourceType(word: string): SourceRef['type'] | undefined {
  switch (word.trim()) {
    case 'config-map':
    case 'cm':
      return 'configMap';
    case 'secret':
    case 'sc':
      return 'secret';
    case 'emptyDir':
    case 'ed':
      return 'emptyDir';
    case 'persistentVolumeClaim':
    case 'pvc':
      return 'pvc';
  }
  return undefined;
}

/** `cm:NAME`, `secret:NAME`, `ed:NAME[:type=Memory,size=1Gi]`, `pvc:NAME` (kn's volume source spec). */
function parseSourceRef(spec: string): SourceRef {
  const parts = spec.split(':');
  if (parts.length < 2) fail(`argument requires a value that contains the : character; got "${spec}"`);
  const type = sourceType(parts[0]);
  if (!type) fail(`unsupported volume source type "${parts[0]}"; supported volume source types are "config-map", "secret", "emptyDir" and "persistentVolumeClaim"`);
  const name = parts[1].trim();
  if (parts.length === 2) {
    if (!name) fail(`the name of ${type} cannot be an empty string`);
    return { type, name };
  }
  if (type !== 'emptyDir') fail(`incorrect mount details for type "${parts[0]}"`);
  const ref: SourceRef = { type, name };
  for (const opt of parts.slice(2).join(':').split(',')) {
    const [k, v] = opt.split('=', 2);
    if (v === undefined) fail('incorrect format to specify emptyDir type');
    if (k.toLowerCase() === 'type') ref.medium = v === 'Memory' ? 'Memory' : '';
    else if (k.toLowerCase() === 'size') ref.sizeLimit = v;
    else fail(`incorrect format to specify emptyDir type: unknown option "${k}"`);
  }
  return ref;
}

function envFromKey(e: Obj): string | undefined {
  if (e?.configMapRef) return `configMap:${e.configMapRef.name}`;
  if (e?.secretRef) return `secret:${e.secretRef.name}`;
  return undefined;
}

function updateEnvFrom(c: Obj, f: FlagView): void {
  if (!f.has('env-from')) return;
  let list: Obj[] = Array.isArray(c.envFrom) ? c.envFrom : [];
  const removals: SourceRef[] = [];
  for (const item of f.strings('env-from')) {
    if (item === '-') fail('"-" is not a valid value for "--env-from"');
    if (item.endsWith('-')) {
      removals.push(parseSourceRef(item.slice(0, -1)));
      continue;
    }
    const ref = parseSourceRef(item);
    if (ref.type !== 'configMap' && ref.type !== 'secret') fail(`unsupported env source type "${item.split(':')[0]}"; supported source types are "config-map" ("cm") and "secret"`);
    const key = `${ref.type}:${ref.name}`;
    if (list.some((e) => envFromKey(e) === key)) continue;
    list.push(ref.type === 'configMap' ? { configMapRef: { name: ref.name } } : { secretRef: { name: ref.name } });
  }
  for (const r of removals) {
    const i = list.findIndex((e) => envFromKey(e) === `${r.type}:${r.name}`);
    if (i >= 0) list = [...list.slice(0, i), ...list.slice(i + 1)];
  }
  c.envFrom = list;
}

/** kn's generated volume name for a mount path: sanitized path + 4 bytes of its SHA-1. */
export function generateVolumeName(path: string): string {
  let s = '';
  let idx = 0;
  for (const ch of path) {
    if (/[a-z0-9-]/.test(ch)) s += ch;
    else if (/[A-Z]/.test(ch)) s += ch.toLowerCase();
    else if (ch === '/') {
      if (idx !== 0) s += '-';
    } else s += '-';
    idx += Buffer.byteLength(ch);
  }
  let name = `${s}-${createHash('sha1').update(path).digest('hex').slice(0, 8)}`;
  if (!/^[a-z0-9]/.test(name)) name = `k-${name}`;
  if (name.length > 63) name = `${name.slice(0, 61)}-n`;
  return name;
}

function volumeFromRef(name: string, ref: SourceRef): Obj {
  switch (ref.type) {
    case 'configMap':
      return { name, configMap: { name: ref.name } };
    case 'secret':
      return { name, secret: { secretName: ref.name } };
    case 'emptyDir': {
      const ed: Obj = {};
      if (ref.medium) ed.medium = ref.medium;
      if (ref.sizeLimit) ed.sizeLimit = ref.sizeLimit;
      return { name, emptyDir: ed };
    }
    case 'pvc':
      return { name, persistentVolumeClaim: { claimName: ref.name } };
  }
}

interface MountInfo {
  volume: string;
  subPath?: string;
  readOnly?: boolean;
}

/** `NAME[/sub/path][:readOnly=true]`. */
function parseMountInfo(s: string): MountInfo {
  const [target, options] = s.split(/:(.*)/s, 2);
  const info: MountInfo = { volume: target };
  const slash = target.indexOf('/');
  if (slash >= 0 && slash < target.length - 1) {
    info.volume = target.slice(0, slash);
    info.subPath = target.slice(slash + 1);
  } else if (slash >= 0) info.volume = target.slice(0, slash);
  if (options) {
    for (const opt of options.split(',')) {
      const [k, v] = opt.split('=', 2);
      if (k.toLowerCase() !== 'readonly') fail(`unknown mount option "${k}"`);
      if (v !== 'true' && v !== 'false') fail(`invalid readOnly value "${v}": must be true or false`);
      info.readOnly = v === 'true';
    }
  }
  return info;
}

/** Best-effort port of kn's --mount/--volume handling. */
function updateMounts(spec: Obj, c: Obj, f: FlagView): void {
  if (!f.has('mount') && !f.has('volume')) return;
  const mounts = pairsAndRemovals(f.strings('mount'), '--mount');
  const volumes = pairsAndRemovals(f.strings('volume'), '--volume');
  const newVolumes = new Map<string, SourceRef>();
  const newMounts = new Map<string, MountInfo>();
  for (const [path, value] of mounts.set) {
    const i = value.indexOf(':');
    const type = i < 0 ? undefined : sourceType(value.slice(0, i));
    if (i < 0) {
      newMounts.set(path, parseMountInfo(value));
      continue;
    }
    if (!type) fail(`unsupported volume type "${value.slice(0, i)}"; supported volume types are "config-map or cm", "secret or sc", "emptyDir or ed" and "persistentVolumeClaim or pvc"`);
    const info = parseMountInfo(value.slice(i + 1));
    const generated = generateVolumeName(path);
    newVolumes.set(generated, { type, name: info.volume });
    newMounts.set(path, { ...info, volume: generated });
  }
  for (const [name, value] of volumes.set) newVolumes.set(name, parseSourceRef(value));

  const vols: Obj[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  for (const [name, ref] of newVolumes) {
    const i = vols.findIndex((v) => v?.name === name);
    if (i >= 0) vols[i] = volumeFromRef(name, ref);
    else vols.push(volumeFromRef(name, ref));
  }
  const defaultReadOnly = (name: string) => {
    const v = vols.find((x) => x?.name === name);
    return !(v?.emptyDir || v?.persistentVolumeClaim);
  };
  const vms: Obj[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
  for (const [path, info] of newMounts) {
    if (!vols.some((v) => v?.name === info.volume)) fail(`There is no volume matched with "${info.volume}"`);
    const m: Obj = { name: info.volume, mountPath: path };
    if (info.readOnly ?? defaultReadOnly(info.volume)) m.readOnly = true;
    if (info.subPath) m.subPath = info.subPath;
    const i = vms.findIndex((x) => x?.mountPath === path);
    if (i >= 0) vms[i] = m;
    else vms.push(m);
  }
  // Unmounting a path also drops the volume kn generated for it.
  const volumeRemovals = new Set(volumes.remove);
  for (const path of mounts.remove) {
    const m = vms.find((x) => x?.mountPath === path);
    if (m && m.name === generateVolumeName(path)) volumeRemovals.add(m.name);
  }
  c.volumeMounts = vms.filter((x) => !mounts.remove.includes(x?.mountPath));
  for (const name of volumeRemovals) {
    if (c.volumeMounts.some((x: Obj) => x?.name === name)) fail(`The volume "${name}" cannot be removed because it is mounted`);
  }
  spec.volumes = vols.filter((v) => !volumeRemovals.has(v?.name));
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munkMGTPE])?$/;

function updateResources(c: Obj, f: FlagView): void {
  const res: Obj = c.resources && typeof c.resources === 'object' ? c.resources : {};
  for (const [flag, field] of [
    ['request', 'requests'],
    ['limit', 'limits'],
  ] as const) {
    const m: Obj = { ...(res[field] ?? {}) };
    for (const item of f.strings(flag)) {
      if (item.endsWith('-') && !item.includes('=')) {
        delete m[item.slice(0, -1)];
        continue;
      }
      const i = item.indexOf('=');
      if (i <= 0) fail(`Invalid --${flag}: expected resource=quantity (e.g. cpu=100m), got "${item}"`);
      const key = item.slice(0, i);
      const q = item.slice(i + 1);
      if (!QUANTITY.test(q)) fail(`Invalid --${flag}: cannot parse quantity "${q}" for ${key}`);
      m[key] = q;
    }
    if (Object.keys(m).length) res[field] = m;
    else delete res[field];
  }
  // kn always writes the container's resources (Go serializes the empty struct as {}).
  c.resources = res;
}

function updatePort(c: Obj, port: string): void {
  const i = port.indexOf(':');
  const name = i < 0 ? '' : port.slice(0, i);
  const num = i < 0 ? port : port.slice(i + 1);
  const n = /^[+-]?\d+$/.test(num) ? Number(num) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647)
    fail(`the port specification '${port}' is not valid. Please provide in the format 'NAME:PORT', where 'NAME' is optional. Examples: '--port h2c:8080' , '--port 8080'.`);
  c.ports = [name ? { containerPort: n, name } : { containerPort: n }];
}

const STRICT_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

function resolvePodSpec(spec: Obj, f: FlagView, ctx: EditContext): void {
  const c = firstContainer(spec);
  updateEnv(c, f, ctx);
  updateEnvFrom(c, f);
  updateMounts(spec, c, f);
  if (f.has('image')) c.image = f.string('image') ?? '';
  if (f.has('pull-policy')) {
    const p = (f.string('pull-policy') ?? '').toLowerCase();
    const canonical = { always: 'Always', ifnotpresent: 'IfNotPresent', never: 'Never' }[p];
    if (!canonical) fail(`invalid --pull-policy ${f.string('pull-policy')}. Valid arguments (case insensitive): Always | Never | IfNotPresent`);
    c.imagePullPolicy = canonical;
  }
  updateResources(c, f);
  if (f.has('cmd')) c.command = f.strings('cmd');
  if (f.has('arg')) c.args = f.strings('arg');
  if (f.has('port')) updatePort(c, f.string('port') ?? '');
  if (f.has('service-account')) {
    const sa = (f.string('service-account') ?? '').trim();
    if (sa) spec.serviceAccountName = sa;
    else delete spec.serviceAccountName;
  }
  if (f.has('pull-secret')) {
    const ps = (f.string('pull-secret') ?? '').trim();
    if (ps) spec.imagePullSecrets = [{ name: ps }];
    else delete spec.imagePullSecrets;
  }
  if (f.has('security-context')) {
    const sc = (f.string('security-context') ?? '').toLowerCase();
    if (sc === 'none') delete c.securityContext;
    else if (sc === 'strict') c.securityContext = structuredClone(STRICT_SECURITY_CONTEXT);
    else fail(`invalid --security-context ${f.string('security-context')}. Valid arguments: strict | none`);
  }
  if (f.has('user')) c.securityContext = { ...(c.securityContext ?? {}), runAsUser: f.int('user') };
}

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

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

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

  const revisionName = ctx.verb === 'apply' ? undefined : f.string('revision-name');
  if (revisionName) {
    const name = generateRevisionName(revisionName, svc, ctx.random);
    if (mutation) {
      if (name) template.metadata.name = name;
      else delete template.metadata.name;
    }
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
    if (!f.has('image') || ctx.verb === 'apply') pinImageToDigest(template, ctx.baseRevision);
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
