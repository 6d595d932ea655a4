// RevisionSpec (a masked PodSpec plus containerConcurrency and timeouts):
// defaulting and validation shared by Service.spec.template,
// Configuration.spec.template and Revision.spec, with Knative's wording
// (pkg/apis/serving/v1/revision_{defaults,validation}.go, k8s_validation.go).
import type { KObject } from '../meta.js';
import { invalidValue, required, type FieldError } from '../errors.js';
import { validateDns1123Label, isDns1035Label } from '../validation.js';
import { expandNameTemplate, type ServingDefaults } from './config-defaults.js';
import { RESERVED_CONTAINER_NAMES, RESERVED_ENV, RESERVED_MOUNT_PATHS, RESERVED_PORTS } from './constants.js';

/** Hook so autoscaling annotation validation (autoscaler module) plugs in without a dependency cycle. */
export type ConfigGetter = (gr: string, ns: string, name: string) => KObject | undefined;
export type AnnotationValidator = (annotations: Record<string, string> | undefined, path: string, containerConcurrency: number | undefined, get?: ConfigGetter) => FieldError[];
let annotationValidator: AnnotationValidator = () => [];
export function setAutoscalingAnnotationValidator(v: AnnotationValidator): void {
  annotationValidator = v;
}
export function validateAutoscalingAnnotations(a: Record<string, string> | undefined, path: string, cc: number | undefined, get?: ConfigGetter): FieldError[] {
  return annotationValidator(a, path, cc, get);
}

export function defaultRevisionSpec(spec: any, meta: any, d: ServingDefaults): void {
  if (!spec || typeof spec !== 'object') return;
  spec.containerConcurrency ??= d.containerConcurrency;
  spec.timeoutSeconds ??= d.revisionTimeoutSeconds;
  if (spec.responseStartTimeoutSeconds === undefined && d.revisionResponseStartTimeoutSeconds !== 0 && d.revisionResponseStartTimeoutSeconds < spec.timeoutSeconds)
    spec.responseStartTimeoutSeconds = d.revisionResponseStartTimeoutSeconds;
  if (spec.idleTimeoutSeconds === undefined && d.revisionIdleTimeoutSeconds !== 0 && d.revisionIdleTimeoutSeconds < spec.timeoutSeconds)
    spec.idleTimeoutSeconds = d.revisionIdleTimeoutSeconds;
  if (spec.enableServiceLinks === undefined && d.enableServiceLinks !== undefined) spec.enableServiceLinks = d.enableServiceLinks;
  const containers: any[] = Array.isArray(spec.containers) ? spec.containers : [];
  const servingIdx = containers.findIndex((c) => Array.isArray(c?.ports) && c.ports.length > 0);
  containers.forEach((c, i) => {
    if (!c || typeof c !== 'object') return;
    if (!c.name) c.name = containers.length === 1 ? expandNameTemplate(d.containerNameTemplate, meta ?? {}) : `${expandNameTemplate(d.containerNameTemplate, meta ?? {})}-${i}`;
    // Always present, as Knative's webhook writes it (Go serializes the struct even when empty): an object
    // created by kubectl then equals the same object sent back by kn, so a traffic-only update is no new revision.
    c.resources ??= {};
    if (Object.keys(d.resources.requests).length || Object.keys(d.resources.limits).length) {
      if (Object.keys(d.resources.requests).length) c.resources.requests = { ...d.resources.requests, ...(c.resources.requests ?? {}) };
      if (Object.keys(d.resources.limits).length) c.resources.limits = { ...d.resources.limits, ...(c.resources.limits ?? {}) };
    }
    const isServing = containers.length === 1 || i === servingIdx;
    if (isServing && !c.readinessProbe) c.readinessProbe = { successThreshold: 1, tcpSocket: { port: 0 } };
    else if (isServing && c.readinessProbe) c.readinessProbe.successThreshold ??= 1;
  });
}

function validateContainer(c: any, p: string, serving: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c || typeof c !== 'object') return [invalidValue(p, c, 'must be an object')];
  if (!c.image && !c.command) errs.push(required(`${p}.image`));
  if (c.name !== undefined) {
    errs.push(...validateDns1123Label(`${p}.name`, c.name));
    if (RESERVED_CONTAINER_NAMES.includes(c.name)) errs.push(invalidValue(`${p}.name`, c.name, `${c.name} is a reserved container name`));
  }
  for (const [i, e] of (Array.isArray(c.env) ? c.env : []).entries()) {
    if (!e?.name) errs.push(required(`${p}.env[${i}].name`));
    else if (RESERVED_ENV.includes(e.name)) errs.push({ path: `${p}.env[${i}].name`, message: `"${e.name}" is a reserved environment variable`, type: 'FieldValueInvalid' });
    if (e?.value !== undefined && e?.valueFrom !== undefined) errs.push({ path: `${p}.env[${i}]`, message: 'expected exactly one, got both: value, valueFrom' });
  }
  if (c.env !== undefined && !Array.isArray(c.env)) errs.push(invalidValue(`${p}.env`, c.env, 'must be a list'));
  const ports = Array.isArray(c.ports) ? c.ports : [];
  if (c.ports !== undefined && !Array.isArray(c.ports)) errs.push(invalidValue(`${p}.ports`, c.ports, 'must be a list'));
  if (ports.length > 1) errs.push({ path: `${p}.ports`, message: 'More than one container port is set: Only a single port is allowed' });
  ports.forEach((port: any, i: number) => {
    const pp = `${p}.ports[${i}]`;
    const n = port?.containerPort;
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 65535)) errs.push(invalidValue(`${pp}.containerPort`, n, 'expected 0 <= containerPort <= 65535'));
    if (RESERVED_PORTS.includes(n)) errs.push({ path: `${pp}.containerPort`, message: `port ${n} is reserved`, type: 'FieldValueInvalid' });
    if (port?.name !== undefined && !['', 'http1', 'h2c'].includes(port.name))
      errs.push({ path: `${pp}.name`, message: `Port name ${port.name} is not allowed: Name must be empty, or one of: 'h2c', 'http1'` });
    if (port?.protocol !== undefined && port.protocol !== 'TCP') errs.push(invalidValue(`${pp}.protocol`, port.protocol, 'only TCP is supported'));
  });
  if (!serving && ports.length) errs.push({ path: `${p}.ports`, message: 'only the serving container may declare a port' });
  for (const [i, m] of (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).entries()) {
    if (!m?.name) errs.push(required(`${p}.volumeMounts[${i}].name`));
    if (!m?.mountPath) errs.push(required(`${p}.volumeMounts[${i}].mountPath`));
    else if (!String(m.mountPath).startsWith('/')) errs.push(invalidValue(`${p}.volumeMounts[${i}].mountPath`, m.mountPath, 'must be an absolute path'));
    else if (RESERVED_MOUNT_PATHS.includes(String(m.mountPath).replace(/\/+$/, '') || '/'))
      errs.push(invalidValue(`${p}.volumeMounts[${i}].mountPath`, m.mountPath, 'mountPath is a reserved path'));
  }
  for (const f of ['lifecycle', 'stdin', 'stdinOnce', 'tty', 'volumeDevices'])
    if (c[f] !== undefined) errs.push({ path: `${p}.${f}`, message: `must not set the field(s): ${f}`, type: 'FieldValueForbidden' });
  return errs;
}

export function validateRevisionSpec(spec: any, path: string, d: ServingDefaults, annotations?: Record<string, string>, get?: ConfigGetter): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const errs: FieldError[] = [];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) errs.push({ path: `${path}.containers`, message: 'missing field(s)', type: 'FieldValueRequired' });
  else {
    const withPorts = containers.filter((c: any) => Array.isArray(c?.ports) && c.ports.length > 0).length;
    if (containers.length > 1 && withPorts !== 1)
      errs.push({ path: `${path}.containers`, message: `exactly one container must specify a port for a multi-container revision, found ${withPorts}` });
    const names = new Set<string>();
    containers.forEach((c: any, i: number) => {
      const serving = containers.length === 1 || (Array.isArray(c?.ports) && c.ports.length > 0);
      errs.push(...validateContainer(c, `${path}.containers[${i}]`, serving));
      if (c?.name) {
        if (names.has(c.name)) errs.push({ path: `${path}.containers[${i}].name`, message: `duplicate container name "${c.name}"` });
        names.add(c.name);
      }
    });
  }
  const cc = spec.containerConcurrency;
  if (cc !== undefined && (!Number.isInteger(cc) || cc < 0 || cc > d.containerConcurrencyMaxLimit))
    errs.push({ path: `${path}.containerConcurrency`, message: `expected 0 <= ${cc} <= ${d.containerConcurrencyMaxLimit}`, type: 'FieldValueInvalid' });
  else if (cc === 0 && !d.allowContainerConcurrencyZero)
    errs.push({ path: `${path}.containerConcurrency`, message: `expected 1 <= 0 <= ${d.containerConcurrencyMaxLimit}` });
  const t = spec.timeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || t < 0 || t > d.maxRevisionTimeoutSeconds))
    errs.push({ path: `${path}.timeoutSeconds`, message: `expected 0 <= ${t} <= ${d.maxRevisionTimeoutSeconds}` });
  for (const f of ['responseStartTimeoutSeconds', 'idleTimeoutSeconds']) {
    const v = spec[f];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > (t ?? d.maxRevisionTimeoutSeconds)))
      errs.push({ path: `${path}.${f}`, message: `expected 0 <= ${v} <= ${t ?? d.maxRevisionTimeoutSeconds}` });
  }
  for (const [i, v] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
    const kinds = ['configMap', 'secret', 'emptyDir', 'projected', 'persistentVolumeClaim'].filter((k) => v?.[k] !== undefined);
    if (!v?.name) errs.push(required(`${path}.volumes[${i}].name`));
    if (kinds.length !== 1) errs.push({ path: `${path}.volumes[${i}]`, message: 'expected exactly one, got neither or several: configMap, emptyDir, projected, secret' });
  }
  for (const f of ['restartPolicy', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'activeDeadlineSeconds'])
    if (spec[f] !== undefined && f !== 'restartPolicy') errs.push({ path: `${path}.${f}`, message: `must not set the field(s): ${f}`, type: 'FieldValueForbidden' });
  const annPath = path === 'spec' ? 'metadata.annotations' : path.replace(/\.spec$/, '.metadata.annotations');
  errs.push(...validateAutoscalingAnnotations(annotations, annPath, cc, get));
  return errs;
}

/** BYO revision names: DNS-1035, `{parent}-` prefix, not with generateName. */
export function validateTemplateName(tplName: string | undefined, parentName: string, parentGenerateName: string | undefined, path: string): FieldError[] {
  if (!tplName) return [];
  const errs: FieldError[] = [];
  if (parentGenerateName && !parentName)
    errs.push({ path, message: `generateName cannot be used with a specified revision name "${tplName}"`, type: 'FieldValueInvalid' });
  if (!isDns1035Label(tplName)) errs.push(invalidValue(path, tplName, 'must be a DNS-1035 label'));
  if (parentName && !tplName.startsWith(`${parentName}-`))
    errs.push({ path, message: `"${tplName}" must have prefix "${parentName}-"`, type: 'FieldValueInvalid' });
  return errs;
}
