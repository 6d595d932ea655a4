// The node agent's volume hook (I/O side of volumes.ts): writes each pod's
// configMap/secret/projected files and emptyDir directories under
// `<dataDir>/volumes/<ns>_<pod>_<uid>/<volume>`, refreshes configMap/secret
// contents while the pod runs (every `refreshMs`, like kubelet's periodic
// sync: eventually, not instantly — files are replaced atomically by rename,
// so a reader never sees half a file), wraps each container's command so the
// volumes appear at their mountPaths (private mount namespace, volumes.ts),
// and removes the directories when the pod is gone.
// Fallback when a mount namespace cannot be made (not root, no unshare): the
// command runs unwrapped, each volume's directory is given in
// `SKIFF_VOLUME_<NAME>`, and the pod gets the annotation
// `skiff.dev/volume-fallback` (and a Warning event) saying so.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KObject } from '../../api/meta.js';
import type { ApiClient } from '../../client/client.js';
import { silentLogger, type Clock, type Logger, type TimerHandle } from '../deps.js';
import type { ConfigSources } from './container-config.js';
import type { VolumeHook } from './pod-runner.js';
import { containerMounts, fallbackEnvName, podVolumesDir, volumeContent, volumeSources, VolumeError, wrapWithMounts, type VolumeFile } from './volumes.js';

export const VOLUME_FALLBACK_ANNOTATION = 'skiff.dev/volume-fallback';

/** Can this process make private mount namespaces (root with a working unshare)? */
export function detectMountNamespaces(): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('unshare', ['-m', '--propagation', 'private', 'true'], { timeout: 5000 }, (err) => resolve(!err));
  });
}

export interface LocalVolumesOptions {
  client: ApiClient;
  dataDir: string;
  clock: Clock;
  logger?: Logger;
  /** Default: detected (detectMountNamespaces) at the first pod that needs it. */
  namespaces?: boolean;
  /** How often configMap/secret contents are re-read while a pod runs. Default 10 s. */
  refreshMs?: number;
  event?(pod: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

interface PodVolumes {
  dir: string;
  timer?: TimerHandle;
  closed: boolean;
}

export class LocalVolumes implements VolumeHook {
  private readonly pods = new Map<string, PodVolumes>();
  private namespaces?: Promise<boolean>;
  private readonly logger: Logger;

  constructor(private readonly opts: LocalVolumesOptions) {
    this.logger = opts.logger ?? silentLogger;
    if (opts.namespaces !== undefined) this.namespaces = Promise.resolve(opts.namespaces);
  }

  private useNamespaces(): Promise<boolean> {
    return (this.namespaces ??= detectMountNamespaces());
  }

  private volumeDir(pod: KObject, volume: any): string {
    if (volume.hostPath?.path) return String(volume.hostPath.path);
    return join(podVolumesDir(this.opts.dataDir, pod), volume.name);
  }

  async setUp(pod: KObject): Promise<void> {
    const volumes: any[] = pod.spec?.volumes ?? [];
    if (!volumes.length) return;
    const uid = pod.metadata.uid!;
    const entry: PodVolumes = { dir: podVolumesDir(this.opts.dataDir, pod), closed: false };
    this.pods.set(uid, entry);
    await mkdir(join(entry.dir, '.stage'), { recursive: true });
    await this.sync(pod, true);
    const ns = await this.useNamespaces();
    if (!ns && volumes.some((v) => !v.hostPath)) await this.markFallback(pod);
    if (volumes.some((v) => v.configMap || v.secret || v.projected)) {
      const tick = () => {
        if (entry.closed) return;
        void this.sync(pod, false).finally(() => {
          if (!entry.closed) entry.timer = this.opts.clock.setTimeout(tick, this.opts.refreshMs ?? 10_000);
        });
      };
      entry.timer = this.opts.clock.setTimeout(tick, this.opts.refreshMs ?? 10_000);
    }
  }

  /** Write every volume's current content; problems become Warning events (FailedMount), never a stuck pod. */
  private async sync(pod: KObject, first: boolean): Promise<void> {
    const sources = await this.fetch(pod);
    for (const v of pod.spec?.volumes ?? []) {
      const dir = this.volumeDir(pod, v);
      try {
        const content = volumeContent(pod, v, sources);
        if (content.kind === 'emptyDir') {
          if (first) await mkdir(dir, { recursive: true, mode: 0o777 }).then(() => chmod(dir, 0o777));
        } else if (content.kind === 'files') await writeFiles(dir, content.files);
        else if (content.kind === 'unsupported') {
          if (first) {
            await mkdir(dir, { recursive: true });
            this.opts.event?.(pod, 'Warning', 'FailedMount', `volume "${v.name}": ${content.reason}`);
          }
        }
      } catch (e) {
        if (!(e instanceof VolumeError)) this.logger.warn('volume set-up failed', { pod: pod.metadata.name, volume: v.name, error: (e as Error).message });
        if (first) {
          await mkdir(dir, { recursive: true }).catch(() => {});
          this.opts.event?.(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : ${(e as Error).message}`);
        }
      }
    }
  }

  private async fetch(pod: KObject): Promise<ConfigSources> {
    const ns = pod.metadata.namespace ?? 'default';
    const refs = volumeSources(pod);
    const cms = new Map<string, KObject | undefined>();
    const secrets = new Map<string, KObject | undefined>();
    for (const n of refs.configMaps) cms.set(n, await this.opts.client.get('core/configmaps', ns, n).catch(() => undefined));
    for (const n of refs.secrets) secrets.set(n, await this.opts.client.get('core/secrets', ns, n).catch(() => undefined));
    return { configMap: (n) => cms.get(n), secret: (n) => secrets.get(n) };
  }

  private async markFallback(pod: KObject): Promise<void> {
    const msg = 'no private mount namespace (needs root and unshare): volumes are not at their mountPath; each is a directory named in SKIFF_VOLUME_<NAME>';
    this.opts.event?.(pod, 'Warning', 'VolumeFallback', msg);
    await this.opts.client
      .patch('core/pods', pod.metadata.namespace!, pod.metadata.name!, { metadata: { annotations: { [VOLUME_FALLBACK_ANNOTATION]: msg } } }, { type: 'merge' })
      .catch((e) => this.logger.warn('could not annotate pod with the volume fallback', { pod: pod.metadata.name, error: (e as Error).message }));
  }

  envFor(pod: KObject, container: any): Record<string, string> {
    const env: Record<string, string> = {};
    if (!(pod.spec?.volumes ?? []).length) return env;
    const byName = new Map<string, any>((pod.spec.volumes as any[]).map((v) => [v.name, v]));
    for (const m of container.volumeMounts ?? []) {
      const v = byName.get(m.name);
      if (v) env[fallbackEnvName(m.name)] = this.volumeDir(pod, v);
    }
    return env;
  }

  async wrapArgv(pod: KObject, container: any, argv: string[]): Promise<string[]> {
    if (!(container.volumeMounts ?? []).length) return argv;
    const mounts = containerMounts(pod, container, (v) => this.volumeDir(pod, v));
    if (!(await this.useNamespaces())) return argv;
    return wrapWithMounts(argv, mounts, join(podVolumesDir(this.opts.dataDir, pod), '.stage'));
  }

  async tearDown(pod: KObject): Promise<void> {
    const entry = this.pods.get(pod.metadata.uid!);
    if (!entry) return;
    entry.closed = true;
    this.opts.clock.clearTimeout(entry.timer);
    this.pods.delete(pod.metadata.uid!);
    await rm(entry.dir, { recursive: true, force: true });
  }
}

/** Make `dir` hold exactly `files` (atomic per file; unchanged files are left alone; stale ones removed). */
async function writeFiles(dir: string, files: VolumeFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const want = new Set(files.map((f) => f.path));
  for (const f of files) {
    const p = join(dir, f.path);
    const old = await readFile(p).catch(() => undefined);
    if (old && old.equals(f.data)) {
      await chmod(p, f.mode).catch(() => {});
      continue;
    }
    await mkdir(dirname(p), { recursive: true });
    const tmp = join(dirname(p), `..${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
    await writeFile(tmp, f.data, { mode: f.mode });
    await chmod(tmp, f.mode);
    await rename(tmp, p);
  }
  for (const name of await listFiles(dir)) if (!want.has(name)) await rm(join(dir, name), { force: true });
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}
