// Route reconciler table tests (knative's route/table_test.go style) and a
// stepped gradual-rollout run with a fake clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, KObject } from '../../../api/meta.js';
import type { TrafficTarget } from '../../../api/serving/traffic.js';
import { runTable, setupRow, settle, type TableRow } from '../../../controller/testing/table.js';
import { INGRESS_GR, type KIngress } from '../ingress/types.js';
import { routingConfigFromData, staticRoutingConfig } from './config-store.js';
import { newRouteReconciler, SERVICE_GR, ROUTE_GR, CONFIGURATION_GR } from './reconciler.js';
import { makeIngress } from './resources/ingress.js';
import { makePlaceholderService } from './resources/service.js';
import { cond, configuration, NS, revision, route, T0 } from './testing/fixtures.js';
import { buildRollout } from './traffic/rollout.js';
import { buildTrafficConfig } from './traffic/traffic.js';
import { resolveVisibility } from './visibility.js';
import type { RoutingConfig } from './resources/domains.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const cfg = routingConfigFromData({ domain: { 'example.com': '' } });

type C = [type: string, status: Condition['status'], reason?: string, message?: string, at?: string];
const TLS: C = ['CertificateProvisioned', 'True', 'TLSNotEnabled', 'external-domain-tls is not enabled'];
const TLS0: C = ['CertificateProvisioned', 'True', 'TLSNotEnabled', 'external-domain-tls is not enabled', T0];
const NOT_CONFIGURED: [string, string] = ['IngressNotConfigured', 'Ingress has not yet been reconciled.'];

function status(o: { url?: string; address?: boolean; traffic?: TrafficTarget[]; conds: C[]; gen?: number; name?: string }): KObject['status'] {
  const s: KObject['status'] = {
    observedGeneration: o.gen ?? 1,
    conditions: o.conds
      .map(([type, st, reason, message, at]) => cond(type, st, reason, message, at ?? T1))
      .sort((a, b) => (a.type < b.type ? -1 : 1)),
  };
  if (o.url !== undefined) s.url = o.url;
  if (o.address) s.address = { url: `http://${o.name ?? 'hello'}.default.svc.cluster.local` };
  if (o.traffic) s.traffic = o.traffic;
  return s;
}

/** The KIngress and placeholder Services the reconciler would make (builders are tested on their own). */
function children(r: KObject, objs: KObject[], c: RoutingConfig = cfg) {
  const by = (kind: string) => new Map(objs.filter((o) => o.kind === kind).map((o) => [o.metadata.name!, o]));
  const { config } = buildTrafficConfig(r, { configuration: (n) => by('Configuration').get(n), revision: (n) => by('Revision').get(n) });
  const vis = resolveVisibility(c, r, new Map());
  const ingress = makeIngress(c, r, config, vis, buildRollout(config.targets));
  const services = [...config.targets.keys()].sort().map((tag) => makePlaceholderService(c, r, tag));
  return { ingress, services };
}

function readyIngress(ing: KIngress, gen = 1, ready: Condition['status'] = 'True'): KIngress {
  const lb = { ingress: [{ domainInternal: 'skiff-gateway.knative-serving.svc.cluster.local' }] };
  return {
    ...ing,
    metadata: { ...ing.metadata, generation: gen, uid: `uid-ing-${ing.metadata.name}` },
    status: {
      observedGeneration: gen,
      conditions: [cond('LoadBalancerReady', ready, ready === 'True' ? undefined : 'Uninitialized', ready === 'True' ? undefined : 'Waiting for load balancer to be ready'), cond('NetworkConfigured', 'True'), cond('Ready', ready, ready === 'True' ? undefined : 'Uninitialized', ready === 'True' ? undefined : 'Waiting for load balancer to be ready')],
      ...(ready === 'True' ? { publicLoadBalancer: lb, privateLoadBalancer: lb } : {}),
    },
  };
}

const withUid = (o: KObject, uid: string): KObject => ({ ...o, metadata: { ...o.metadata, uid } });

// ---- the world of the seed: hello-00001..3 of Configuration hello ----
const rev1 = revision('hello-00001');
const rev2 = revision('hello-00002');
const rev3 = revision('hello-00003');
const cfgReady = configuration('hello', { latestReady: 'hello-00001' });
const latestRoute = route('hello', [{ configurationName: 'hello', percent: 100 }]);
const latestKids = children(latestRoute, [cfgReady, rev1]);
const readyStatus = status({
  url: 'http://hello.default.example.com',
  address: true,
  traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
  conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'True', , , T0], ['Ready', 'True', , , T0]],
});

const splitRoute = route('hello', [
  { revisionName: 'hello-00002', percent: 90 },
  { revisionName: 'hello-00001', percent: 10 },
  { configurationName: 'hello', percent: 0, tag: 'staging' },
]);
const splitWorld = [configuration('hello', { latestReady: 'hello-00003' }), rev1, rev2, rev3];
const splitKids = children(splitRoute, splitWorld);

const rows: TableRow[] = [
  {
    name: 'route that no longer exists: nothing to do',
    key: 'default/gone',
  },
  {
    name: 'first reconcile: configuration target resolved, placeholder Service and KIngress created, waiting for the ingress',
    key: 'default/hello',
    objects: [latestRoute, cfgReady, rev1],
    wantCreates: [...latestKids.services, latestKids.ingress],
    wantStatusUpdates: [
      {
        ...latestRoute,
        status: status({
          url: 'http://hello.default.example.com',
          address: true,
          traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
          conds: [['AllTrafficAssigned', 'True'], TLS, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]],
        }),
      },
    ],
    wantEvents: ['Normal Created Created placeholder service "hello"', 'Normal Created Created Ingress "hello"'],
  },
  {
    name: 'creating the KIngress fails: CreationFailed event, coded error for retry, status still says why we wait',
    key: 'default/hello',
    objects: [latestRoute, cfgReady, rev1],
    withClient: (c) => c.induceFailure('create', INGRESS_GR),
    wantErr: 'failed to create Ingress: inducing failure for create ingresses',
    wantCreates: [...latestKids.services, latestKids.ingress],
    wantStatusUpdates: [
      {
        ...latestRoute,
        status: status({
          url: 'http://hello.default.example.com',
          address: true,
          traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
          conds: [['AllTrafficAssigned', 'True'], TLS, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]],
        }),
      },
    ],
    wantEvents: [
      'Normal Created Created placeholder service "hello"',
      'Warning CreationFailed Failed to create Ingress: inducing failure for create ingresses',
      'Warning InternalError failed to create Ingress: inducing failure for create ingresses',
    ],
    postConditions: (_ctx, outcome) => {
      assert.equal((outcome.error as { code?: string }).code, 'SKIFF_ERR_ROUTING_CHILD_WRITE');
    },
  },
  {
    name: 'KIngress became ready: IngressReady and Ready turn True',
    key: 'default/hello',
    objects: [
      { ...latestRoute, status: { ...readyStatus, conditions: [cond('AllTrafficAssigned', 'True'), cond('CertificateProvisioned', 'True', 'TLSNotEnabled', 'external-domain-tls is not enabled'), cond('IngressReady', 'Unknown', ...NOT_CONFIGURED), cond('Ready', 'Unknown', ...NOT_CONFIGURED)] } },
      cfgReady,
      rev1,
      withUid(latestKids.services[0], 'svc-uid'),
      readyIngress(latestKids.ingress),
    ],
    wantStatusUpdates: [{ ...latestRoute, status: { ...readyStatus, conditions: status({ conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'True'], ['Ready', 'True']] }).conditions } }],
  },
  {
    name: 'steady state: no writes, no events',
    key: 'default/hello',
    objects: [{ ...latestRoute, status: readyStatus }, cfgReady, rev1, latestKids.services[0], readyIngress(latestKids.ingress)],
  },
  {
    name: 'KIngress not yet programmed: IngressReady mirrors its Unknown Ready',
    key: 'default/hello',
    objects: [{ ...latestRoute, status: readyStatus }, cfgReady, rev1, latestKids.services[0], readyIngress(latestKids.ingress, 1, 'Unknown')],
    wantStatusUpdates: [
      {
        ...latestRoute,
        status: {
          ...readyStatus,
          conditions: status({
            conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'Unknown', 'Uninitialized', 'Waiting for load balancer to be ready'], ['Ready', 'Unknown', 'Uninitialized', 'Waiting for load balancer to be ready']],
          }).conditions,
        },
      },
    ],
  },
  {
    name: 'waiting: the configuration has no ready revision yet → AllTrafficAssigned Unknown RevisionMissing, nothing created',
    key: 'default/hello',
    objects: [latestRoute, configuration('hello')],
    wantStatusUpdates: [
      {
        ...latestRoute,
        status: status({
          url: 'http://hello.default.example.com',
          conds: [
            ['AllTrafficAssigned', 'Unknown', 'RevisionMissing', 'Configuration "hello" is waiting for a Revision to become ready.'],
            ['CertificateProvisioned', 'Unknown'],
            ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
            ['Ready', 'Unknown', 'RevisionMissing', 'Configuration "hello" is waiting for a Revision to become ready.'],
          ],
        }),
      },
    ],
  },
  {
    name: 'waiting: a named revision that is not ready yet',
    key: 'default/hello',
    objects: [route('hello', [{ revisionName: 'hello-00001', percent: 100 }]), cfgReady, revision('hello-00001', { ready: 'Unknown' })],
    wantStatusUpdates: [
      {
        ...route('hello', [{ revisionName: 'hello-00001', percent: 100 }]),
        status: status({
          url: 'http://hello.default.example.com',
          conds: [
            ['AllTrafficAssigned', 'Unknown', 'RevisionMissing', 'Revision "hello-00001" is not yet ready.'],
            ['CertificateProvisioned', 'Unknown'],
            ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
            ['Ready', 'Unknown', 'RevisionMissing', 'Revision "hello-00001" is not yet ready.'],
          ],
        }),
      },
    ],
  },
  {
    name: 'failed: the configuration never got a ready revision → False RevisionMissing',
    key: 'default/hello',
    objects: [latestRoute, configuration('hello', { ready: 'False' })],
    wantStatusUpdates: [
      {
        ...latestRoute,
        status: status({
          url: 'http://hello.default.example.com',
          conds: [
            ['AllTrafficAssigned', 'False', 'RevisionMissing', 'Configuration "hello" does not have any ready Revision.'],
            ['CertificateProvisioned', 'Unknown'],
            ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
            ['Ready', 'False', 'RevisionMissing', 'Configuration "hello" does not have any ready Revision.'],
          ],
        }),
      },
    ],
  },
  {
    name: 'missing configuration → False ConfigurationMissing',
    key: 'default/hello',
    objects: [route('hello', [{ configurationName: 'nope', percent: 100 }])],
    wantStatusUpdates: [
      {
        ...route('hello', [{ configurationName: 'nope', percent: 100 }]),
        status: status({
          url: 'http://hello.default.example.com',
          conds: [
            ['AllTrafficAssigned', 'False', 'ConfigurationMissing', 'Configuration "nope" referenced in traffic not found.'],
            ['CertificateProvisioned', 'Unknown'],
            ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
            ['Ready', 'False', 'ConfigurationMissing', 'Configuration "nope" referenced in traffic not found.'],
          ],
        }),
      },
    ],
  },
  {
    name: 'a failed new revision never gets traffic: the route stays on the latest ready one (no writes)',
    key: 'default/hello',
    objects: [
      { ...latestRoute, status: readyStatus },
      configuration('hello', { latestReady: 'hello-00001', latestCreated: 'hello-00002', ready: 'False' }),
      rev1,
      revision('hello-00002', { ready: 'False' }),
      latestKids.services[0],
      readyIngress(latestKids.ingress),
    ],
  },
  {
    name: 'a Service-owned route naming another Service’s revision → False RevisionNotOwned',
    key: 'default/hello',
    objects: [route('hello', [{ revisionName: 'other-00001', percent: 100 }], { labels: { 'serving.knative.dev/service': 'hello' } }), revision('other-00001', { service: 'other' })],
    wantStatusUpdates: [
      {
        ...route('hello', [{ revisionName: 'other-00001', percent: 100 }], { labels: { 'serving.knative.dev/service': 'hello' } }),
        status: status({
          url: 'http://hello.default.example.com',
          conds: [
            ['AllTrafficAssigned', 'False', 'RevisionNotOwned', 'Revision "other-00001" belongs to Service "other", not Service "hello".'],
            ['CertificateProvisioned', 'Unknown'],
            ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
            ['Ready', 'False', 'RevisionNotOwned', 'Revision "other-00001" belongs to Service "other", not Service "hello".'],
          ],
        }),
      },
    ],
  },
  {
    name: '90/10 split plus a 0 % staging tag (dark launch): tag Service, tag hosts, status URL for the tag',
    key: 'default/hello',
    objects: [splitRoute, ...splitWorld],
    wantCreates: [...splitKids.services, splitKids.ingress],
    wantStatusUpdates: [
      {
        ...splitRoute,
        status: status({
          url: 'http://hello.default.example.com',
          address: true,
          traffic: [
            { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
            { revisionName: 'hello-00001', latestRevision: false, percent: 10 },
            { tag: 'staging', revisionName: 'hello-00003', latestRevision: true, percent: 0, url: 'http://staging-hello.default.example.com' },
          ],
          conds: [['AllTrafficAssigned', 'True'], TLS, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]],
        }),
      },
    ],
    wantEvents: ['Normal Created Created placeholder service "hello"', 'Normal Created Created placeholder service "staging-hello"', 'Normal Created Created Ingress "hello"'],
    postConditions: (ctx) => {
      assert.deepEqual(ctx.client.creates(SERVICE_GR).map((s) => s.metadata.name), ['hello', 'staging-hello']);
    },
  },
  {
    name: "kn's `--traffic @latest=50 --traffic hello-00002=50`: a latestRevision target next to a pinned one",
    key: 'default/hello',
    objects: [route('hello', [{ configurationName: 'hello', percent: 50 }, { revisionName: 'hello-00002', percent: 50 }]), ...splitWorld],
    wantCreates: [...children(route('hello', [{ configurationName: 'hello', percent: 50 }, { revisionName: 'hello-00002', percent: 50 }]), splitWorld).services, children(route('hello', [{ configurationName: 'hello', percent: 50 }, { revisionName: 'hello-00002', percent: 50 }]), splitWorld).ingress],
    wantStatusUpdates: [
      {
        ...route('hello', [{ configurationName: 'hello', percent: 50 }, { revisionName: 'hello-00002', percent: 50 }]),
        status: status({
          url: 'http://hello.default.example.com',
          address: true,
          traffic: [
            { revisionName: 'hello-00003', latestRevision: true, percent: 50 },
            { revisionName: 'hello-00002', latestRevision: false, percent: 50 },
          ],
          conds: [['AllTrafficAssigned', 'True'], TLS, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]],
        }),
      },
    ],
    wantEvents: ['Normal Created Created placeholder service "hello"', 'Normal Created Created Ingress "hello"'],
  },
  {
    name: 'cluster-local route: URL under svc.cluster.local, only ClusterLocal rules',
    key: 'default/hello',
    objects: [route('hello', [{ configurationName: 'hello', percent: 100 }], { labels: { 'networking.knative.dev/visibility': 'cluster-local' } }), cfgReady, rev1],
    wantCreates: (() => {
      const r = route('hello', [{ configurationName: 'hello', percent: 100 }], { labels: { 'networking.knative.dev/visibility': 'cluster-local' } });
      const { config } = buildTrafficConfig(r, { configuration: () => cfgReady, revision: () => rev1 });
      const ing = makeIngress(cfg, r, config, new Map([['', 'ClusterLocal']]), buildRollout(config.targets));
      assert.deepEqual(ing.spec.rules.map((x) => x.visibility), ['ClusterLocal']);
      return [makePlaceholderService(cfg, r, ''), ing];
    })(),
    wantStatusUpdates: [
      {
        ...route('hello', [{ configurationName: 'hello', percent: 100 }], { labels: { 'networking.knative.dev/visibility': 'cluster-local' } }),
        status: status({
          url: 'http://hello.default.svc.cluster.local',
          address: true,
          traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
          conds: [['AllTrafficAssigned', 'True'], TLS, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]],
        }),
      },
    ],
    wantEvents: ['Normal Created Created placeholder service "hello"', 'Normal Created Created Ingress "hello"'],
  },
  {
    name: 'a tag that went away: its placeholder Service is deleted',
    key: 'default/hello',
    objects: [{ ...latestRoute, status: readyStatus }, cfgReady, rev1, latestKids.services[0], makePlaceholderService(cfg, latestRoute, 'old'), readyIngress(latestKids.ingress)],
    wantDeletes: [{ namespace: NS, name: 'old-hello' }],
  },
  {
    name: 'a Service named like the route that the route does not own → IngressReady False NotOwned, error',
    key: 'default/hello',
    objects: [latestRoute, cfgReady, rev1, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: NS }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } }],
    wantErr: 'route: "hello" does not own Service: "hello"',
    wantStatusUpdates: [
      {
        ...latestRoute,
        status: status({
          url: 'http://hello.default.example.com',
          address: true,
          traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
          conds: [
            ['AllTrafficAssigned', 'True'],
            ['CertificateProvisioned', 'Unknown'],
            ['IngressReady', 'False', 'NotOwned', 'There is an existing placeholder Service "hello" that we do not own.'],
            ['Ready', 'False', 'NotOwned', 'There is an existing placeholder Service "hello" that we do not own.'],
          ],
        }),
      },
    ],
    wantEvents: ['Warning InternalError route: "hello" does not own Service: "hello"'],
  },
  {
    name: 'a new route generation: IngressReady goes back to IngressNotConfigured until the KIngress catches up',
    key: 'default/hello',
    objects: [
      { ...route('hello', [{ configurationName: 'hello', percent: 100, tag: 'v1' }], { generation: 2 }), status: readyStatus },
      cfgReady,
      rev1,
      latestKids.services[0],
      readyIngress(latestKids.ingress),
    ],
    wantCreates: [makePlaceholderService(cfg, latestRoute, 'v1')],
    wantUpdates: [
      (() => {
        const r2 = route('hello', [{ configurationName: 'hello', percent: 100, tag: 'v1' }], { generation: 2 });
        const ing = readyIngress(latestKids.ingress);
        const want = children(r2, [cfgReady, rev1]).ingress;
        return { ...ing, metadata: { ...ing.metadata, annotations: want.metadata.annotations, labels: want.metadata.labels }, spec: want.spec };
      })(),
    ],
    wantStatusUpdates: [
      {
        ...route('hello', [{ configurationName: 'hello', percent: 100, tag: 'v1' }], { generation: 2 }),
        status: status({
          gen: 2,
          url: 'http://hello.default.example.com',
          address: true,
          traffic: [{ tag: 'v1', revisionName: 'hello-00001', latestRevision: true, percent: 100, url: 'http://v1-hello.default.example.com' }],
          conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]],
        }),
      },
    ],
    wantEvents: ['Normal Created Created placeholder service "v1-hello"'],
  },
];

describe('Route reconciler (table)', () => {
  runTable(rows, (ctx) => newRouteReconciler({ ...ctx, config: staticRoutingConfig(cfg) }), { now: NOW });
});

describe('Route reconciler and config changes', () => {
  const templated = routingConfigFromData({ domain: { 'example.com': '' }, network: { 'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}', 'tag-template': '{{.Name}}-{{.Tag}}' } });
  const tagged = route('hello', [{ configurationName: 'hello', percent: 100, tag: 'beta' }]);
  const taggedKids = children(tagged, [cfgReady, rev1]);
  const taggedReady = status({
    url: 'http://hello.default.example.com',
    address: true,
    traffic: [{ tag: 'beta', revisionName: 'hello-00001', latestRevision: true, percent: 100, url: 'http://beta-hello.default.example.com' }],
    conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'True', , , T0], ['Ready', 'True', , , T0]],
  });
  const newKids = children(tagged, [cfgReady, rev1], templated);
  runTable(
    [
      {
        name: 'domain-template / tag-template changed: KIngress hosts, tag Service and URLs follow',
        key: 'default/hello',
        objects: [{ ...tagged, status: taggedReady }, cfgReady, rev1, ...taggedKids.services, readyIngress(taggedKids.ingress)],
        wantCreates: [newKids.services[1]],
        wantDeletes: [{ namespace: NS, name: 'beta-hello' }],
        wantUpdates: [{ ...readyIngress(taggedKids.ingress), metadata: { ...readyIngress(taggedKids.ingress).metadata, annotations: newKids.ingress.metadata.annotations }, spec: newKids.ingress.spec }],
        wantStatusUpdates: [
          {
            ...tagged,
            status: {
              ...taggedReady,
              // The KIngress spec changed: its new generation is not served yet.
              conditions: status({ conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'Unknown', ...NOT_CONFIGURED], ['Ready', 'Unknown', ...NOT_CONFIGURED]] }).conditions,
              url: 'http://hello-default.example.com',
              traffic: [{ tag: 'beta', revisionName: 'hello-00001', latestRevision: true, percent: 100, url: 'http://hello-beta-default.example.com' }],
            },
          },
        ],
        wantEvents: ['Normal Created Created placeholder service "hello-beta"'],
        postConditions: () => {
          assert.deepEqual(newKids.ingress.spec.rules.map((r) => r.hosts.at(-1)), [
            'hello.default.svc.cluster.local',
            'hello-default.example.com',
            'hello-beta.default.svc.cluster.local',
            'hello-beta-default.example.com',
          ]);
        },
      },
    ],
    (ctx) => newRouteReconciler({ ...ctx, config: staticRoutingConfig(templated) }),
    { now: NOW },
  );

  const broken = routingConfigFromData({ domain: { 'example.com': '' }, network: { 'domain-template': '{{.Name}}.{{index .Annotations "sub"}}.{{.Domain}}' } });
  runTable(
    [
      {
        name: 'a domain template that yields no valid host for this route → AllTrafficAssigned False ErrorConfig (no retry)',
        key: 'default/hello',
        objects: [latestRoute, cfgReady, rev1],
        wantStatusUpdates: [
          {
            ...latestRoute,
            status: status({
              conds: [
                ['AllTrafficAssigned', 'False', 'ErrorConfig', 'domain name error: invalid domain name "hello..example.com": url: Invalid value: "hello..example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character'],
                ['CertificateProvisioned', 'Unknown'],
                ['IngressReady', 'Unknown', ...NOT_CONFIGURED],
                ['Ready', 'False', 'ErrorConfig', 'domain name error: invalid domain name "hello..example.com": url: Invalid value: "hello..example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character'],
              ],
            }),
          },
        ],
      },
    ],
    (ctx) => newRouteReconciler({ ...ctx, config: staticRoutingConfig(broken) }),
    { now: NOW },
  );
});

describe('Route gradual rollout (fake clock)', () => {
  test("the docs example end to end: 55 % @latest + 45 % pinned, rollout-duration 380s → 54/1, then 18 % steps, RolloutInProgress until done", async () => {
    const start = Date.UTC(2024, 0, 1, 2);
    const r = route(
      'config',
      [
        { configurationName: 'config', percent: 55 },
        { revisionName: 'config-00005', percent: 45 },
      ],
      { annotations: { 'serving.knative.dev/rollout-duration': '380s' } },
    );
    const cfg8 = configuration('config', { latestReady: 'config-00008' });
    const world = [cfg8, revision('config-00005'), revision('config-00008'), revision('config-00009')];
    const steady = children(r, world);
    const steadyStatus = status({
      name: 'config',
      url: 'http://config.default.example.com',
      address: true,
      traffic: [
        { revisionName: 'config-00008', latestRevision: true, percent: 55 },
        { revisionName: 'config-00005', latestRevision: false, percent: 45 },
      ],
      conds: [['AllTrafficAssigned', 'True', , , T0], TLS0, ['IngressReady', 'True', , , T0], ['Ready', 'True', , , T0]],
    });
    const { ctx, reconciler } = await setupRow(
      [{ ...r, status: steadyStatus }, ...world, ...steady.services, readyIngress(steady.ingress)],
      (c) => newRouteReconciler({ ...c, config: staticRoutingConfig(cfg) }),
      { now: start },
    );
    const S = 1000;
    const reconcile = async () => {
      const res = await reconciler.reconcile('default/config');
      await settle();
      return res;
    };
    const ingress = () => ctx.client.peek(INGRESS_GR, NS, 'config') as KIngress;
    const routeNow = () => ctx.client.peek(ROUTE_GR, NS, 'config')!;
    const defaultSplits = () => ingress().spec.rules[1].http.paths[0].splits.map((s) => `${s.serviceName}=${s.percent}`).join(' ');
    const statusTraffic = () => (routeNow().status.traffic as TrafficTarget[]).map((t) => `${t.revisionName}=${t.percent}`).join(' ');
    const ingressReadyReason = () => routeNow().status.conditions.find((c: Condition) => c.type === 'IngressReady').reason ?? 'True';
    /** What the KIngress status reconciler does once the gateway serves the current generation. */
    const markIngressServed = async () => {
      const ing = ingress();
      await ctx.client.updateStatus(INGRESS_GR, { ...readyIngress(ing, ing.metadata.generation!), metadata: ing.metadata });
      await settle();
    };

    try {
      // A new revision becomes the configuration's latest ready one.
      await ctx.client.update(CONFIGURATION_GR, { ...structuredClone(cfg8), status: undefined });
      await ctx.client.updateStatus(CONFIGURATION_GR, { ...cfg8, status: { ...cfg8.status, latestReadyRevisionName: 'config-00009', latestCreatedRevisionName: 'config-00009' } });
      await settle();

      let res = await reconcile();
      assert.equal(res?.requeueAfterMs, undefined, 'no step scheduled until the 1 % step is served');
      assert.equal(defaultSplits(), 'config-00008=54 config-00009=1 config-00005=45');
      assert.equal(statusTraffic(), 'config-00008=54 config-00009=1 config-00005=45');
      assert.equal(ingressReadyReason(), 'RolloutInProgress');
      assert.equal(routeNow().status.conditions.find((c: Condition) => c.type === 'Ready').reason, 'RolloutInProgress');
      assert.equal(routeNow().status.conditions.find((c: Condition) => c.type === 'IngressReady').message, 'A gradual rollout of the latest revision(s) is in progress.');

      // The gateway takes 95 s to serve the 1 % step: three 18 % steps, 95 s apart.
      ctx.clock.advance(95 * S);
      await markIngressServed();
      res = await reconcile();
      assert.equal(res?.requeueAfterMs, 95 * S);
      const ro = JSON.parse(ingress().metadata.annotations!['networking.internal.knative.dev/rollout']);
      assert.deepEqual(ro.configurations[0].stepParams, { starttime: start * 1e6, nextStepTime: (start + 190 * S) * 1e6, stepDuration: 95 * S * 1e6, stepSize: 18 });
      assert.equal(defaultSplits(), 'config-00008=54 config-00009=1 config-00005=45');

      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        ctx.clock.advance(95 * S);
        res = await reconcile();
        seen.push(statusTraffic());
        assert.equal(defaultSplits(), statusTraffic(), 'KIngress and status agree');
        await markIngressServed();
        if (i < 2) {
          assert.equal(res?.requeueAfterMs, 95 * S);
          assert.equal(ingressReadyReason(), 'RolloutInProgress');
        }
      }
      assert.deepEqual(seen, ['config-00008=36 config-00009=19 config-00005=45', 'config-00008=18 config-00009=37 config-00005=45', 'config-00009=55 config-00005=45']);
      assert.equal(res?.requeueAfterMs, undefined);
      assert.equal(ingressReadyReason(), 'IngressNotConfigured', 'done: waiting for the final split to be served');
      await reconcile();
      assert.equal(ingressReadyReason(), 'True');
      assert.equal(routeNow().status.conditions.find((c: Condition) => c.type === 'Ready').status, 'True');
      assert.deepEqual(JSON.parse(ingress().metadata.annotations!['networking.internal.knative.dev/rollout']).configurations, [
        { configurationName: 'config', percent: 55, revisions: [{ revisionName: 'config-00009', percent: 55 }], stepParams: {} },
      ]);
    } finally {
      ctx.informers.stop();
    }
  });

  test('without a rollout duration the new revision takes all its traffic at once', async () => {
    const world = [cfgReady, rev1, rev2];
    const kids = children(latestRoute, world);
    const { ctx, reconciler } = await setupRow([{ ...latestRoute, status: readyStatus }, ...world, ...kids.services, readyIngress(kids.ingress)], (c) =>
      newRouteReconciler({ ...c, config: staticRoutingConfig(cfg) }),
    );
    try {
      await ctx.client.updateStatus(CONFIGURATION_GR, { ...cfgReady, status: { ...cfgReady.status, latestReadyRevisionName: 'hello-00002' } });
      await settle();
      const res = await reconciler.reconcile('default/hello');
      assert.equal(res?.requeueAfterMs, undefined);
      const ing = ctx.client.peek(INGRESS_GR, NS, 'hello') as KIngress;
      assert.deepEqual(ing.spec.rules[1].http.paths[0].splits.map((s) => `${s.serviceName}=${s.percent}`), ['hello-00002=100']);
      const rt = ctx.client.peek(ROUTE_GR, NS, 'hello')!;
      assert.deepEqual(rt.status.traffic, [{ revisionName: 'hello-00002', latestRevision: true, percent: 100 }]);
      assert.equal(rt.status.conditions.find((c: Condition) => c.type === 'IngressReady').reason, 'IngressNotConfigured');
    } finally {
      ctx.informers.stop();
    }
  });
});
