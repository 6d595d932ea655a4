// DomainMapping reconciler table tests: claims (absent / someone else's /
// ours / autocreated), reference kinds, TLS, the KIngress, finalization.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { makeClusterDomainClaim } from '../clusterdomainclaim/claims.js';
import { CDC_GR, INGRESS_GR, type KIngress } from '../ingress/types.js';
import { routingConfigFromData, staticRoutingConfig } from '../route/config-store.js';
import { cond, domainMapping, ksvc, NS, T0 } from '../route/testing/fixtures.js';
import { DOMAINMAPPING_GR, newDomainMappingReconciler } from './reconciler.js';
import { makeDomainMappingIngress } from './resources/ingress.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const FIN = ['domainmappings.serving.knative.dev'];
const DOMAIN = 'hello.magedu.com';
const cfg = routingConfigFromData({ domain: { 'example.com': '' } });
const autocreate = routingConfigFromData({ domain: { 'example.com': '' }, network: { 'autocreate-cluster-domain-claims': 'true' } });

type C = [type: string, status: Condition['status'], reason?: string, message?: string, at?: string];
function status(conds: C[], o: { url?: string; gen?: number } = {}): KObject['status'] {
  const url = o.url ?? `http://${DOMAIN}`;
  return {
    observedGeneration: o.gen ?? 1,
    url,
    address: { url },
    conditions: conds.map(([t, s, r, m, at]) => cond(t, s, r, m, at ?? T1)).sort((a, b) => (a.type < b.type ? -1 : 1)),
  };
}

const ALREADY: [string, string] = ['DomainAlreadyClaimed', 'The domain name is already in use by another DomainMapping'];
const NOT_CONFIGURED: [string, string] = ['IngressNotConfigured', 'Ingress has not yet been reconciled.'];
const TLS: C = ['CertificateProvisioned', 'True', 'TLSNotEnabled', 'external-domain-tls is not enabled'];

/** The seed's `kn domain describe` before the ClusterDomainClaim exists. */
const unclaimedStatus = status([
  ['CertificateProvisioned', 'Unknown'],
  ['DomainClaimed', 'False', ...ALREADY],
  ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
  ['ReferenceResolved', 'Unknown'],
  ['Ready', 'False', ...ALREADY],
]);

const dm = (o: Parameters<typeof domainMapping>[2] = {}, ref: Parameters<typeof domainMapping>[1] = { name: 'hello' }) => domainMapping(DOMAIN, ref, { finalizers: FIN, ...o });
const claim = (ns = NS): KObject => ({ ...makeClusterDomainClaim(dm()), spec: { namespace: ns } });
const dmIngress = (d: KObject = dm(), host = 'hello.default.svc.cluster.local', backend = 'hello'): KIngress =>
  makeDomainMappingIngress(d, { backendServiceName: backend, targetHost: host, ingressClass: 'istio.ingress.networking.knative.dev', httpOption: 'Enabled' });
const served = (ing: KIngress): KIngress => ({
  ...ing,
  metadata: { ...ing.metadata, generation: 1 },
  status: { observedGeneration: 1, conditions: [cond('LoadBalancerReady', 'True'), cond('NetworkConfigured', 'True'), cond('Ready', 'True')] },
});
const waitingIngressStatus = status([TLS, ['DomainClaimed', 'True'], ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['ReferenceResolved', 'True'], ['Ready', 'Unknown', ...NOT_CONFIGURED]]);
const resolveFailed = (msg: string) =>
  status([TLS, ['DomainClaimed', 'True'], ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['ReferenceResolved', 'False', 'ResolveFailed', msg], ['Ready', 'False', 'ResolveFailed', msg]]);

const rows: TableRow[] = [
  {
    name: 'first reconcile adds the finalizer; no ClusterDomainClaim and no autocreate → DomainAlreadyClaimed (as the seed shows)',
    key: `${NS}/${DOMAIN}`,
    objects: [domainMapping(DOMAIN, { name: 'hello' }), ksvc('hello')],
    wantPatches: [{ namespace: NS, name: DOMAIN, patch: { metadata: { finalizers: FIN } } }],
    wantEvents: ['Warning DomainAlreadyClaimed no ClusterDomainClaim found for domain "hello.magedu.com" (and autocreate-cluster-domain-claims property is not true)'],
    // Status is written against the object the finalizer patch returned (resourceVersion 3: two seeds, one patch).
    wantStatusUpdates: [{ ...dm(), metadata: { ...dm().metadata, resourceVersion: '3' }, status: unclaimedStatus }],
    postConditions: (ctx) => {
      assert.deepEqual(ctx.client.peek(DOMAINMAPPING_GR, NS, DOMAIN)!.metadata.finalizers, FIN);
    },
  },
  {
    name: 'the claim belongs to another namespace → DomainAlreadyClaimed',
    key: `${NS}/${DOMAIN}`,
    objects: [dm(), ksvc('hello'), claim('other')],
    wantStatusUpdates: [{ ...dm(), status: unclaimedStatus }],
    wantEvents: ['Warning DomainAlreadyClaimed namespace "default" does not own ClusterDomainClaim for "hello.magedu.com"'],
  },
  {
    name: 'our claim + a Knative Service with an address: KIngress for the domain rewriting to the service host',
    key: `${NS}/${DOMAIN}`,
    objects: [dm(), ksvc('hello'), claim()],
    wantCreates: [dmIngress()],
    wantStatusUpdates: [{ ...dm(), status: waitingIngressStatus }],
    wantEvents: ['Normal Created Created Ingress "hello.magedu.com"'],
    postConditions: (ctx) => {
      const ing = ctx.client.creates(INGRESS_GR)[0] as KIngress;
      assert.deepEqual(ing.spec.rules, [
        {
          hosts: ['hello.magedu.com'],
          visibility: 'ExternalIP',
          http: {
            paths: [
              {
                rewriteHost: 'hello.default.svc.cluster.local',
                splits: [{ serviceNamespace: 'default', serviceName: 'hello', servicePort: 80, percent: 100, appendHeaders: { 'K-Original-Host': 'hello.magedu.com' } }],
              },
            ],
          },
        },
      ]);
      assert.equal(ing.metadata.labels!['serving.knative.dev/domainMappingUID'], 'uid-dm-hello.magedu.com');
      assert.equal(ing.metadata.ownerReferences![0].kind, 'DomainMapping');
    },
  },
  {
    name: 'the KIngress is served: every condition True, CertificateProvisioned TLSNotEnabled (the seed after the CDC)',
    key: `${NS}/${DOMAIN}`,
    objects: [dm({ status: waitingIngressStatus }), ksvc('hello'), claim(), served(dmIngress())],
    wantStatusUpdates: [{ ...dm(), status: status([TLS, ['DomainClaimed', 'True'], ['IngressReady', 'True'], ['ReferenceResolved', 'True'], ['Ready', 'True']]) }],
  },
  {
    name: 'steady state: no writes',
    key: `${NS}/${DOMAIN}`,
    objects: [dm({ status: status([['CertificateProvisioned', 'True', 'TLSNotEnabled', 'external-domain-tls is not enabled', T0], ['DomainClaimed', 'True', , , T0], ['IngressReady', 'True', , , T0], ['ReferenceResolved', 'True', , , T0], ['Ready', 'True', , , T0]]) }), ksvc('hello'), claim(), served(dmIngress())],
  },
  {
    name: 'a Route ref resolves to the route address',
    key: `${NS}/${DOMAIN}`,
    objects: [
      dm({}, { kind: 'Route', name: 'hello' }),
      { apiVersion: 'serving.knative.dev/v1', kind: 'Route', metadata: { name: 'hello', namespace: NS }, status: { address: { url: 'http://hello.default.svc.cluster.local' } } },
      claim(),
    ],
    wantCreates: [dmIngress(dm({}, { kind: 'Route', name: 'hello' }))],
    wantStatusUpdates: [{ ...dm({}, { kind: 'Route', name: 'hello' }), status: waitingIngressStatus }],
    wantEvents: ['Normal Created Created Ingress "hello.magedu.com"'],
  },
  {
    name: 'a v1 Service ref resolves to {name}.{ns}.svc.cluster.local',
    key: `${NS}/${DOMAIN}`,
    objects: [
      dm({}, { apiVersion: 'v1', kind: 'Service', name: 'event-display' }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'event-display', namespace: NS }, spec: { ports: [{ port: 80 }] } },
      claim(),
    ],
    wantCreates: [dmIngress(dm({}, { apiVersion: 'v1', kind: 'Service', name: 'event-display' }), 'event-display.default.svc.cluster.local', 'event-display')],
    wantStatusUpdates: [{ ...dm({}, { apiVersion: 'v1', kind: 'Service', name: 'event-display' }), status: waitingIngressStatus }],
    wantEvents: ['Normal Created Created Ingress "hello.magedu.com"'],
  },
  {
    name: 'a missing target → ReferenceResolved False ResolveFailed (tracked, no retry)',
    key: `${NS}/${DOMAIN}`,
    objects: [dm(), claim()],
    wantStatusUpdates: [{ ...dm(), status: resolveFailed('failed to get object default/hello: services.serving.knative.dev "hello" not found') }],
    wantEvents: ['Warning ResolveFailed resolving reference: failed to get object default/hello: services.serving.knative.dev "hello" not found'],
  },
  {
    name: 'a Knative Service without an address yet → ResolveFailed address not set',
    key: `${NS}/${DOMAIN}`,
    objects: [dm(), ksvc('hello', { address: '' }), claim()],
    wantStatusUpdates: [{ ...dm(), status: resolveFailed('address not set for Service default/hello (serving.knative.dev/v1)') }],
    wantEvents: ['Warning ResolveFailed resolving reference: address not set for Service default/hello (serving.knative.dev/v1)'],
  },
  {
    name: 'a target whose address is in another namespace, or is not a cluster-local service host, is refused',
    key: `${NS}/${DOMAIN}`,
    objects: [dm(), ksvc('hello', { address: 'http://hello.other.svc.cluster.local' }), claim()],
    wantStatusUpdates: [{ ...dm(), status: resolveFailed('resolved URI "http://hello.other.svc.cluster.local" must be in same namespace as DomainMapping') }],
    wantEvents: ['Warning ResolveFailed resolving reference: resolved URI "http://hello.other.svc.cluster.local" must be in same namespace as DomainMapping'],
  },
  {
    name: 'an unsupported ref kind → ResolveFailed naming the kinds that work',
    key: `${NS}/${DOMAIN}`,
    objects: [dm({}, { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' }), claim()],
    wantStatusUpdates: [
      {
        ...dm({}, { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' }),
        status: resolveFailed('Broker.eventing.knative.dev/v1 default/default is not an Addressable Skiff can map a domain to (use a Knative Service, a Route or a v1 Service)'),
      },
    ],
    wantEvents: ['Warning ResolveFailed resolving reference: Broker.eventing.knative.dev/v1 default/default is not an Addressable Skiff can map a domain to (use a Knative Service, a Route or a v1 Service)'],
  },
  {
    name: 'a TLS secret in the spec: https URL, CertificateProvisioned CertificateExternallyProvided, TLS on the KIngress',
    key: `${NS}/${DOMAIN}`,
    objects: [dm({ tls: 'hello-cert' }), ksvc('hello'), claim()],
    wantCreates: [
      makeDomainMappingIngress(dm({ tls: 'hello-cert' }), {
        backendServiceName: 'hello',
        targetHost: 'hello.default.svc.cluster.local',
        ingressClass: 'istio.ingress.networking.knative.dev',
        httpOption: 'Enabled',
        tls: [{ hosts: [DOMAIN], secretName: 'hello-cert', secretNamespace: NS }],
      }),
    ],
    wantStatusUpdates: [
      {
        ...dm({ tls: 'hello-cert' }),
        status: status(
          [
            ['CertificateProvisioned', 'True', 'CertificateExternallyProvided', 'TLS certificate was provided externally'],
            ['DomainClaimed', 'True'],
            ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
            ['ReferenceResolved', 'True'],
            ['Ready', 'Unknown', ...NOT_CONFIGURED],
          ],
          { url: `https://${DOMAIN}` },
        ),
      },
    ],
    wantEvents: ['Normal Created Created Ingress "hello.magedu.com"'],
  },
];

describe('DomainMapping reconciler (table)', () => {
  runTable(rows, (ctx) => newDomainMappingReconciler({ ...ctx, config: staticRoutingConfig(cfg) }), { now: NOW });
});

describe('DomainMapping reconciler with autocreate-cluster-domain-claims: "true"', () => {
  runTable(
    [
      {
        name: 'no claim yet: the ClusterDomainClaim is created (no owner, no labels) and the mapping proceeds',
        key: `${NS}/hi.magedu.com`,
        objects: [domainMapping('hi.magedu.com', { kind: 'Route', name: 'hello' }, { finalizers: FIN }), { apiVersion: 'serving.knative.dev/v1', kind: 'Route', metadata: { name: 'hello', namespace: NS }, status: { address: { url: 'http://hello.default.svc.cluster.local' } } }],
        wantCreates: [
          { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'ClusterDomainClaim', metadata: { name: 'hi.magedu.com' }, spec: { namespace: NS } },
          makeDomainMappingIngress(domainMapping('hi.magedu.com', { kind: 'Route', name: 'hello' }, { finalizers: FIN }), {
            backendServiceName: 'hello',
            targetHost: 'hello.default.svc.cluster.local',
            ingressClass: 'istio.ingress.networking.knative.dev',
            httpOption: 'Enabled',
          }),
        ],
        wantStatusUpdates: [
          {
            ...domainMapping('hi.magedu.com', { kind: 'Route', name: 'hello' }, { finalizers: FIN }),
            status: { ...waitingIngressStatus, url: 'http://hi.magedu.com', address: { url: 'http://hi.magedu.com' } },
          },
        ],
        wantEvents: ['Normal Created Created Ingress "hi.magedu.com"'],
      },
      {
        name: 'someone else’s claim is never taken over, even with autocreate',
        key: `${NS}/${DOMAIN}`,
        objects: [dm(), ksvc('hello'), claim('other')],
        wantStatusUpdates: [{ ...dm(), status: unclaimedStatus }],
        wantEvents: ['Warning DomainAlreadyClaimed namespace "default" does not own ClusterDomainClaim for "hello.magedu.com"'],
      },
      {
        name: 'deleting the mapping deletes the claim we hold, then drops the finalizer',
        key: `${NS}/${DOMAIN}`,
        objects: [{ ...dm(), metadata: { ...dm().metadata, deletionTimestamp: T0 } }, claim()],
        wantDeletes: [{ gr: CDC_GR, namespace: undefined, name: DOMAIN }],
        wantPatches: [{ namespace: NS, name: DOMAIN, patch: { metadata: { finalizers: [] } } }],
      },
      {
        name: 'deleting a mapping whose claim is another namespace’s leaves the claim alone',
        key: `${NS}/${DOMAIN}`,
        objects: [{ ...dm(), metadata: { ...dm().metadata, deletionTimestamp: T0 } }, claim('other')],
        wantPatches: [{ namespace: NS, name: DOMAIN, patch: { metadata: { finalizers: [] } } }],
      },
    ],
    (ctx) => newDomainMappingReconciler({ ...ctx, config: staticRoutingConfig(autocreate) }),
    { now: NOW },
  );
});
