// Integration: the routing controllers over the real object service
// (admission included), the in-process client and real informers, driven
// like the seed: a 90/10 split with a staging tag, then a DomainMapping that
// waits for its ClusterDomainClaim, autocreated claims, and live config edits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../../api/core/kinds.js';
import type { Condition, KObject } from '../../api/meta.js';
import { ResourceRegistry } from '../../api/registry.js';
import { ObjectService } from '../../apiserver/object-service.js';
import { InProcessClient } from '../../client/in-process-client.js';
import { realClock } from '../../controller/clock.js';
import { FakeEventRecorder } from '../../controller/events.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { MemoryStore } from '../../store/memory-store.js';
import { servingConfigMaps } from '../config/bootstrap.js';
import { registerServing } from '../register.js';
import { CDC_GR, INGRESS_GR, type KIngress } from './ingress/types.js';
import { configuration, revision } from './route/testing/fixtures.js';
import { ImmediateIngressProgrammer, startServingRoutingControllers } from './routing-index.js';

const readyOf = (o: KObject | undefined, type = 'Ready'): Condition | undefined => o?.status?.conditions?.find((c: Condition) => c.type === type);

async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('serving routing controllers (integration)', () => {
  test('90/10 split + staging tag → KIngress and URLs; DomainMapping waits for its claim, then Ready; live config', async () => {
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    const svc = new ObjectService(new MemoryStore(), reg);
    svc.bootstrap();
    const client = new InProcessClient(svc);
    for (const cm of servingConfigMaps()) await client.create('core/configmaps', cm);

    const informers = new SharedInformerFactory(client, { clock: realClock });
    const recorder = new FakeEventRecorder();
    const routing = startServingRoutingControllers({ client, informers, recorder, clock: realClock, programmer: new ImmediateIngressProgrammer() });
    informers.start();
    await routing.started;

    const get = (gr: string, ns: string, name: string) => client.get(gr, ns, name);
    try {
      // ---- Configuration + Revisions as the configuration/revision controllers would leave them ----
      const strip = (o: KObject): KObject => ({ ...o, metadata: { name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels } });
      for (const n of ['hello-00001', 'hello-00002', 'hello-00003']) {
        const created = await client.create('serving.knative.dev/revisions', strip(revision(n)));
        // Simulate the revision controller marking it Ready.
        await client.updateStatus('serving.knative.dev/revisions', { ...created, status: { observedGeneration: created.metadata.generation, conditions: [{ type: 'Ready', status: 'True' }] } });
      }
      await client.create('serving.knative.dev/configurations', strip(configuration('hello', { latestReady: 'hello-00003' })));
      const cfgObj = (await get('serving.knative.dev/configurations', 'default', 'hello'))!;
      await client.updateStatus('serving.knative.dev/configurations', { ...cfgObj, status: configuration('hello', { latestReady: 'hello-00003' }).status });

      await client.create('serving.knative.dev/routes', {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Route',
        metadata: { name: 'hello', namespace: 'default' },
        spec: {
          traffic: [
            { revisionName: 'hello-00002', percent: 90 },
            { revisionName: 'hello-00001', percent: 10 },
            { configurationName: 'hello', percent: 0, tag: 'staging' },
          ],
        },
      });

      const rt = await waitFor('route Ready', async () => {
        const r = await get('serving.knative.dev/routes', 'default', 'hello');
        return readyOf(r)?.status === 'True' && r;
      });
      assert.equal(rt.status.url, 'http://hello.default.example.com');
      assert.deepEqual(rt.status.address, { url: 'http://hello.default.svc.cluster.local' });
      assert.deepEqual(rt.status.traffic, [
        { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
        { revisionName: 'hello-00001', latestRevision: false, percent: 10 },
        { tag: 'staging', revisionName: 'hello-00003', latestRevision: true, percent: 0, url: 'http://staging-hello.default.example.com' },
      ]);
      assert.equal(readyOf(rt, 'CertificateProvisioned')?.reason, 'TLSNotEnabled');

      const ing = (await get(INGRESS_GR, 'default', 'hello')) as KIngress;
      assert.deepEqual(
        ing.spec.rules.map((r) => `${r.visibility} ${r.hosts.join(',')} → ${r.http.paths[0].splits.map((s) => `${s.serviceName}:${s.percent}`).join(' ')}`),
        [
          'ClusterLocal hello.default,hello.default.svc,hello.default.svc.cluster.local → hello-00002:90 hello-00001:10',
          'ExternalIP hello.default.example.com → hello-00002:90 hello-00001:10',
          'ClusterLocal staging-hello.default,staging-hello.default.svc,staging-hello.default.svc.cluster.local → hello-00003:100',
          'ExternalIP staging-hello.default.example.com → hello-00003:100',
        ],
      );
      assert.deepEqual(ing.spec.rules[0].http.paths[0].splits[0].appendHeaders, { 'Knative-Serving-Revision': 'hello-00002', 'Knative-Serving-Namespace': 'default' });
      assert.equal(readyOf(ing)?.status, 'True');
      assert.deepEqual(ing.status!.privateLoadBalancer, { ingress: [{ domainInternal: 'skiff-gateway.knative-serving.svc.cluster.local' }] });
      for (const name of ['hello', 'staging-hello']) {
        const ph = (await get('core/services', 'default', name))!;
        assert.equal(ph.spec.type, 'ExternalName');
        assert.equal(ph.spec.externalName, 'skiff-gateway.knative-serving.svc.cluster.local');
        assert.equal(ph.metadata.ownerReferences![0].uid, rt.metadata.uid);
      }

      // ---- DomainMapping: no claim → DomainAlreadyClaimed; a CDC → Ready ----
      await client.create('serving.knative.dev/domainmappings', {
        apiVersion: 'serving.knative.dev/v1beta1',
        kind: 'DomainMapping',
        metadata: { name: 'hello.magedu.com', namespace: 'default' },
        spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Route', name: 'hello' } },
      });
      const unclaimed = await waitFor('DomainAlreadyClaimed', async () => {
        const d = await get('serving.knative.dev/domainmappings', 'default', 'hello.magedu.com');
        return readyOf(d)?.reason === 'DomainAlreadyClaimed' && d;
      });
      assert.equal(readyOf(unclaimed)?.status, 'False');
      assert.deepEqual(
        unclaimed.status.conditions.map((c: Condition) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`),
        ['CertificateProvisioned=Unknown', 'DomainClaimed=False DomainAlreadyClaimed', 'IngressReady=Unknown IngressNotConfigured', 'Ready=False DomainAlreadyClaimed', 'ReferenceResolved=Unknown'],
      );
      assert.equal(unclaimed.status.url, 'http://hello.magedu.com');

      await client.create(CDC_GR, { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'ClusterDomainClaim', metadata: { name: 'hello.magedu.com' }, spec: { namespace: 'default' } });
      const mapped = await waitFor('DomainMapping Ready', async () => {
        const d = await get('serving.knative.dev/domainmappings', 'default', 'hello.magedu.com');
        return readyOf(d)?.status === 'True' && d;
      });
      assert.deepEqual(
        mapped.status.conditions.map((c: Condition) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`),
        ['CertificateProvisioned=True TLSNotEnabled', 'DomainClaimed=True', 'IngressReady=True', 'Ready=True', 'ReferenceResolved=True'],
      );
      const dmIng = (await get(INGRESS_GR, 'default', 'hello.magedu.com')) as KIngress;
      assert.deepEqual(dmIng.spec.rules[0].hosts, ['hello.magedu.com']);
      assert.equal(dmIng.spec.rules[0].http.paths[0].rewriteHost, 'hello.default.svc.cluster.local');
      assert.deepEqual(dmIng.spec.rules[0].http.paths[0].splits[0].appendHeaders, { 'K-Original-Host': 'hello.magedu.com' });

      // ---- autocreate-cluster-domain-claims: "true" (live edit) → a new mapping claims its domain itself ----
      const net = (await get('core/configmaps', 'knative-serving', 'config-network'))!;
      await client.update('core/configmaps', { ...net, data: { ...net.data, 'autocreate-cluster-domain-claims': 'true' } });
      await waitFor('config-network applied', () => routing.config.current().network.autocreateClusterDomainClaims);
      await client.create('serving.knative.dev/domainmappings', {
        apiVersion: 'serving.knative.dev/v1beta1',
        kind: 'DomainMapping',
        metadata: { name: 'hi.magedu.com', namespace: 'default' },
        spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Route', name: 'hello' } },
      });
      await waitFor('hi.magedu.com Ready', async () => readyOf(await get('serving.knative.dev/domainmappings', 'default', 'hi.magedu.com'))?.status === 'True');
      assert.equal((await get(CDC_GR, '', 'hi.magedu.com'))?.spec.namespace, 'default');

      // ---- config-domain edit: every route moves to the new domain ----
      const dom = (await get('core/configmaps', 'knative-serving', 'config-domain'))!;
      await client.update('core/configmaps', { ...dom, data: { 'magedu.com': '' } });
      const moved = await waitFor('route URL moved', async () => {
        const r = await get('serving.knative.dev/routes', 'default', 'hello');
        return r?.status?.url === 'http://hello.default.magedu.com' && readyOf(r)?.status === 'True' && r;
      });
      assert.equal(moved.status.traffic[2].url, 'http://staging-hello.default.magedu.com');
      assert.equal(((await get(INGRESS_GR, 'default', 'hello')) as KIngress).spec.rules[1].hosts[0], 'hello.default.magedu.com');

      // An invalid edit is ignored: the last good config stays.
      await client.update('core/configmaps', { ...(await get('core/configmaps', 'knative-serving', 'config-network'))!, data: { 'domain-template': '{{.Name}}/{{.Domain}}' } });
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(routing.config.current().network.autocreateClusterDomainClaims, true);
      assert.equal(routing.controllers.route.stats.permanentFailures, 0);
      for (const c of Object.values(routing.controllers)) assert.equal(c.stats.failures, 0, `${c.name} had failed reconciles`);
      assert.deepEqual(recorder.events.filter((e) => e.includes('InternalError')), []);
    } finally {
      await routing.stop();
      informers.stop();
    }
  });
});
