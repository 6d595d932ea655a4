import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../../api/meta.js';
import { routingConfigFromData } from '../config-store.js';
import { configuration, revision, route } from '../testing/fixtures.js';
import { buildTrafficConfig } from '../traffic/traffic.js';
import { resolveVisibility } from '../visibility.js';
import { DomainNameError, domainNameFromTemplate, expandedHosts } from './domains.js';
import { HttpProtocolError, makeIngress } from './ingress.js';
import { childName, ingressName, k8sServiceFullname } from './names.js';
import { makePlaceholderService } from './service.js';

const exampleCom = routingConfigFromData({ domain: { 'example.com': '' } });
const objs = [configuration('hello', { latestReady: 'hello-00003' }), revision('hello-00001'), revision('hello-00002'), revision('hello-00003')];
const byName = (kind: string) => new Map(objs.filter((o) => o.kind === kind).map((o) => [o.metadata.name!, o]));
const lookup = { configuration: (n: string) => byName('Configuration').get(n), revision: (n: string) => byName('Revision').get(n) };

function build(r: KObject, cfg = exampleCom, services = new Map<string, KObject>()) {
  const { config } = buildTrafficConfig(r, lookup);
  const vis = resolveVisibility(cfg, r, services);
  return makeIngress(cfg, r, config, vis, { configurations: [] });
}

const split = (rev: string, percent: number) => ({
  serviceNamespace: 'default',
  serviceName: rev,
  servicePort: 80,
  percent,
  appendHeaders: { 'Knative-Serving-Revision': rev, 'Knative-Serving-Namespace': 'default' },
});
const local = (n: string) => [`${n}.default`, `${n}.default.svc`, `${n}.default.svc.cluster.local`];

describe('route resources', () => {
  test('KIngress for a 90/10 split with a dark-launched tag: cluster-local + external rules per name, tag at 100 %', () => {
    const r = route('hello', [
      { revisionName: 'hello-00002', percent: 90 },
      { revisionName: 'hello-00001', percent: 10 },
      { configurationName: 'hello', percent: 0, tag: 'staging' },
    ]);
    const ing = build(r);
    assert.equal(ing.metadata.name, 'hello');
    assert.deepEqual(ing.metadata.labels, { 'serving.knative.dev/route': 'hello', 'serving.knative.dev/routeNamespace': 'default' });
    assert.deepEqual(ing.metadata.ownerReferences, [{ apiVersion: 'serving.knative.dev/v1', kind: 'Route', name: 'hello', uid: 'uid-route-hello', controller: true, blockOwnerDeletion: true }]);
    assert.equal(ing.metadata.annotations!['networking.knative.dev/ingress.class'], 'istio.ingress.networking.knative.dev');
    assert.equal(ing.metadata.annotations!['networking.internal.knative.dev/rollout'], '{}');
    assert.equal(ing.metadata.annotations!['networking.internal.knative.dev/tag-to-host'], '{"staging":["staging-hello.default.svc.cluster.local","staging-hello.default.example.com"]}');
    assert.deepEqual(ing.spec, {
      httpOption: 'Enabled',
      rules: [
        { hosts: local('hello'), visibility: 'ClusterLocal', http: { paths: [{ splits: [split('hello-00002', 90), split('hello-00001', 10)] }] } },
        { hosts: ['hello.default.example.com'], visibility: 'ExternalIP', http: { paths: [{ splits: [split('hello-00002', 90), split('hello-00001', 10)] }] } },
        { hosts: local('staging-hello'), visibility: 'ClusterLocal', http: { paths: [{ splits: [split('hello-00003', 100)] }] } },
        { hosts: ['staging-hello.default.example.com'], visibility: 'ExternalIP', http: { paths: [{ splits: [split('hello-00003', 100)] }] } },
      ],
    });
  });

  test('cluster-local routes (label, or no default domain) get no external host; a tag Service label hides one tag', () => {
    const r = route('hello', [{ configurationName: 'hello', percent: 100, tag: 'v3' }], { labels: { 'networking.knative.dev/visibility': 'cluster-local' } });
    const ing = build(r);
    assert.deepEqual(
      ing.spec.rules.map((x) => [x.visibility, x.hosts[0]]),
      [
        ['ClusterLocal', 'hello.default'],
        ['ClusterLocal', 'v3-hello.default'],
      ],
    );
    const noDefault = build(route('hello', [{ configurationName: 'hello', percent: 100 }]), routingConfigFromData({}));
    assert.deepEqual(noDefault.spec.rules.map((x) => x.visibility), ['ClusterLocal']);

    const tagged = route('hello', [{ configurationName: 'hello', percent: 100, tag: 'v3' }]);
    const hiddenTagSvc = { ...makePlaceholderService(exampleCom, tagged, 'v3') };
    hiddenTagSvc.metadata = { ...hiddenTagSvc.metadata, labels: { ...hiddenTagSvc.metadata.labels, 'networking.knative.dev/visibility': 'cluster-local' } };
    const ing2 = build(tagged, exampleCom, new Map([['v3-hello', hiddenTagSvc]]));
    assert.deepEqual(ing2.spec.rules.map((x) => `${x.visibility}:${x.hosts.at(-1)}`), [
      'ClusterLocal:hello.default.svc.cluster.local',
      'ExternalIP:hello.default.example.com',
      'ClusterLocal:v3-hello.default.svc.cluster.local',
    ]);
  });

  test('domain-template and tag-template changes move the hosts; cluster-local hosts keep the default template', () => {
    const cfg = routingConfigFromData({
      domain: { 'example.com': '', 'corp.internal': 'selector:\n  team: blue\n' },
      network: { 'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}', 'tag-template': '{{.Name}}-{{.Tag}}' },
    });
    const ing = build(route('hello', [{ configurationName: 'hello', percent: 100, tag: 'beta' }], { labels: { team: 'blue' } }), cfg);
    assert.deepEqual(ing.spec.rules.map((x) => x.hosts.at(-1)), [
      'hello.default.svc.cluster.local',
      'hello-default.corp.internal',
      'hello-beta.default.svc.cluster.local',
      'hello-beta-default.corp.internal',
    ]);
  });

  test('a template yielding an invalid host is a DomainNameError naming the host', () => {
    const cfg = routingConfigFromData({ domain: { 'example.com': '' }, network: { 'domain-template': '{{.Name}}.{{index .Annotations "sub"}}.{{.Domain}}' } });
    assert.throws(
      () => domainNameFromTemplate(cfg, { name: 'hello', namespace: 'default' }, 'hello'),
      (e: unknown) => e instanceof DomainNameError && /invalid domain name "hello\.\.example\.com"/.test(e.message),
    );
    assert.equal(domainNameFromTemplate(cfg, { name: 'hello', namespace: 'default', annotations: { sub: 'x' } }, 'hello'), 'hello.x.example.com');
  });

  test('tag-header-based routing adds header-matched tag paths to the default host and tag headers to tag hosts', () => {
    const cfg = routingConfigFromData({ domain: { 'example.com': '' }, features: { 'tag-header-based-routing': 'Enabled' } });
    const ing = build(route('hello', [{ configurationName: 'hello', percent: 100 }, { revisionName: 'hello-00001', percent: 0, tag: 'old' }]), cfg);
    assert.deepEqual(ing.spec.rules[0].http.paths, [
      { headers: { 'Knative-Serving-Tag': { exact: 'old' } }, splits: [split('hello-00001', 100)] },
      { splits: [split('hello-00003', 100)], appendHeaders: { 'Knative-Serving-Default-Route': 'true' } },
    ]);
    assert.deepEqual(ing.spec.rules[2].http.paths, [{ splits: [split('hello-00001', 100)], appendHeaders: { 'Knative-Serving-Tag': 'old' } }]);
  });

  test('mid-rollout the rollout revisions replace the configuration target in the splits', () => {
    const r = route('hello', [{ configurationName: 'hello', percent: 100 }]);
    const { config } = buildTrafficConfig(r, lookup);
    const ro = {
      configurations: [
        {
          configurationName: 'hello',
          tag: '',
          percent: 100,
          revisions: [
            { revisionName: 'hello-00002', percent: 99 },
            { revisionName: 'hello-00003', percent: 1 },
          ],
          stepParams: { starttime: 1, nextStepTime: 0, stepDuration: 0, stepSize: 0 },
        },
      ],
    };
    const ing = makeIngress(exampleCom, r, config, resolveVisibility(exampleCom, r, new Map()), ro);
    assert.deepEqual(ing.spec.rules[1].http.paths[0].splits, [split('hello-00002', 99), split('hello-00003', 1)]);
    assert.match(ing.metadata.annotations!['networking.internal.knative.dev/rollout'], /"revisions":\[\{"revisionName":"hello-00002","percent":99\}/);
  });

  test('http-protocol comes from the annotation, else config-network; route annotations are copied minus excluded keys', () => {
    const r = route('hello', [{ configurationName: 'hello', percent: 100 }], {
      annotations: { 'networking.knative.dev/http-protocol': 'redirected', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'serving.knative.dev/creator': 'me' },
    });
    const ing = build(r);
    assert.equal(ing.spec.httpOption, 'Redirected');
    assert.equal(ing.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    assert.equal(ing.metadata.annotations!['serving.knative.dev/creator'], 'me');
    assert.equal(build(route('hello', [{ configurationName: 'hello', percent: 100 }]), routingConfigFromData({ domain: { 'example.com': '' }, network: { 'http-protocol': 'Disabled' } })).spec.httpOption, undefined);
    assert.throws(() => build({ ...r, metadata: { ...r.metadata, annotations: { 'networking.knative.dev/http-protocol': 'sometimes' } } }), HttpProtocolError);
  });

  test('placeholder Services: ExternalName to the gateway, owned, labelled, the visibility label not copied', () => {
    const r = route('hello', [{ configurationName: 'hello', percent: 100, tag: 'v1' }], { labels: { app: 'x', 'networking.knative.dev/visibility': 'cluster-local' } });
    const svc = makePlaceholderService(exampleCom, r, 'v1');
    assert.equal(svc.metadata.name, 'v1-hello');
    assert.deepEqual(svc.metadata.labels, { app: 'x', 'serving.knative.dev/route': 'hello' });
    assert.equal(svc.metadata.ownerReferences![0].uid, 'uid-route-hello');
    assert.deepEqual(svc.spec, {
      type: 'ExternalName',
      externalName: 'skiff-gateway.knative-serving.svc.cluster.local',
      sessionAffinity: 'None',
      ports: [{ name: 'http2', appProtocol: 'kubernetes.io/h2c', port: 80, targetPort: 80, protocol: 'TCP' }],
    });
    assert.equal(makePlaceholderService(exampleCom, r, '').metadata.name, 'hello');
  });

  test('names: KIngress = route name (hashed past 63 chars), address host, expanded cluster-local hosts', () => {
    assert.equal(ingressName(route('hello', [])), 'hello');
    const long = 'a'.repeat(70);
    const n = childName(long, '');
    assert.equal(n.length, 63);
    assert.ok(n.startsWith('a'.repeat(31)));
    assert.notEqual(childName('b'.repeat(70), ''), n);
    assert.equal(k8sServiceFullname(route('hello', [])), 'hello.default.svc.cluster.local');
    assert.deepEqual(expandedHosts(['x.ns.svc.cluster.local']), ['x.ns', 'x.ns.svc', 'x.ns.svc.cluster.local']);
    assert.deepEqual(expandedHosts(['x.example.com']), ['x.example.com']);
  });
});
