// Turns a Pod's container spec into what a process needs: argv, environment
// and working directory, with the kubelet's rules (pure; no I/O):
//  - env order: envFrom sources first (in order, with `prefix`), then `env`
//    entries in order; later definitions win.
//  - `env[].value` may reference earlier variables as `$(VAR)`; command and
//    args may reference any variable of the final environment. `$$` escapes a
//    `$`, and an undefined `$(VAR)` is left as written (kubelet semantics).
//  - valueFrom: configMapKeyRef, secretKeyRef (base64-decoded), fieldRef
//    (metadata.name/namespace/uid, labels['k'], annotations['k'],
//    spec.nodeName, spec.serviceAccountName, status.podIP(s), status.hostIP),
//    resourceFieldRef (the container's own requests/limits, "0" when unset —
//    local processes have no cgroup limits to report).
//  - image entrypoint/cmd vs command/args: `command` replaces the entrypoint
//    (and drops the image's default args), `args` replaces the default args.
// A missing ConfigMap/Secret or key (not optional) is a CreateContainerConfigError,
// with kubelet's message. Secret values never appear in messages.
import type { KObject } from '../../api/meta.js';

/** The ConfigMaps and Secrets a pod's containers reference, fetched by the caller. */
export interface ConfigSources {
  configMap(name: string): KObject | undefined;
  secret(name: string): KObject | undefined;
}

/** What an image contributes: entrypoint, default args, environment, working directory. */
export interface ImageConfig {
  command: string[];
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /**
   * How the container's command/args combine with the image (default
   * 'override', Docker's rules). 'ignore': the container's `command` is
   * ignored and its `args` go to the image's program. 'append': image command,
   * then the container's command and args (a general-purpose tool box image).
   */
  commandMode?: 'override' | 'ignore' | 'append';
}

export interface ContainerConfig {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
}

export class ContainerConfigError extends Error {
  readonly code = 'SKIFF_ERR_CONTAINER_CONFIG';
  /** Kubernetes waiting reason. */
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** Every ConfigMap/Secret name a container list refers to (env, envFrom). */
export function referencedSources(containers: any[]): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const c of containers ?? []) {
    for (const e of c?.envFrom ?? []) {
      if (e?.configMapRef?.name) configMaps.add(e.configMapRef.name);
      if (e?.secretRef?.name) secrets.add(e.secretRef.name);
    }
    for (const e of c?.env ?? []) {
      if (e?.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e?.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return { configMaps, secrets };
}

/**
 * Expand `$(VAR)` references (Kubernetes' expansion rules): `$$` → `$`,
 * `$(NAME)` → value when NAME is defined, otherwise kept verbatim; a `$`
 * not followed by `(` or `$` is kept as is, as is an unclosed `$(`.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        const v = lookup(name);
        out += v === undefined ? `$(${name})` : v;
        i = close + 1;
      }
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}

const FIELD_PATH = /^metadata\.(labels|annotations)\['([^']*)'\]$/;

/** Resolve a `fieldRef.fieldPath` against the pod (as the downward API does). */
export function resolveFieldPath(pod: KObject, fieldPath: string): string {
  const m = FIELD_PATH.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.hostIP':
      return pod.status?.podIP ?? '127.0.0.1';
    case 'status.podIPs':
    case 'status.hostIPs':
      return (pod.status?.podIPs ?? [{ ip: pod.status?.podIP ?? '127.0.0.1' }]).map((p: { ip: string }) => p.ip).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath "${fieldPath}"`, 'fieldRef.fieldPath');
  }
}

function resourceField(container: any, resource: string): string {
  const [kind, name] = resource.split('.');
  const v = container?.resources?.[kind]?.[name];
  return v === undefined ? '0' : String(v);
}

function decodeSecretValue(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

function envValueFrom(pod: KObject, container: any, vf: any, sources: ConfigSources, path: string): string | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  if (vf.configMapKeyRef) {
    const { name, key, optional } = vf.configMapKeyRef;
    const cm = sources.configMap(name);
    if (!cm) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`, `${path}.valueFrom.configMapKeyRef`);
    }
    const v = cm.data?.[key];
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`, `${path}.valueFrom.configMapKeyRef.key`);
    }
    return String(v);
  }
  if (vf.secretKeyRef) {
    const { name, key, optional } = vf.secretKeyRef;
    const s = sources.secret(name);
    if (!s) {
      if (optional) return undefined;
      throw new ContainerConfigError(`secret "${name}" not found`, `${path}.valueFrom.secretKeyRef`);
    }
    const v = s.data?.[key];
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`, `${path}.valueFrom.secretKeyRef.key`);
    }
    return decodeSecretValue(String(v));
  }
  if (vf.fieldRef) return resolveFieldPath(pod, String(vf.fieldRef.fieldPath ?? ''));
  if (vf.resourceFieldRef) return resourceField(container, String(vf.resourceFieldRef.resource ?? ''));
  throw new ContainerConfigError('valueFrom must name one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef', `${path}.valueFrom`);
}

/**
 * The container's own environment (envFrom + env), in kubelet order.
 * `base` holds variables defined before the container's (image env, PORT…):
 * they can be referenced and overridden.
 */
export function resolveContainerEnv(pod: KObject, container: any, sources: ConfigSources, base: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...base };
  (container.envFrom ?? []).forEach((src: any, i: number) => {
    const prefix = src?.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (src?.configMapRef) {
      const cm = sources.configMap(src.configMapRef.name);
      if (!cm) {
        if (src.configMapRef.optional) return;
        throw new ContainerConfigError(`configmap "${src.configMapRef.name}" not found`, `envFrom[${i}].configMapRef`);
      }
      data = cm.data ?? {};
    } else if (src?.secretRef) {
      const s = sources.secret(src.secretRef.name);
      if (!s) {
        if (src.secretRef.optional) return;
        throw new ContainerConfigError(`secret "${src.secretRef.name}" not found`, `envFrom[${i}].secretRef`);
      }
      data = Object.fromEntries(Object.entries<string>(s.data ?? {}).map(([k, v]) => [k, decodeSecretValue(v)]));
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      const name = prefix + k;
      // Keys that cannot be environment variable names are skipped (kubelet emits an event).
      if (!name || name.includes('=') || name.includes('\0')) continue;
      env[name] = String(v);
    }
  });
  (container.env ?? []).forEach((e: any, i: number) => {
    const path = `env[${i}]`;
    if (!e?.name) return;
    if (e.valueFrom) {
      const v = envValueFrom(pod, container, e.valueFrom, sources, path);
      if (v !== undefined) env[e.name] = v;
    } else {
      env[e.name] = expandVars(String(e.value ?? ''), (n) => env[n]);
    }
  });
  return env;
}

/** argv from image config and container command/args (Docker ENTRYPOINT/CMD rules), with `$(VAR)` expanded. */
export function resolveArgv(container: any, image: ImageConfig | undefined, env: Record<string, string>): string[] {
  const lookup = (n: string) => env[n];
  const expand = (list: unknown[]) => list.map((s) => expandVars(String(s), lookup));
  const own = (v: unknown): string[] | undefined => (Array.isArray(v) ? v : undefined);
  if (image?.commandMode === 'ignore') return [...image.command, ...expand(own(container.args) ?? image.args ?? [])];
  if (image?.commandMode === 'append') {
    const extra = [...(own(container.command) ?? []), ...(own(container.args) ?? [])];
    return [...image.command, ...expand(extra.length ? extra : image.args ?? [])];
  }
  const cmd: string[] = Array.isArray(container.command) && container.command.length ? container.command : image?.command ?? [];
  const args: string[] = Array.isArray(container.args)
    ? container.args
    : Array.isArray(container.command) && container.command.length
      ? []
      : image?.args ?? [];
  return [...cmd, ...args].map((s) => expandVars(String(s), lookup));
}

/**
 * Full configuration for one container start. `injected` (PORT, HOSTNAME…)
 * are applied after the container's own env so the agent's port mapping wins.
 */
export function resolveContainerConfig(opts: {
  pod: KObject;
  container: any;
  image: ImageConfig | undefined;
  sources: ConfigSources;
  baseEnv: Record<string, string>;
  injected: Record<string, string>;
}): ContainerConfig {
  const { pod, container, image } = opts;
  const base = { ...opts.baseEnv, ...(image?.env ?? {}), ...opts.injected };
  const env = { ...resolveContainerEnv(pod, container, opts.sources, base), ...opts.injected };
  const argv = resolveArgv(container, image, env);
  if (!argv.length) throw new ContainerConfigError('no command specified', 'command');
  const cwd = container.workingDir || image?.cwd;
  return { argv, env, ...(cwd ? { cwd } : {}) };
}
