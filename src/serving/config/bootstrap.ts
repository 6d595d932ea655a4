// The knative-serving config maps Skiff creates on first start, with
// Knative's defaults documented in `_example` (keys starting with `_` are
// comments, as in Knative). Existing maps are never overwritten: they are
// the user's to edit (`kubectl edit cm config-network -n knative-serving`).
import type { KObject } from '../../api/meta.js';

function example(lines: Array<[string, string, string]>): string {
  const body = lines.map(([k, v, doc]) => `    # ${doc}\n    ${k}: "${v}"`).join('\n\n');
  return `################################\n#                              #\n#    EXAMPLE CONFIGURATION     #\n#                              #\n################################\n\n# This block is not actually functional configuration,\n# but serves to illustrate the available configuration\n# options and document them in a way that is accessible\n# to users that \`kubectl edit\` this config map.\n#\n# These sample configuration options may be copied out of\n# this example block and unindented to be in the data block\n# to actually change the configuration.\n\n${body}\n`;
}

export const SERVING_CONFIG_MAPS: Record<string, Record<string, string>> = {
  'config-domain': {
    // The seed's URLs are http://{route}.{ns}.example.com; Skiff also answers {route}.{ns}.localhost.
    'example.com': '',
    _example: example([
      ['example.com', '', 'Default value for domain (empty value = default for all routes).'],
      ['example.org', 'selector:\n      app: nonprofit', 'Routes whose labels match the selector use this domain.'],
      ['svc.cluster.local', 'selector:\n      app: secret', 'Routes with this domain are only reachable inside the cluster.'],
    ]),
  },
  'config-network': {
    _example: example([
      ['ingress-class', 'istio.ingress.networking.knative.dev', 'Ingress class (embedded Skiff always uses its own gateway).'],
      ['certificate-class', 'cert-manager.certificate.networking.knative.dev', 'Certificate class.'],
      ['domain-template', '{{.Name}}.{{.Namespace}}.{{.Domain}}', 'Go template for the external host of a route.'],
      ['tag-template', '{{.Tag}}-{{.Name}}', 'Go template for the name part of a tag host.'],
      ['external-domain-tls', 'Disabled', 'Automatic TLS for external domains.'],
      ['http-protocol', 'Enabled', 'Enabled or Redirected.'],
      ['rollout-duration', '0', 'Seconds over which a new revision gradually takes its traffic (0 = at once).'],
      ['autocreate-cluster-domain-claims', 'false', 'Create ClusterDomainClaims for DomainMappings automatically.'],
      ['default-external-scheme', 'http', 'Scheme of external URLs.'],
    ]),
  },
  'config-defaults': {
    _example: example([
      ['revision-timeout-seconds', '300', 'Default request timeout of a revision.'],
      ['max-revision-timeout-seconds', '600', 'Largest timeout a revision may ask for.'],
      ['revision-response-start-timeout-seconds', '300', 'Default time until the first response byte.'],
      ['revision-idle-timeout-seconds', '0', 'Default idle timeout (0 = infinite).'],
      ['container-name-template', 'user-container', 'Name of the user container.'],
      ['container-concurrency', '0', 'Default hard concurrency limit per pod (0 = unlimited).'],
      ['container-concurrency-max-limit', '1000', 'Largest containerConcurrency allowed.'],
      ['allow-container-concurrency-zero', 'true', 'Whether containerConcurrency 0 is allowed.'],
      ['enable-service-links', 'false', 'Default for enableServiceLinks.'],
    ]),
  },
  'config-gc': {
    _example: example([
      ['retain-since-create-time', '48h', 'Revisions younger than this are kept (or "disabled").'],
      ['retain-since-last-active-time', '15h', 'Revisions active more recently than this are kept (or "disabled").'],
      ['min-non-active-revisions', '20', 'Always keep at least this many non-active revisions.'],
      ['max-non-active-revisions', '1000', 'Never keep more than this many non-active revisions (or "disabled").'],
    ]),
  },
  'config-features': {
    _example: example([
      ['multi-container', 'enabled', 'Allow more than one container per revision.'],
      ['kubernetes.podspec-volumes-emptydir', 'enabled', 'Allow emptyDir volumes.'],
      ['kubernetes.podspec-fieldref', 'disabled', 'Allow fieldRef env values.'],
      ['tag-header-based-routing', 'disabled', 'Route by the Knative-Serving-Tag header.'],
      ['autodetect-http2', 'disabled', 'Detect HTTP/2 without a port named h2c.'],
    ]),
  },
  'config-autoscaler': {
    _example: example([
      ['container-concurrency-target-percentage', '70', 'Target utilization of the concurrency target.'],
      ['container-concurrency-target-default', '100', 'Soft concurrency target per pod when containerConcurrency is 0.'],
      ['requests-per-second-target-default', '200', 'Target requests per second per pod for the rps metric.'],
      ['target-burst-capacity', '211', 'Extra capacity before the activator leaves the path (-1: always in path).'],
      ['stable-window', '60s', 'Window over which metrics are averaged.'],
      ['panic-window-percentage', '10.0', 'Panic window as a percentage of the stable window.'],
      ['panic-threshold-percentage', '200.0', 'Enter panic mode at this percentage of current capacity.'],
      ['max-scale-up-rate', '1000.0', 'Largest factor pods may grow by per evaluation.'],
      ['max-scale-down-rate', '2.0', 'Largest factor pods may shrink by per evaluation.'],
      ['enable-scale-to-zero', 'true', 'Whether idle revisions scale to zero.'],
      ['scale-to-zero-grace-period', '30s', 'How long the last pod is kept after the decision to scale to zero.'],
      ['scale-to-zero-pod-retention-period', '0s', 'Minimum time the last pod stays after traffic stops.'],
      ['pod-autoscaler-class', 'kpa.autoscaling.knative.dev', 'Default autoscaler class.'],
      ['activator-capacity', '100.0', 'Requests one activator handles.'],
      ['initial-scale', '1', 'Pods a new revision starts with.'],
      ['allow-zero-initial-scale', 'false', 'Whether initial-scale may be 0.'],
      ['min-scale', '0', 'Default minimum pods.'],
      ['max-scale', '0', 'Default maximum pods (0 = unlimited).'],
      ['scale-down-delay', '0s', 'How long scale-down decisions are held.'],
      ['max-scale-limit', '0', 'Upper limit for max-scale (0 = none).'],
    ]),
  },
  'config-deployment': {
    _example: example([
      ['progress-deadline', '600s', 'How long a new revision may take to become ready.'],
      ['registries-skipping-tag-resolving', 'kind.local,ko.local,dev.local', 'Registries whose tags are not resolved to digests.'],
    ]),
  },
};

export function servingConfigMaps(): KObject[] {
  return Object.entries(SERVING_CONFIG_MAPS).map(([name, data]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'knative-serving', labels: { 'app.kubernetes.io/name': 'knative-serving', 'app.kubernetes.io/component': 'controller' } },
    data,
  }));
}
