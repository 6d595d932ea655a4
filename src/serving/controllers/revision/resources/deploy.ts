// Revision → apps/v1 Deployment `{rev}-deployment` (Knative
// pkg/reconciler/revision/resources/deploy.go), for embedded mode:
//  - no queue-proxy sidecar (the queue lives in the data plane), so pods
//    show READY 1/1 and the user container's readiness probe stays on it,
//    probing the user port (Knative's queue-proxy would run it instead);
//  - `PORT` is the declared containerPort (or 8080), exactly as Knative sets
//    it. The node agent gives each pod its own host port for that declared
//    port, overrides PORT with it and records the mapping in the pod
//    annotation `skiff.dev/ports`, which the gateway and probes read;
//  - replicas = initial scale, progressDeadlineSeconds from the
//    `serving.knative.dev/progress-deadline` annotation or config-deployment,
//    terminationGracePeriodSeconds = timeoutSeconds;
//  - a hash of everything we set goes into the `deployment-hash` label, so the
//    reconciler updates the Deployment only when our desired shape changed
//    (API-server defaults never cause an update loop).
import { createHash } from 'node:crypto';
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { A, DEFAULT_USER_PORT, L } from '../../../../api/serving/constants.js';
import { resolveScalingSpec } from '../../../autoscaler/annotations.js';
import { deploymentName } from '../../names.js';
import { parseProgressDeadlineSeconds, type RevisionConfig } from '../config.js';
import { DEPLOYMENT_HASH_LABEL, deploymentAnnotations, makeLabels, makeSelector, podAnnotations } from './meta.js';

/** Name of the serving container's port (Knative v1.UserPortName). */
export const USER_PORT_NAME = 'user-port';

/** RevisionSpec fields that are not PodSpec fields. */
const REVISION_ONLY_FIELDS = ['containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'idleTimeoutSeconds'];

/** RevisionSpec.GetContainer: the only container, or the one declaring a port. */
export function servingContainer(rev: KObject): any | undefined {
  const cs: any[] = rev.spec?.containers ?? [];
  if (cs.length === 1) return cs[0];
  return cs.find((c) => Array.isArray(c?.ports) && c.ports.length > 0);
}

/** The port the user container listens on: its declared containerPort, else 8080. */
export function userPort(rev: KObject): number {
  const p = servingContainer(rev)?.ports?.[0]?.containerPort;
  return Number.isInteger(p) && p > 0 ? p : DEFAULT_USER_PORT;
}

/** `h2c` when the serving port is named so, else `http1` (Revision.GetProtocol). */
export function revisionProtocol(rev: KObject): 'http1' | 'h2c' {
  return servingContainer(rev)?.ports?.[0]?.name === 'h2c' ? 'h2c' : 'http1';
}

function knativeEnv(rev: KObject): Array<{ name: string; value: string }> {
  const labels = rev.metadata.labels ?? {};
  return [
    { name: 'K_REVISION', value: rev.metadata.name! },
    { name: 'K_CONFIGURATION', value: labels[L.configuration] ?? '' },
    { name: 'K_SERVICE', value: labels[L.service] ?? '' },
  ];
}

/** Probe handlers aimed at "the user port" (0 or unset) get the real one. */
function aimAtUserPort(probe: any, port: number, force: boolean): any {
  if (!probe || typeof probe !== 'object') return probe;
  const p = structuredClone(probe);
  for (const h of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    if (p[h] && typeof p[h] === 'object' && (force || !p[h].port)) p[h].port = port;
  }
  return p;
}

function isNetworkProbe(probe: any): boolean {
  return !!probe && (probe.httpGet !== undefined || probe.tcpSocket !== undefined || probe.grpc !== undefined);
}

/** The containers of the pod: the serving one with its port and PORT, sidecars with K_* env only. */
export function buildUserContainers(rev: KObject): any[] {
  const cs: any[] = rev.spec?.containers ?? [];
  const serving = servingContainer(rev);
  const port = userPort(rev);
  return cs.map((orig) => {
    const c = structuredClone(orig);
    const env: any[] = Array.isArray(c.env) ? c.env : [];
    if (orig === serving) {
      // Only one port is allowed on a revision, so replacing is safe.
      c.ports = [{ name: USER_PORT_NAME, containerPort: port }];
      c.env = [...env, { name: 'PORT', value: String(port) }, ...knativeEnv(rev)];
      // The readiness probe targets the user port (queue-proxy semantics: port 0 means "the user port").
      if (c.readinessProbe) c.readinessProbe = aimAtUserPort(c.readinessProbe, port, false);
      // Knative rewrites the liveness port to the user port unless multi-container probing allows custom ports.
      if (c.livenessProbe) c.livenessProbe = aimAtUserPort(c.livenessProbe, port, true);
    } else {
      c.env = [...env, ...knativeEnv(rev)];
      // Knative's queue-proxy only probes the serving container; network readiness probes of sidecars are dropped.
      if (isNetworkProbe(c.readinessProbe)) delete c.readinessProbe;
    }
    c.terminationMessagePolicy ??= 'FallbackToLogsOnError';
    return c;
  });
}

export function makePodSpec(rev: KObject): any {
  const spec: any = structuredClone(rev.spec ?? {});
  for (const f of REVISION_ONLY_FIELDS) delete spec[f];
  spec.containers = buildUserContainers(rev);
  if (Number.isInteger(rev.spec?.timeoutSeconds)) spec.terminationGracePeriodSeconds = rev.spec.timeoutSeconds;
  return spec;
}

/** Replicas the Deployment is created with: `initial-scale` annotation or config-autoscaler. */
export function initialReplicas(rev: KObject, cfg: RevisionConfig): number {
  return resolveScalingSpec(rev.metadata.annotations, rev.spec?.containerConcurrency ?? 0, cfg.autoscaler).initialScale;
}

/** The `serving.knative.dev/progress-deadline` annotation (whole seconds), else config-deployment. */
export function progressDeadlineSeconds(rev: KObject, cfg: RevisionConfig): number {
  const raw = rev.metadata.annotations?.[A.progressDeadline];
  if (raw !== undefined) {
    try {
      return parseProgressDeadlineSeconds(raw, { configMap: '(annotation)', key: A.progressDeadline });
    } catch {
      // The webhook rejects bad values; one that slipped through falls back to the config.
    }
  }
  return cfg.deployment.progressDeadlineSeconds;
}

/** Stable JSON: object keys sorted, undefined dropped. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val,
  );
}

/** The hash recorded in DEPLOYMENT_HASH_LABEL: over spec, annotations and labels (without the hash itself). */
export function deploymentHash(d: KObject): string {
  const { [DEPLOYMENT_HASH_LABEL]: _ignored, ...labels } = d.metadata.labels ?? {};
  const h = createHash('sha256').update(stableJson({ spec: d.spec, annotations: d.metadata.annotations ?? {}, labels })).digest();
  // 32 bits are plenty to detect change; base 36 keeps the label short, like Knative's fnv32a label.
  return h.readUInt32BE(0).toString(36);
}

export function makeDeployment(rev: KObject, cfg: RevisionConfig): KObject {
  const labels = makeLabels(rev);
  const podSpec = makePodSpec(rev);
  const d: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(rev),
      namespace: rev.metadata.namespace,
      labels: { ...labels },
      annotations: deploymentAnnotations(rev),
      ownerReferences: [makeOwnerRef(rev)],
    },
    spec: {
      replicas: initialReplicas(rev, cfg),
      selector: makeSelector(rev),
      progressDeadlineSeconds: progressDeadlineSeconds(rev, cfg),
      revisionHistoryLimit: 0,
      // Roll slowly: never take a ready pod away before its replacement is ready.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...labels }, annotations: podAnnotations(rev, servingContainer(rev)?.name) },
        spec: podSpec,
      },
    },
  };
  d.metadata.labels![DEPLOYMENT_HASH_LABEL] = deploymentHash(d);
  return d;
}
