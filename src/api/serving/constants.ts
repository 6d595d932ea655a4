// Knative Serving label and annotation keys (pkg/apis/serving/register.go,
// knative.dev/networking register.go) and fixed names.
export const SERVING_GROUP = 'serving.knative.dev';
export const NETWORKING_INTERNAL_GROUP = 'networking.internal.knative.dev';
export const AUTOSCALING_INTERNAL_GROUP = 'autoscaling.internal.knative.dev';

export const L = {
  service: 'serving.knative.dev/service',
  serviceUID: 'serving.knative.dev/serviceUID',
  configuration: 'serving.knative.dev/configuration',
  configurationUID: 'serving.knative.dev/configurationUID',
  configurationGeneration: 'serving.knative.dev/configurationGeneration',
  revision: 'serving.knative.dev/revision',
  revisionUID: 'serving.knative.dev/revisionUID',
  route: 'serving.knative.dev/route',
  routingState: 'serving.knative.dev/routingState',
  visibility: 'networking.knative.dev/visibility',
  domainMappingUID: 'serving.knative.dev/domainMappingUID',
  domainMappingNamespace: 'serving.knative.dev/domainMappingNamespace',
} as const;

export const A = {
  routes: 'serving.knative.dev/routes',
  routingStateModified: 'serving.knative.dev/routingStateModified',
  creator: 'serving.knative.dev/creator',
  lastModifier: 'serving.knative.dev/lastModifier',
  rolloutDuration: 'serving.knative.dev/rollout-duration',
  rolloutDurationLegacy: 'serving.knative.dev/rolloutDuration',
  progressDeadline: 'serving.knative.dev/progress-deadline',
  noGC: 'serving.knative.dev/no-gc',
  lastPinned: 'serving.knative.dev/lastPinned',
} as const;

export const CLUSTER_LOCAL = 'cluster-local';
export const RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];
export const RESERVED_PORTS = [8012, 8013, 8022, 9090, 9091, 8008];
export const RESERVED_CONTAINER_NAMES = ['queue-proxy'];
export const RESERVED_MOUNT_PATHS = ['/', '/dev', '/dev/log', '/tmp', '/var', '/var/log'];
export const DEFAULT_USER_PORT = 8080;
