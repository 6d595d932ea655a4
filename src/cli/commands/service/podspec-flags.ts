// What the container-level flags of `service create|update|apply` do to the
// revision template's PodSpec, following kn's PodSpecFlags: env (set, unset
// with NAME-, from ConfigMap/Secret keys, from a file), envFrom, ports,
// command/args, resources, mounts and volumes (kn's generated volume names),
// pull policy/secret, service account, security context. Pure; failures are
// KnErrors with kn's wording.
import { createHash } from 'node:crypto';
import { KnError } from '../../knative-format.js';
import type { EditContext, FlagView } from './edit-flags.js';

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

export function resolvePodSpec(spec: Obj, f: FlagView, ctx: EditContext): void {
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

