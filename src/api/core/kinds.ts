// Kubernetes core kinds Skiff serves itself in embedded mode: v1 Namespace,
// ConfigMap, Secret, Service, Pod, Event, Endpoints; apps/v1 Deployment and
// ReplicaSet. Defaulting/validation follow Kubernetes where users notice it;
// printer columns match `kubectl get` on a real cluster.
import { invalidValue, required, type FieldError } from '../errors.js';
import { selectorFromObject, matchesSelector, selectorToString } from '../labels.js';
import type { KObject } from '../meta.js';
import { podSpecMergeKeys } from '../patch.js';
import { age, humanDuration } from '../printers.js';
import type { ResourceRegistry, ResourceType } from '../registry.js';
import { validateDns1123Label, isDns1123Label } from '../validation.js';

// ---------------------------------------------------------------- helpers

function validateContainers(path: string, containers: unknown): FieldError[] {
  if (!Array.isArray(containers) || containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c: any, i) => {
    const p = `${path}[${i}]`;
    if (!c || typeof c !== 'object') return errs.push(invalidValue(p, c, 'must be an object'));
    if (!c.name) errs.push(required(`${p}.name`));
    else if (!isDns1123Label(c.name)) errs.push(...validateDns1123Label(`${p}.name`, c.name));
    else if (names.has(c.name)) errs.push({ path: `${p}.name`, message: `Duplicate value: "${c.name}"`, type: 'FieldValueDuplicate' });
    else names.add(c.name);
    if (!c.image && !c.command) errs.push(required(`${p}.image`));
    if (c.command !== undefined && !Array.isArray(c.command)) errs.push(invalidValue(`${p}.command`, c.command, 'must be a list of strings'));
    if (c.args !== undefined && !Array.isArray(c.args)) errs.push(invalidValue(`${p}.args`, c.args, 'must be a list of strings'));
    if (c.env !== undefined) {
      if (!Array.isArray(c.env)) errs.push(invalidValue(`${p}.env`, c.env, 'must be a list'));
      else
        c.env.forEach((e: any, j: number) => {
          if (!e?.name) errs.push(required(`${p}.env[${j}].name`));
        });
    }
    if (c.ports !== undefined) {
      if (!Array.isArray(c.ports)) errs.push(invalidValue(`${p}.ports`, c.ports, 'must be a list'));
      else
        c.ports.forEach((port: any, j: number) => {
          const n = port?.containerPort;
          if (!Number.isInteger(n) || n < 1 || n > 65535) errs.push(invalidValue(`${p}.ports[${j}].containerPort`, n, 'must be between 1 and 65535, inclusive'));
        });
    }
  });
  return errs;
}

export function validatePodSpec(path: string, spec: any): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const errs = validateContainers(`${path}.containers`, spec.containers);
  if (spec.initContainers !== undefined) errs.push(...validateContainers(`${path}.initContainers`, spec.initContainers));
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy))
    errs.push({ path: `${path}.restartPolicy`, message: `Unsupported value: "${spec.restartPolicy}": supported values: "Always", "OnFailure", "Never"`, type: 'FieldValueNotSupported' });
  if (spec.volumes !== undefined && !Array.isArray(spec.volumes)) errs.push(invalidValue(`${path}.volumes`, spec.volumes, 'must be a list'));
  return errs;
}

function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (!c || typeof c !== 'object') continue;
    c.imagePullPolicy ??= typeof c.image === 'string' && (c.image.endsWith(':latest') || !c.image.includes(':')) ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    for (const p of c.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  }
}

function podReadyCount(pod: KObject): string {
  const cs = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? cs.length;
  return `${cs.filter((c: any) => c.ready).length}/${total}`;
}

/** kubectl's pod STATUS column: reason of a waiting/terminated container, Terminating, or phase. */
export function podStatusText(pod: KObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Pending';
  for (const c of pod.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
  }
  return reason;
}

function podRestarts(pod: KObject, now: number): string {
  let n = 0;
  let last = 0;
  for (const c of pod.status?.containerStatuses ?? []) {
    n += c.restartCount ?? 0;
    const t = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (Number.isFinite(t) && t > last) last = t;
  }
  return n > 0 && last ? `${n} (${humanDuration(now - last)} ago)` : String(n);
}

function servicePorts(svc: KObject): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function containersOf(tpl: any): any[] {
  return tpl?.spec?.containers ?? [];
}

const AGE = { name: 'Age', type: 'string' as const, value: (o: KObject, now: number) => age(o, now) };

// ---------------------------------------------------------------- kinds

export const namespaceType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  nameRule: 'label',
  subresources: { status: true },
  generationFields: [],
  default(o) {
    o.spec ??= { finalizers: ['kubernetes'] };
    if (!o.status?.phase) o.status = { phase: 'Active' };
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name! };
  },
  printerColumns: [{ name: 'Status', type: 'string', value: (o) => o.status?.phase ?? 'Active' }, AGE],
};

export const configMapType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  validate(o) {
    const errs: FieldError[] = [];
    for (const f of ['data', 'binaryData'] as const) {
      const d = o[f];
      if (d === undefined || d === null) continue;
      if (typeof d !== 'object' || Array.isArray(d)) errs.push(invalidValue(f, d, 'must be a map of string to string'));
      else
        for (const [k, v] of Object.entries(d)) {
          if (!/^[-._a-zA-Z0-9]+$/.test(k)) errs.push(invalidValue(`${f}`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
          if (typeof v !== 'string') errs.push(invalidValue(`${f}.${k}`, v, 'must be a string'));
        }
    }
    return errs;
  },
  printerColumns: [{ name: 'Data', type: 'integer', value: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length }, AGE],
};

export const secretType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  default(o) {
    o.type ??= 'Opaque';
    // stringData is write-only: folded into base64 data (as kube-apiserver does).
    if (o.stringData && typeof o.stringData === 'object') {
      o.data = { ...(o.data ?? {}) };
      for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete o.stringData;
    }
  },
  validate(o) {
    const errs: FieldError[] = [];
    for (const [k, v] of Object.entries(o.data ?? {})) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(invalidValue(`data.${k}`, '<redacted>', 'must be base64-encoded'));
    }
    return errs;
  },
  printerColumns: [
    { name: 'Type', type: 'string', value: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', value: (o) => Object.keys(o.data ?? {}).length },
    AGE,
  ],
};

export const serviceType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  namespaced: true,
  nameRule: 'label',
  categories: ['all'],
  subresources: { status: true },
  generationFields: [],
  mergeKeys: { 'spec.ports': 'port' },
  default(o) {
    o.spec ??= {};
    const s = o.spec;
    s.type ??= 'ClusterIP';
    if (s.type !== 'ExternalName') {
      s.sessionAffinity ??= 'None';
      // Embedded mode: every service lives on loopback behind Skiff's gateway.
      if (!s.clusterIP) s.clusterIP = s.clusterIP === 'None' ? 'None' : '127.0.0.1';
      s.clusterIPs ??= [s.clusterIP];
    }
    for (const p of s.ports ?? []) {
      if (!p || typeof p !== 'object') continue;
      p.protocol ??= 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  },
  validate(o) {
    const errs: FieldError[] = [];
    const s = o.spec;
    if (!s || typeof s !== 'object') return [required('spec')];
    if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(s.type))
      errs.push({ path: 'spec.type', message: `Unsupported value: "${s.type}"`, type: 'FieldValueNotSupported' });
    if (s.type === 'ExternalName' && !s.externalName) errs.push(required('spec.externalName'));
    (s.ports ?? []).forEach((p: any, i: number) => {
      if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) errs.push(invalidValue(`spec.ports[${i}].port`, p?.port, 'must be between 1 and 65535, inclusive'));
    });
    if (s.type !== 'ExternalName' && !(s.ports ?? []).length) errs.push(required('spec.ports'));
    return errs;
  },
  printerColumns: [
    { name: 'Type', type: 'string', value: (o) => o.spec?.type },
    { name: 'Cluster-IP', type: 'string', value: (o) => (o.spec?.type === 'ExternalName' ? '<none>' : o.spec?.clusterIP ?? '<none>') },
    {
      name: 'External-IP',
      type: 'string',
      value: (o) => (o.spec?.type === 'ExternalName' ? o.spec.externalName : (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).join(',') || '<none>'),
    },
    { name: 'Port(s)', type: 'string', value: servicePorts },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, value: (o) => Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' },
  ],
};

export const endpointsType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  mergeKeys: { subsets: 'addresses' },
  printerColumns: [
    {
      name: 'Endpoints',
      type: 'string',
      value: (o) =>
        (o.subsets ?? [])
          .flatMap((s: any) => (s.addresses ?? []).flatMap((a: any) => (s.ports ?? [{ port: '' }]).map((p: any) => `${a.ip}:${p.port}`)))
          .join(',') || '<none>',
    },
    AGE,
  ],
};

export const podType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  namespaced: true,
  categories: ['all'],
  subresources: { status: true, log: true },
  generationFields: [],
  mergeKeys: { ...podSpecMergeKeys('spec'), 'status.containerStatuses': 'name' },
  default(o) {
    o.spec ??= {};
    defaultPodSpec(o.spec);
  },
  validate(o, old) {
    const errs = validatePodSpec('spec', o.spec);
    if (old) {
      // Pods are mostly immutable: only images and a few fields may change (Kubernetes rule).
      const strip = (s: any) => JSON.stringify({ ...s, containers: (s?.containers ?? []).map((c: any) => ({ ...c, image: undefined })), activeDeadlineSeconds: undefined, tolerations: undefined, nodeName: undefined });
      if (strip(o.spec) !== strip(old.spec))
        errs.push({ path: 'spec', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations)', type: 'FieldValueForbidden' });
    }
    return errs;
  },
  printerColumns: [
    { name: 'Ready', type: 'string', value: podReadyCount },
    { name: 'Status', type: 'string', value: podStatusText },
    { name: 'Restarts', type: 'string', value: podRestarts },
    AGE,
    { name: 'IP', type: 'string', priority: 1, value: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, value: (o) => o.spec?.nodeName ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, value: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, value: () => '<none>' },
  ],
};

export const eventType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  printerColumns: [
    {
      name: 'Last Seen',
      type: 'string',
      value: (o, now) => {
        const t = Date.parse(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp ?? '');
        return Number.isFinite(t) ? humanDuration(now - t) : '<unknown>';
      },
    },
    { name: 'Type', type: 'string', value: (o) => o.type ?? 'Normal' },
    { name: 'Reason', type: 'string', value: (o) => o.reason ?? '' },
    { name: 'Object', type: 'string', value: (o) => `${(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}` },
    { name: 'Message', type: 'string', value: (o) => o.message ?? '' },
  ],
};

function validateWorkload(o: KObject, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const s = o.spec;
  if (!s || typeof s !== 'object') return [required('spec')];
  if (s.replicas !== undefined && (!Number.isInteger(s.replicas) || s.replicas < 0))
    errs.push(invalidValue('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
  if (!s.selector || (!s.selector.matchLabels && !s.selector.matchExpressions)) errs.push(required('spec.selector'));
  else if (!matchesSelector(selectorFromObject(s.selector), s.template?.metadata?.labels))
    errs.push(invalidValue('spec.template.metadata.labels', s.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  errs.push(...validatePodSpec('spec.template.spec', s.template?.spec));
  if (kind === 'Deployment' && s.template?.spec?.restartPolicy && s.template.spec.restartPolicy !== 'Always')
    errs.push({ path: 'spec.template.spec.restartPolicy', message: `Unsupported value: "${s.template.spec.restartPolicy}": supported values: "Always"`, type: 'FieldValueNotSupported' });
  return errs;
}

const SCALE = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

export const deploymentType: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  namespaced: true,
  categories: ['all'],
  subresources: { status: true, scale: SCALE },
  mergeKeys: { ...podSpecMergeKeys('spec.template.spec'), 'status.conditions': 'type' },
  default(o) {
    o.spec ??= {};
    const s = o.spec;
    s.replicas ??= 1;
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    s.strategy ??= {};
    s.strategy.type ??= 'RollingUpdate';
    if (s.strategy.type === 'RollingUpdate') s.strategy.rollingUpdate ??= { maxUnavailable: '25%', maxSurge: '25%' };
    s.template ??= {};
    s.template.metadata ??= {};
    if (!s.selector && s.template.metadata.labels) s.selector = { matchLabels: { ...s.template.metadata.labels } };
    defaultPodSpec(s.template.spec);
  },
  validate(o, old) {
    const errs = validateWorkload(o, 'Deployment');
    if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(o.spec?.selector))
      errs.push(invalidValue('spec.selector', o.spec?.selector, 'field is immutable'));
    return errs;
  },
  printerColumns: [
    { name: 'Ready', type: 'string', value: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', value: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', value: (o) => o.status?.availableReplicas ?? 0 },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, value: (o) => containersOf(o.spec?.template).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, value: (o) => containersOf(o.spec?.template).map((c) => c.image).join(',') },
    { name: 'Selector', type: 'string', priority: 1, value: (o) => selectorToString(o.spec?.selector) },
  ],
};

export const replicaSetType: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  namespaced: true,
  categories: ['all'],
  subresources: { status: true, scale: SCALE },
  mergeKeys: podSpecMergeKeys('spec.template.spec'),
  default(o) {
    o.spec ??= {};
    o.spec.replicas ??= 1;
    o.spec.template ??= {};
    o.spec.template.metadata ??= {};
    if (!o.spec.selector && o.spec.template.metadata.labels) o.spec.selector = { matchLabels: { ...o.spec.template.metadata.labels } };
    defaultPodSpec(o.spec.template.spec);
  },
  validate(o) {
    return validateWorkload(o, 'ReplicaSet');
  },
  printerColumns: [
    { name: 'Desired', type: 'integer', value: (o) => o.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', value: (o) => o.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', value: (o) => o.status?.readyReplicas ?? 0 },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, value: (o) => containersOf(o.spec?.template).map((c) => c.name).join(',') },
    { name: 'Images', type: 'string', priority: 1, value: (o) => containersOf(o.spec?.template).map((c) => c.image).join(',') },
    { name: 'Selector', type: 'string', priority: 1, value: (o) => selectorToString(o.spec?.selector) },
  ],
};

export function registerCoreKinds(r: ResourceRegistry): void {
  for (const t of [namespaceType, configMapType, secretType, serviceType, endpointsType, podType, eventType, deploymentType, replicaSetType]) r.register(t);
}
