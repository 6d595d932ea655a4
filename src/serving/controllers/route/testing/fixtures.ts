// Object builders for routing tests (knative's testing/v1 functional
// options, reduced): Routes, Configurations, Revisions, Knative Services and
// DomainMappings in the shapes the other controllers write.
import type { Condition, KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import type { TrafficTarget } from '../../../../api/serving/traffic.js';

export const NS = 'default';
export const T0 = '2024-01-01T00:00:00Z';

export const cond = (type: string, status: Condition['status'], reason?: string, message?: string, at = T0): Condition => ({
  type,
  status,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

export interface RouteOpts {
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  status?: KObject['status'];
}

export function route(name: string, traffic: TrafficTarget[], o: RouteOpts = {}): KObject {
  const r: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name, namespace: o.namespace ?? NS, uid: o.uid ?? `uid-route-${name}`, generation: o.generation ?? 1 },
    spec: { traffic: traffic.map((t) => ({ ...t, latestRevision: t.latestRevision ?? !t.revisionName })) },
  };
  if (o.labels) r.metadata.labels = o.labels;
  if (o.annotations) r.metadata.annotations = o.annotations;
  if (o.status) r.status = o.status;
  return r;
}

export function configuration(name: string, o: { latestReady?: string; latestCreated?: string; ready?: Condition['status']; service?: string; namespace?: string } = {}): KObject {
  const c: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: o.namespace ?? NS, uid: `uid-config-${name}`, generation: 1 },
    spec: { template: { spec: { containers: [{ image: 'ikubernetes/helloworld-go' }] } } },
    status: {
      observedGeneration: 1,
      conditions: [cond('Ready', o.ready ?? (o.latestReady ? 'True' : 'Unknown'))],
    },
  };
  if (o.latestReady) c.status.latestReadyRevisionName = o.latestReady;
  if (o.latestCreated ?? o.latestReady) c.status.latestCreatedRevisionName = o.latestCreated ?? o.latestReady;
  if (o.service) c.metadata.labels = { [L.service]: o.service };
  return c;
}

export function revision(
  name: string,
  o: { configuration?: string; ready?: Condition['status']; service?: string; namespace?: string; generation?: number; observedGeneration?: number } = {},
): KObject {
  const ready = o.ready ?? 'True';
  const labels: Record<string, string> = { [L.configuration]: o.configuration ?? name.replace(/-\d{5}$/, '') };
  if (o.service) labels[L.service] = o.service;
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name, namespace: o.namespace ?? NS, uid: `uid-rev-${name}`, generation: o.generation ?? 1, labels },
    spec: { containers: [{ image: 'ikubernetes/helloworld-go' }] },
    status: { observedGeneration: o.observedGeneration ?? o.generation ?? 1, conditions: [cond('Ready', ready, ready === 'False' ? 'ExitCode1' : undefined)] },
  };
}

export function ksvc(name: string, o: { address?: string; namespace?: string } = {}): KObject {
  const ns = o.namespace ?? NS;
  const s: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: ns, uid: `uid-ksvc-${name}`, generation: 1 },
    spec: { template: { spec: { containers: [{ image: 'x' }] } } },
  };
  if (o.address !== '') s.status = { address: { url: o.address ?? `http://${name}.${ns}.svc.cluster.local` } };
  return s;
}

export function domainMapping(
  domain: string,
  ref: { apiVersion?: string; kind?: string; name: string; namespace?: string },
  o: { namespace?: string; generation?: number; status?: KObject['status']; finalizers?: string[]; tls?: string } = {},
): KObject {
  const dm: KObject = {
    apiVersion: 'serving.knative.dev/v1beta1',
    kind: 'DomainMapping',
    metadata: { name: domain, namespace: o.namespace ?? NS, uid: `uid-dm-${domain}`, generation: o.generation ?? 1 },
    spec: { ref: { apiVersion: ref.apiVersion ?? 'serving.knative.dev/v1', kind: ref.kind ?? 'Service', name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } },
  };
  if (o.tls) dm.spec.tls = { secretName: o.tls };
  if (o.finalizers) dm.metadata.finalizers = o.finalizers;
  if (o.status) dm.status = o.status;
  return dm;
}

export function configMap(name: string, data: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'knative-serving' }, data };
}
