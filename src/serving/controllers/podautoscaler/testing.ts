// Test builders for PodAutoscaler reconciler tests (functional options in the
// style of knative's testing/v1 helpers): a PA with its Deployment, pods and
// SKS, and condition literals. Test-only; imported by *.test.ts.
import type { Condition, KObject } from '../../../api/meta.js';
import { rfc3339 } from '../../../controller/clock.js';
import { KPA_CLASS } from '../../autoscaler/config.js';
import { makeSks } from './resources/sks.js';
import { PA_API_VERSION, type PodAutoscaler, type PodAutoscalerStatus } from './resources/types.js';
import type { ServerlessService, SksMode } from '../serverlessservice/resources/services.js';

export const NS = 'ns';
export const REV = 'rev';
export const PA_UID = 'pa-uid';
export const REV_UID = 'rev-uid';
export const DEPLOYMENT = `${REV}-deployment`;
/** The tables' clock: 2024-01-01T01:00:00Z. */
export const NOW = Date.UTC(2024, 0, 1, 1);
export const at = (msAgo: number) => rfc3339(NOW - msAgo);
export const T_NOW = rfc3339(NOW);

export function c(type: string, status: Condition['status'], ltt: string, reason?: string, message?: string): Condition {
  return { type, status, lastTransitionTime: ltt, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

export interface PaOptions {
  annotations?: Record<string, string>;
  status?: PodAutoscalerStatus;
  reachability?: 'Reachable' | 'Unreachable';
  containerConcurrency?: number;
  generation?: number;
}

export function pa(o: PaOptions = {}): PodAutoscaler {
  const p: PodAutoscaler = {
    apiVersion: PA_API_VERSION,
    kind: 'PodAutoscaler',
    metadata: {
      name: REV,
      namespace: NS,
      uid: PA_UID,
      generation: o.generation ?? 1,
      labels: { 'serving.knative.dev/revision': REV },
      annotations: { 'autoscaling.knative.dev/class': KPA_CLASS, ...(o.annotations ?? {}) },
      ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: REV, uid: REV_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: DEPLOYMENT },
      containerConcurrency: o.containerConcurrency ?? 0,
      protocolType: 'http1',
      reachability: o.reachability ?? 'Reachable',
    },
  };
  if (o.status) p.status = o.status;
  return p;
}

/** A PA status; conditions as given (sorted by the caller as the API sorts them: by type). */
export function paStatus(conditions: Condition[], o: { desired?: number; actual?: number; withServices?: boolean; gen?: number } = {}): PodAutoscalerStatus {
  const s: PodAutoscalerStatus = { conditions, observedGeneration: o.gen ?? 1 };
  if (o.withServices !== false) {
    s.serviceName = REV;
    s.metricsServiceName = `${REV}-private`;
  }
  if (o.desired !== undefined) s.desiredScale = o.desired;
  if (o.actual !== undefined) s.actualScale = o.actual;
  return s;
}

export const QUEUED = 'Requests to the target are being buffered as resources are provisioned.';
export const NO_TRAFFIC = 'The target is not receiving traffic.';

/** Active since `activeLtt`, initialised, SKS ready: the steady state of a serving revision. */
export function activeConds(activeLtt: string, initLtt = at(3_600_000)): Condition[] {
  return [c('Active', 'True', activeLtt), c('Ready', 'True', activeLtt), c('SKSReady', 'True', initLtt), c('ScaleTargetInitialized', 'True', initLtt)];
}

/** Inactive (NoTraffic) since `ltt`. */
export function inactiveConds(ltt: string, initLtt = at(3_600_000)): Condition[] {
  return [
    c('Active', 'False', ltt, 'NoTraffic', NO_TRAFFIC),
    c('Ready', 'False', ltt, 'NoTraffic', NO_TRAFFIC),
    c('SKSReady', 'True', initLtt),
    c('ScaleTargetInitialized', 'True', initLtt),
  ];
}

export function deployment(replicas: number): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: DEPLOYMENT,
      namespace: NS,
      uid: 'deploy-uid',
      labels: { 'serving.knative.dev/revision': REV },
      ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: REV, uid: REV_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, selector: { matchLabels: { 'serving.knative.dev/revisionUID': REV_UID } }, template: { metadata: { labels: { 'serving.knative.dev/revisionUID': REV_UID } } } },
  };
}

export function pod(i: number, ready = true): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${DEPLOYMENT}-${i}`, namespace: NS, labels: { 'serving.knative.dev/revision': REV, 'serving.knative.dev/revisionUID': REV_UID } },
    spec: { containers: [{ name: 'user-container', image: 'x' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

export function pods(n: number): KObject[] {
  return Array.from({ length: n }, (_, i) => pod(i));
}

export interface SksOptions {
  numActivators?: number;
  /** ms ago the activator entered the path; null = not in path. Default: an hour ago in Proxy mode, null in Serve. */
  proxySinceMsAgo?: number | null;
  ready?: boolean;
  owner?: PodAutoscaler;
}

export function sks(mode: SksMode, o: SksOptions = {}): ServerlessService {
  const s = makeSks(o.owner ?? pa(), mode, o.numActivators ?? 2);
  s.metadata.generation = 1;
  const proxyAgo = o.proxySinceMsAgo === undefined ? (mode === 'Proxy' ? 3_600_000 : null) : o.proxySinceMsAgo;
  const long = at(3_600_000);
  const ready = o.ready ?? true;
  s.status = {
    observedGeneration: 1,
    serviceName: REV,
    privateServiceName: `${REV}-private`,
    conditions: [
      proxyAgo === null
        ? c('ActivatorEndpointsPopulated', 'False', long, 'ActivatorEndpointsRemoved', 'Revision is backed by its pods')
        : c('ActivatorEndpointsPopulated', 'True', at(proxyAgo), 'ActivatorEndpointsPopulated', 'Revision is backed by Activator'),
      c('EndpointsPopulated', ready ? 'True' : 'Unknown', long),
      c('Ready', ready ? 'True' : 'Unknown', long),
    ].map((x) => (x.type === 'ActivatorEndpointsPopulated' ? { ...x, severity: 'Info' } : x)),
  };
  return s;
}

/** The SKS as the KPA would update it: same object, new spec. */
export function sksWithSpec(base: ServerlessService, mode: SksMode, numActivators = 2): ServerlessService {
  return { ...structuredClone(base), spec: { ...base.spec, mode, numActivators } };
}

export function configAutoscaler(data: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-autoscaler', namespace: 'knative-serving', resourceVersion: '1' }, data };
}

export function scalePatch(replicas: number) {
  return { gr: 'apps/deployments', namespace: NS, name: DEPLOYMENT, patch: { spec: { replicas } }, patchType: 'merge' as const, subresource: 'scale' };
}
