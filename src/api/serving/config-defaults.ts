// ConfigMap knative-serving/config-defaults (pkg/apis/config/defaults.go):
// the knobs revision defaulting and validation read. Values in seconds.
import type { KObject } from '../meta.js';

export interface ServingDefaults {
  revisionTimeoutSeconds: number; // 300
  maxRevisionTimeoutSeconds: number; // 600
  revisionResponseStartTimeoutSeconds: number; // = revisionTimeoutSeconds
  revisionIdleTimeoutSeconds: number; // 0 = off
  containerNameTemplate: string; // user-container
  initContainerNameTemplate: string;
  containerConcurrency: number; // 0 = unlimited
  containerConcurrencyMaxLimit: number; // 1000
  allowContainerConcurrencyZero: boolean;
  enableServiceLinks: boolean | undefined;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

function num(v: string | undefined, d: number): number {
  if (v === undefined || v.trim() === '') return d;
  const n = Number(v);
  return Number.isFinite(n) ? n : d;
}

export function parseServingDefaults(data: Record<string, string> | undefined): ServingDefaults {
  const d = data ?? {};
  const timeout = num(d['revision-timeout-seconds'], 300);
  const res: ServingDefaults['resources'] = { requests: {}, limits: {} };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (d[`revision-${r}-request`]) res.requests[r.replace('ephemeral-storage', 'ephemeral-storage')] = d[`revision-${r}-request`];
    if (d[`revision-${r}-limit`]) res.limits[r] = d[`revision-${r}-limit`];
  }
  return Object.freeze({
    revisionTimeoutSeconds: timeout,
    maxRevisionTimeoutSeconds: num(d['max-revision-timeout-seconds'], 600),
    revisionResponseStartTimeoutSeconds: num(d['revision-response-start-timeout-seconds'], timeout),
    revisionIdleTimeoutSeconds: num(d['revision-idle-timeout-seconds'], 0),
    containerNameTemplate: d['container-name-template'] || 'user-container',
    initContainerNameTemplate: d['init-container-name-template'] || 'init-container',
    containerConcurrency: num(d['container-concurrency'], 0),
    containerConcurrencyMaxLimit: num(d['container-concurrency-max-limit'], 1000),
    allowContainerConcurrencyZero: (d['allow-container-concurrency-zero'] ?? 'true') !== 'false',
    enableServiceLinks: d['enable-service-links'] === 'true' ? true : d['enable-service-links'] === 'default' ? undefined : false,
    resources: res,
  });
}

export function servingDefaultsFrom(get: (gr: string, ns: string, name: string) => KObject | undefined): ServingDefaults {
  return parseServingDefaults(get('core/configmaps', 'knative-serving', 'config-defaults')?.data);
}

/** Go template `{{.Name}}`-style container name templates over ObjectMeta. */
export function expandNameTemplate(tpl: string, meta: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }): string {
  return tpl.replace(/\{\{\s*\.(\w+)(?:\.(\w+))?\s*\}\}/g, (_m, a: string, b?: string) => {
    const v = (meta as Record<string, unknown>)[a.charAt(0).toLowerCase() + a.slice(1)];
    if (b && v && typeof v === 'object') return String((v as Record<string, unknown>)[b] ?? '');
    return v === undefined ? '' : String(v);
  });
}
