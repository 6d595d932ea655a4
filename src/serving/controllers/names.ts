// Deterministic names shared by the Serving reconcilers, exactly as Knative
// derives them (knative.dev/pkg/kmeta.ChildName and the `resources/names`
// packages of pkg/reconciler/{service,configuration,revision}), plus the
// group-resource keys the reconcilers read and write. Pure; no I/O.
//
// ChildName is re-implemented (not imported) because it defines names users
// see — `hello-00001-deployment` — and must hash long names the same way
// Knative does so objects keep their names across the two implementations.
import { createHash } from 'node:crypto';
import type { KObject } from '../../api/meta.js';

/** Group-resources (ApiClient keys) the Serving controllers use. */
export const GR = Object.freeze({
  services: 'serving.knative.dev/services',
  configurations: 'serving.knative.dev/configurations',
  revisions: 'serving.knative.dev/revisions',
  routes: 'serving.knative.dev/routes',
  podAutoscalers: 'autoscaling.internal.knative.dev/podautoscalers',
  serverlessServices: 'networking.internal.knative.dev/serverlessservices',
  ingresses: 'networking.internal.knative.dev/ingresses',
  deployments: 'apps/deployments',
  pods: 'core/pods',
  configMaps: 'core/configmaps',
  k8sServices: 'core/services',
});

/** Kubernetes' longest object name (a DNS-1123 label). */
const LONGEST = 63;
const MD5_HEX_LEN = 32;
/** How much of the parent survives when the name has to be hashed. */
const HEAD = LONGEST - MD5_HEX_LEN;

function md5Hex(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/**
 * kmeta.ChildName: `parent + suffix`, unless that exceeds 63 characters; then
 * the parent is cut and followed by the md5 of the parent (or, for suffixes
 * too long to leave room, the md5 of parent+suffix padded with the start of
 * the suffix), so the result stays unique and at most 63 characters long.
 */
export function childName(parent: string, suffix: string): string {
  if (parent.length <= LONGEST - suffix.length) return parent + suffix;
  if (HEAD - suffix.length <= 0) {
    const h = md5Hex(parent + suffix);
    let ret = (parent.length > HEAD ? parent.slice(0, HEAD) : parent) + h;
    const room = LONGEST - ret.length;
    if (room > 0) ret += suffix.slice(0, room);
    return trimToAlphanumeric(ret);
  }
  return parent.slice(0, HEAD - suffix.length) + md5Hex(parent) + suffix;
}

/** Drop trailing non-alphanumerics a cut may have left (kmeta's makeValidName). */
function trimToAlphanumeric(n: string): string {
  let end = n.length;
  while (end > 0 && !/[a-zA-Z0-9]/.test(n[end - 1])) end--;
  return n.slice(0, end);
}

type Named = Pick<KObject, 'metadata'>;

function nameOf(o: Named | string): string {
  return typeof o === 'string' ? o : (o.metadata.name ?? '');
}

// ---- Service children (pkg/reconciler/service/resources/names) ----

/** The Configuration a Service owns has the Service's name. */
export function serviceConfigurationName(service: Named | string): string {
  return nameOf(service);
}

/** The Route a Service owns has the Service's name. */
export function serviceRouteName(service: Named | string): string {
  return nameOf(service);
}

// ---- Configuration children ----

/** Auto-generated Revision name: `{config}-%05d` of the Configuration's metadata.generation. */
export function generatedRevisionName(configName: string, generation: number): string {
  return childName(configName, `-${String(generation).padStart(5, '0')}`);
}

/** The Revision a Configuration's current template stamps: the template's own name, else the generated one. */
export function revisionNameFor(config: KObject): string {
  const byo = config.spec?.template?.metadata?.name;
  return byo ? String(byo) : generatedRevisionName(config.metadata.name ?? '', config.metadata.generation ?? 0);
}

// ---- Revision children (pkg/reconciler/revision/resources/names) ----

export function deploymentName(rev: Named | string): string {
  return childName(nameOf(rev), '-deployment');
}

/** The PodAutoscaler (and ServerlessService, Metric) share the Revision's name. */
export function podAutoscalerName(rev: Named | string): string {
  return nameOf(rev);
}

export function imageCacheName(rev: Named | string): string {
  return childName(nameOf(rev), '-cache');
}
