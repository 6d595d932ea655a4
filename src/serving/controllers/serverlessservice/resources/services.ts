// Pure builders for the ServerlessService's Kubernetes Services
// (pkg/reconciler/serverlessservice/resources/services.go): the public
// Service `{rev}` (selector-less; its endpoints are the pods in Serve mode and
// the activator in Proxy mode — in embedded mode the data plane applies that
// from the SKS mode, so no Endpoints object is written) and the private
// Service `{rev}-private` selecting the revision's pods, with Knative's port
// names and numbers so `kubectl get svc` reads as on a cluster:
//   hello-world           ClusterIP  …  80/TCP
//   hello-world-private   ClusterIP  …  80/TCP,9090/TCP,9091/TCP,8022/TCP,8012/TCP
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { NETWORKING_INTERNAL_GROUP } from '../../../../api/serving/constants.js';
import { privateServiceName, publicServiceName } from './names.js';

export const SKS_API_VERSION = `${NETWORKING_INTERNAL_GROUP}/v1alpha1`;
export const SKS_KIND = 'ServerlessService';
export const SKS_GR = `${NETWORKING_INTERNAL_GROUP}/serverlessservices`;
export const SERVICES_GR = 'core/services';

/** Labels Knative puts on the SKS's Services. */
export const SKS_LABEL = `${NETWORKING_INTERNAL_GROUP}/serverlessservice`;
export const SERVICE_TYPE_LABEL = `${NETWORKING_INTERNAL_GROUP}/serviceType`;
export type ServiceType = 'Public' | 'Private';

/** Ports (pkg/networking/constants.go, networking ports.go). */
export const BACKEND_HTTP_PORT = 8012;
export const BACKEND_HTTP2_PORT = 8013;
export const SERVICE_HTTP_PORT = 80;
export const SERVICE_HTTP2_PORT = 81;
export const AUTOSCALING_QUEUE_METRICS_PORT = 9090;
export const USER_QUEUE_METRICS_PORT = 9091;
export const QUEUE_ADMIN_PORT = 8022;
export const AUTOSCALING_QUEUE_METRICS_PORT_NAME = 'http-autometric';
export const USER_QUEUE_METRICS_PORT_NAME = 'http-usermetric';
export const QUEUE_ADMIN_PORT_NAME = 'http-queueadm';

export type SksMode = 'Serve' | 'Proxy';
export type ProtocolType = 'http1' | 'h2c';

export interface ServerlessServiceSpec {
  /** The scale target (the revision's Deployment). */
  objectRef: { apiVersion: string; kind: string; name: string };
  mode: SksMode;
  /** Activators to place in the path; 0 = all. */
  numActivators?: number;
  protocolType?: ProtocolType;
}

export interface ServerlessService extends KObject {
  spec: ServerlessServiceSpec;
  status?: {
    conditions?: KObject['status'];
    observedGeneration?: number;
    serviceName?: string;
    privateServiceName?: string;
    [k: string]: unknown;
  };
}

export interface ServicePort {
  name: string;
  protocol: 'TCP';
  port: number;
  targetPort: number | string;
}

function isH2c(sks: ServerlessService): boolean {
  return sks.spec?.protocolType === 'h2c';
}

/** `http` or `http2` (networking.ServicePortName). */
export function servicePortName(sks: ServerlessService): string {
  return isH2c(sks) ? 'http2' : 'http';
}

/** The queue port traffic is sent to: 8012, or 8013 for h2c. */
export function backendPort(sks: ServerlessService): number {
  return isH2c(sks) ? BACKEND_HTTP2_PORT : BACKEND_HTTP_PORT;
}

function childLabels(sks: ServerlessService, type: ServiceType): Record<string, string> {
  return { ...(sks.metadata.labels ?? {}), [SKS_LABEL]: sks.metadata.name!, [SERVICE_TYPE_LABEL]: type };
}

function childMeta(sks: ServerlessService, name: string, type: ServiceType): KObject['metadata'] {
  return {
    name,
    namespace: sks.metadata.namespace,
    labels: childLabels(sks, type),
    annotations: { ...(sks.metadata.annotations ?? {}) },
    ownerReferences: [makeOwnerRef(sks)],
  };
}

export function publicServicePorts(sks: ServerlessService): ServicePort[] {
  return [{ name: servicePortName(sks), protocol: 'TCP', port: isH2c(sks) ? SERVICE_HTTP2_PORT : SERVICE_HTTP_PORT, targetPort: backendPort(sks) }];
}

export function privateServicePorts(sks: ServerlessService): ServicePort[] {
  const name = servicePortName(sks);
  const target = backendPort(sks);
  return [
    // Matches the public port: the queue port.
    { name, protocol: 'TCP', port: SERVICE_HTTP_PORT, targetPort: target },
    { name: AUTOSCALING_QUEUE_METRICS_PORT_NAME, protocol: 'TCP', port: AUTOSCALING_QUEUE_METRICS_PORT, targetPort: AUTOSCALING_QUEUE_METRICS_PORT_NAME },
    { name: USER_QUEUE_METRICS_PORT_NAME, protocol: 'TCP', port: USER_QUEUE_METRICS_PORT, targetPort: USER_QUEUE_METRICS_PORT_NAME },
    // Knative exposes the queue's admin port for Istio's sake (the /wait-for-drain pre-stop hook).
    { name: QUEUE_ADMIN_PORT_NAME, protocol: 'TCP', port: QUEUE_ADMIN_PORT, targetPort: QUEUE_ADMIN_PORT },
    // The queue port mirrored as a service port (Istio pod-addressability).
    { name: `${name}-istio`, protocol: 'TCP', port: target, targetPort: target },
  ];
}

/** The public Service `{sks}`: ClusterIP, no selector. */
export function makePublicService(sks: ServerlessService): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(sks, publicServiceName(sks.metadata.name!), 'Public'),
    spec: { type: 'ClusterIP', ports: publicServicePorts(sks) },
  };
}

/** The private Service `{sks}-private`, selecting the scale target's pods. */
export function makePrivateService(sks: ServerlessService, selector: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(sks, privateServiceName(sks.metadata.name!), 'Private'),
    spec: { type: 'ClusterIP', ports: privateServicePorts(sks), selector: { ...selector } },
  };
}

/** Ports as the API stores them (name, protocol, port, targetPort), for comparing desired with actual. */
export function normalizePorts(ports: unknown): ServicePort[] {
  if (!Array.isArray(ports)) return [];
  return ports.map((p) => ({
    name: p?.name ?? '',
    protocol: p?.protocol ?? 'TCP',
    port: p?.port,
    targetPort: p?.targetPort ?? p?.port,
  }));
}
