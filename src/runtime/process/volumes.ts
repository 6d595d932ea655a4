// Pod volumes in embedded mode, the pure part: which files a configMap,
// secret (base64-decoded) or projected volume holds (honouring `items`
// key→path, `defaultMode`/`mode`, `optional`), which volumes each container
// mounts where, and the wrapper that makes them appear at their mountPath.
//
// How a process sees its volumes: each volume's files live in a per-pod
// directory on the host, `<dataDir>/volumes/<ns>_<pod>_<uid>/<volume>`. The
// container's command is wrapped so it runs in a private mount namespace
// (`unshare -m --propagation private`, root only) where a small shell script
// bind-mounts each directory onto its mountPath, read-only where asked
// (configMap/secret/projected always, like kubelet), then execs the command.
// Mounts never touch the host's real file system:
//  - a mountPath that exists is simply mounted over (inside the namespace only);
//  - a missing one is never created on the host: its deepest existing ancestor
//    A is replaced, inside the namespace, by a "shadow" — a directory on a
//    tmpfs that holds bind mounts of every entry of A (so A looks unchanged,
//    its sub-mounts included) — and the missing directories are made there;
//  - when A is `/` (e.g. mountPath `/data`), `/` is shadowed the same way and
//    the command runs chrooted into the shadow (same paths, same cwd).
// Where a namespace is not available (not root, no unshare) the agent falls back
// (see local-volumes.ts): the command runs unwrapped and finds each volume
// through `SKIFF_VOLUME_<NAME>` (fallbackEnvName).
import type { KObject } from '../../api/meta.js';
import type { ConfigSources } from './container-config.js';

export class VolumeError extends Error {
  readonly code = 'SKIFF_ERR_VOLUME';
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

export interface VolumeFile {
  /** Relative path inside the volume (may contain `/`). */
  path: string;
  data: Buffer;
  mode: number;
}

export type VolumeContent =
  | { kind: 'files'; files: VolumeFile[] }
  | { kind: 'emptyDir' }
  | { kind: 'hostPath'; path: string }
  | { kind: 'unsupported'; reason: string };

export interface VolumeMount {
  volume: string;
  /** Host directory bind-mounted at mountPath. */
  source: string;
  mountPath: string;
  readOnly: boolean;
}

const DEFAULT_MODE = 0o644;

function safeRelPath(p: string, field: string): string {
  if (!p || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '')) throw new VolumeError(`invalid path "${p}": must be relative, without "..", "" segments`, field);
  return p;
}

function decode(kind: 'configMap' | 'secret', obj: KObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (kind === 'secret') {
    for (const [k, v] of Object.entries<string>(obj.data ?? {})) out.set(k, Buffer.from(String(v), 'base64'));
    for (const [k, v] of Object.entries<string>(obj.stringData ?? {})) out.set(k, Buffer.from(String(v), 'utf8'));
  } else {
    for (const [k, v] of Object.entries<string>(obj.data ?? {})) out.set(k, Buffer.from(String(v), 'utf8'));
    for (const [k, v] of Object.entries<string>(obj.binaryData ?? {})) out.set(k, Buffer.from(String(v), 'base64'));
  }
  return out;
}

/** Files from one configMap/secret source (volume or projection), kubelet's rules for items/optional/mode. */
function sourceFiles(kind: 'configMap' | 'secret', src: any, sources: ConfigSources, defaultMode: number, field: string, ns: string): VolumeFile[] {
  const name = kind === 'secret' ? src.secretName ?? src.name : src.name;
  const obj = kind === 'secret' ? sources.secret(name) : sources.configMap(name);
  if (!obj) {
    if (src.optional) return [];
    throw new VolumeError(`${kind === 'secret' ? 'secret' : 'configmap'} "${name}" not found`, field);
  }
  const data = decode(kind, obj);
  const items: any[] | undefined = Array.isArray(src.items) && src.items.length ? src.items : undefined;
  if (!items) return [...data].map(([k, v]) => ({ path: safeRelPath(k, field), data: v, mode: defaultMode }));
  return items.flatMap((it, i) => {
    const v = data.get(it.key);
    if (v === undefined) {
      if (src.optional) return [];
      throw new VolumeError(`couldn't find key ${it.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${name}`, `${field}.items[${i}].key`);
    }
    return [{ path: safeRelPath(String(it.path ?? it.key), `${field}.items[${i}].path`), data: v, mode: typeof it.mode === 'number' ? it.mode : defaultMode }];
  });
}

/** What a volume holds now (pure; ConfigMaps/Secrets fetched by the caller). Throws VolumeError for a missing non-optional source. */
export function volumeContent(pod: KObject, volume: any, sources: ConfigSources): VolumeContent {
  const ns = pod.metadata.namespace ?? 'default';
  const field = `spec.volumes[${volume.name}]`;
  const mode = (v: any) => (typeof v?.defaultMode === 'number' ? v.defaultMode : DEFAULT_MODE);
  if (volume.configMap) return { kind: 'files', files: sourceFiles('configMap', volume.configMap, sources, mode(volume.configMap), `${field}.configMap`, ns) };
  if (volume.secret) return { kind: 'files', files: sourceFiles('secret', volume.secret, sources, mode(volume.secret), `${field}.secret`, ns) };
  if (volume.emptyDir) return { kind: 'emptyDir' };
  if (volume.hostPath?.path) return { kind: 'hostPath', path: String(volume.hostPath.path) };
  if (volume.projected) {
    const files: VolumeFile[] = [];
    (volume.projected.sources ?? []).forEach((s: any, i: number) => {
      const f = `${field}.projected.sources[${i}]`;
      if (s.configMap) files.push(...sourceFiles('configMap', s.configMap, sources, mode(volume.projected), `${f}.configMap`, ns));
      else if (s.secret) files.push(...sourceFiles('secret', { ...s.secret, secretName: s.secret.name }, sources, mode(volume.projected), `${f}.secret`, ns));
      // downwardAPI / serviceAccountToken / clusterTrustBundle projections: not provided in embedded mode.
    });
    return { kind: 'files', files };
  }
  const type = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
  return { kind: 'unsupported', reason: `volume type "${type}" is not supported in embedded mode (configMap, secret, projected, emptyDir and hostPath are)` };
}

/** Every ConfigMap/Secret name the pod's volumes refer to. */
export function volumeSources(pod: KObject): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.configMap?.name) configMaps.add(v.configMap.name);
    if (v?.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v?.projected?.sources ?? []) {
      if (s?.configMap?.name) configMaps.add(s.configMap.name);
      if (s?.secret?.name) secrets.add(s.secret.name);
    }
  }
  return { configMaps, secrets };
}

/** The directory holding a pod's volumes under the data dir. */
export function podVolumesDir(dataDir: string, pod: KObject): string {
  return `${dataDir}/volumes/${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

/**
 * A container's mounts, parents before children. `sourceOf` gives the host
 * directory of a volume. configMap/secret/projected mounts are read-only (as
 * kubelet mounts them); unknown volumes and subPath mounts are refused.
 */
export function containerMounts(pod: KObject, container: any, sourceOf: (volume: any) => string): VolumeMount[] {
  const byName = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  const mounts = (container.volumeMounts ?? []).map((m: any, i: number): VolumeMount => {
    const field = `volumeMounts[${i}]`;
    const v = byName.get(m.name);
    if (!v) throw new VolumeError(`volumeMounts[${i}].name: Not found: "${m.name}"`, `${field}.name`);
    const mp = String(m.mountPath ?? '');
    if (!mp.startsWith('/') || mp.split('/').includes('..')) throw new VolumeError(`mountPath "${mp}" must be an absolute path without ".."`, `${field}.mountPath`);
    if (m.subPath || m.subPathExpr) throw new VolumeError('subPath mounts are not supported in embedded mode', `${field}.subPath`);
    const atomic = !!(v.configMap || v.secret || v.projected);
    return { volume: m.name, source: sourceOf(v), mountPath: mp.replace(/(.)\/+$/, '$1'), readOnly: atomic || !!m.readOnly };
  });
  return mounts.sort((a: VolumeMount, b: VolumeMount) => a.mountPath.split('/').length - b.mountPath.split('/').length);
}

/** `SKIFF_VOLUME_<NAME>`: where a volume's files are when no mount namespace is available. */
export function fallbackEnvName(volume: string): string {
  return `SKIFF_VOLUME_${volume.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

// The in-namespace set-up script. Arguments: stage dir, then per mount
// "source mountPath ro|rw", then "--", then the command. See the module comment.
const MOUNT_SCRIPT = `set -e
S=$1; shift
mount -t tmpfs -o mode=0755 skiff-stage "$S"
n=0; ROOT=
shadow() {
  n=$((n+1)); d="$S/s$n"; mkdir "$d"
  for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    b=\${e##*/}
    if [ -L "$e" ]; then cp -P "$e" "$d/$b"
    elif [ -d "$e" ]; then mkdir "$d/$b"; mount --rbind "$e" "$d/$b"
    else : > "$d/$b"; mount --bind "$e" "$d/$b"; fi
  done
  chmod "$(stat -c %a "$1")" "$d"
}
while [ "$1" != -- ]; do
  src=$1; mp=$2; ro=$3; shift 3; t=$ROOT$mp
  if [ ! -d "$t" ]; then
    [ -e "$t" ] && { echo "skiff: mountPath $mp exists and is not a directory" >&2; exit 1; }
    a=$t; while [ ! -e "$a" ]; do a=\${a%/*}; [ -n "$a" ] || a=/; done
    [ -d "$a" ] || { echo "skiff: cannot mount at $mp: \${a#$ROOT} is not a directory" >&2; exit 1; }
    if [ "$a" = / ]; then shadow /; ROOT=$d; t=$ROOT$mp
    elif [ "$a" != "$ROOT" ]; then shadow "$a"; mount --rbind "$d" "$a"; fi
    mkdir -p "$t"
  fi
  mount --bind "$src" "$t"
  [ "$ro" = ro ] && mount -o remount,bind,ro "$t"
done
shift
[ -z "$ROOT" ] && exec "$@"
exec chroot "$ROOT" /bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$(pwd)" "$@"
`;

/** argv that runs `argv` with `mounts` in a private mount namespace (no mounts → argv unchanged). */
export function wrapWithMounts(argv: string[], mounts: VolumeMount[], stageDir: string, unshare = 'unshare'): string[] {
  if (!mounts.length) return argv;
  const spec = mounts.flatMap((m) => [m.source, m.mountPath, m.readOnly ? 'ro' : 'rw']);
  return [unshare, '-m', '--propagation', 'private', '/bin/sh', '-c', MOUNT_SCRIPT, 'skiff-mounts', stageDir, ...spec, '--', ...argv];
}
