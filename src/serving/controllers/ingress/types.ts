// The KIngress (networking.internal.knative.dev/v1alpha1 Ingress) shape the
// Route and DomainMapping reconcilers write and the data plane reads, plus
// the keys and names shared by every routing controller. Types only (and
// constants): no I/O.
import type { Condition, KObject } from '../../../api/meta.js';
import { NETWORKING_INTERNAL_GROUP } from '../../../api/serving/constants.js';

export const INGRESS_API_VERSION = `${NETWORKING_INTERNAL_GROUP}/v1alpha1`;
export const INGRESS_KIND = 'Ingress';
export const INGRESS_GR = `${NETWORKING_INTERNAL_GROUP}/ingresses`;
export const CDC_GR = `${NETWORKING_INTERNAL_GROUP}/clusterdomainclaims`;
export const CDC_API_VERSION = `${NETWORKING_INTERNAL_GROUP}/v1alpha1`;

/** Host every placeholder Service and KIngress load balancer points at: Skiff's gateway (the data plane). */
export const GATEWAY_HOST = 'skiff-gateway.knative-serving.svc.cluster.local';

/** Knative networking keys (knative.dev/networking register.go). */
export const NET = {
  ingressClass: 'networking.knative.dev/ingress.class',
  ingressClassAlt: 'networking.knative.dev/ingress-class',
  certificateClassAlt: 'networking.knative.dev/certificate-class',
  httpProtocol: 'networking.knative.dev/http-protocol',
  httpProtocolAlt: 'networking.knative.dev/httpProtocol',
  rollout: 'networking.internal.knative.dev/rollout',
  tagToHost: 'networking.internal.knative.dev/tag-to-host',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
} as const;

/** Route / DomainMapping labels put on their KIngress. */
export const ROUTE_NAMESPACE_LABEL = 'serving.knative.dev/routeNamespace';

/** Request headers the gateway sets on a split (activator.RevisionHeaderName / Namespace). */
export const REVISION_HEADER = 'Knative-Serving-Revision';
export const REVISION_NAMESPACE_HEADER = 'Knative-Serving-Namespace';
export const ORIGINAL_HOST_HEADER = 'K-Original-Host';
export const ROUTE_TAG_HEADER = 'Knative-Serving-Tag';
export const DEFAULT_ROUTE_HEADER = 'Knative-Serving-Default-Route';

export type IngressVisibility = 'ExternalIP' | 'ClusterLocal';
export type HTTPOption = 'Enabled' | 'Redirected';

export interface IngressBackendSplit {
  serviceNamespace: string;
  serviceName: string;
  servicePort: number;
  percent: number;
  appendHeaders?: Record<string, string>;
}

export interface HTTPIngressPath {
  path?: string;
  rewriteHost?: string;
  headers?: Record<string, { exact: string }>;
  splits: IngressBackendSplit[];
  appendHeaders?: Record<string, string>;
}

export interface IngressRule {
  hosts: string[];
  visibility: IngressVisibility;
  http: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts: string[];
  secretName: string;
  secretNamespace: string;
}

export interface IngressSpec {
  rules: IngressRule[];
  tls?: IngressTLS[];
  httpOption?: HTTPOption;
}

export interface LoadBalancerIngressStatus {
  ip?: string;
  domain?: string;
  domainInternal?: string;
  meshOnly?: boolean;
}

export interface IngressStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  publicLoadBalancer?: { ingress: LoadBalancerIngressStatus[] };
  privateLoadBalancer?: { ingress: LoadBalancerIngressStatus[] };
  [k: string]: unknown;
}

export interface KIngress extends KObject {
  spec: IngressSpec;
  status?: IngressStatus;
}

/** Knative's Ingress.IsReady: the current generation was observed and Ready is True. */
export function isIngressReady(ing: KObject): boolean {
  const st = ing.status as IngressStatus | undefined;
  return st?.observedGeneration === ing.metadata.generation && !!st?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Stable codes of the routing controllers' reconcile failures. */
export type RoutingErrorCode =
  | 'SKIFF_ERR_ROUTING_CHILD_WRITE' // creating/updating a KIngress, placeholder Service or ClusterDomainClaim failed
  | 'SKIFF_ERR_ROUTING_NOT_OWNED'; // a child's name is taken by an object we do not control

/** A reconcile failure of the Route / DomainMapping controllers; retried with backoff. `cause` is the API error. */
export class RoutingError extends Error {
  constructor(
    readonly code: RoutingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RoutingError';
  }
}

/** `failed to <what>: <cause message>` as a RoutingError keeping the cause. */
export function childWriteError(what: string, err: unknown): RoutingError {
  return new RoutingError('SKIFF_ERR_ROUTING_CHILD_WRITE', `failed to ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
