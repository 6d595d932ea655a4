// Test builders for Revisions and their children, in the functional-options
// style of Knative's pkg/testing/v1 (WithRoutingState, MarkActive, …).
// Used by this folder's tests and by the other Serving controller tests.
import type { Condition, KObject } from '../../../api/meta.js';

export const NS = 'default';
export const T0 = '2024-01-01T00:00:00Z';

export type RevisionOption = (r: KObject) => void;

/** A Revision of Configuration (and Service) `config` = the name up to its first '-' (hello-00001, hello-world → hello). */
export function revision(name: string, ...opts: RevisionOption[]): KObject {
  const config = name.split('-')[0];
  const r: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name,
      namespace: NS,
      uid: `${name}-uid`,
      generation: 1,
      creationTimestamp: T0,
      labels: {
        'serving.knative.dev/configuration': config,
        'serving.knative.dev/configurationGeneration': '1',
        'serving.knative.dev/configurationUID': `${config}-cfg-uid`,
        'serving.knative.dev/service': config,
        'serving.knative.dev/serviceUID': `${config}-svc-uid`,
        'serving.knative.dev/routingState': 'pending',
      },
      annotations: { 'serving.knative.dev/routingStateModified': T0 },
      ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', name: config, uid: `${config}-cfg-uid`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containerConcurrency: 0,
      timeoutSeconds: 300,
      containers: [
        {
          name: 'user-container',
          image: 'ikubernetes/helloworld-go',
          ports: [{ containerPort: 8080 }],
          env: [{ name: 'TARGET', value: 'World' }],
          readinessProbe: { successThreshold: 1, tcpSocket: { port: 0 } },
        },
      ],
    },
  };
  for (const o of opts) o(r);
  return r;
}

export const withLabel =
  (k: string, v: string | undefined): RevisionOption =>
  (r) => {
    r.metadata.labels ??= {};
    if (v === undefined) delete r.metadata.labels[k];
    else r.metadata.labels[k] = v;
  };

export const withAnnotation =
  (k: string, v: string | undefined): RevisionOption =>
  (r) => {
    r.metadata.annotations ??= {};
    if (v === undefined) delete r.metadata.annotations[k];
    else r.metadata.annotations[k] = v;
  };

export const withRoutingState = (state: string, at = T0): RevisionOption => (r) => {
  withLabel('serving.knative.dev/routingState', state)(r);
  withAnnotation('serving.knative.dev/routingStateModified', at)(r);
};

export const withCreationTimestamp = (ts: string): RevisionOption => (r) => {
  r.metadata.creationTimestamp = ts;
};

export const withStatus = (status: Record<string, unknown>): RevisionOption => (r) => {
  r.status = structuredClone(status);
};

export const cond = (type: string, status: Condition['status'], at: string, reason?: string, message?: string, severity?: string): Condition => ({
  type,
  status,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
  ...(severity ? { severity } : {}),
});

/** A PodAutoscaler status as the KPA reconciler writes it. */
export function paStatus(o: {
  ready: Condition['status'];
  reason?: string;
  message?: string;
  initialized?: boolean;
  serviceName?: string;
  desired?: number;
  actual?: number;
  at?: string;
}): Record<string, unknown> {
  const at = o.at ?? T0;
  const active = cond('Active', o.ready, at, o.reason, o.message);
  const init = cond('ScaleTargetInitialized', o.initialized ? 'True' : 'Unknown', at);
  const s: Record<string, unknown> = {
    conditions: [active, cond('Ready', o.ready, at, o.reason, o.message), init, cond('SKSReady', o.ready === 'True' ? 'True' : 'Unknown', at)],
  };
  if (o.serviceName !== undefined) s.serviceName = o.serviceName;
  if (o.desired !== undefined) s.desiredScale = o.desired;
  if (o.actual !== undefined) s.actualScale = o.actual;
  return s;
}

export function configMap(name: string, data: Record<string, string>, rv = '1'): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'knative-serving', resourceVersion: rv }, data };
}
