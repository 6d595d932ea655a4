// The seed's serving walkthrough, kubectl half ("运行Knative应用" and the
// Revision part of "Revision和流量管理" in knative-notes.zh.txt): `skiff up`,
// the seed's own YAML through stock kubectl, curl through the gateway, and a
// pod in the "cluster" curling cluster-local names. Each test is one step of
// the transcript and asserts what the user sees there.
//
// Differences from the seed on purpose, asserted as such:
// - pods show READY 1/1 (no queue-proxy container in embedded mode);
// - the seed's later listings show the pod scaled to zero (KPA 0/0 NoTraffic)
//   after a minute without traffic; these tests finish well inside the
//   stable window, so they see the first pod still up (scale-to-zero has its
//   own e2e on the autoscaling branch);
// - the route's ExternalName points at skiff-gateway.knative-serving.svc…
//   instead of knative-local-gateway.istio-system.svc…;
// - the gateway answers on 127.0.0.1:<port> (the seed's LoadBalancer IP).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { kubectl, skiffCli, startSkiffProcess, waitFor, type SkiffProcess } from './harness.js';
import {
  curlOk,
  HELLO_WORLD_002_YAML,
  HELLO_WORLD_YAML,
  headerOf,
  ok,
  parseTable,
  parseTables,
  waitKsvcReady,
  type Row,
} from './seed-serving-lib.js';

describe('seed: running a Knative app with kubectl (hello-world → hello-world-002)', () => {
  let s: SkiffProcess;
  let port: string;

  before(async () => {
    s = await startSkiffProcess();
    port = new URL(s.gateway).port;
  });

  after(async () => {
    await s?.stop();
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  test('kubectl apply -f hello-world.yaml → kubectl get ksvc as the seed', async () => {
    assert.equal(ok(await kubectl(s, ['apply', '-f', '-'], HELLO_WORLD_YAML), 'kubectl apply'), 'service.serving.knative.dev/hello created\n');
    await waitKsvcReady(s, 'hello', 'hello-world');
    const out = ok(await kubectl(s, ['get', 'ksvc']), 'kubectl get ksvc');
    assert.deepEqual(headerOf(out), ['NAME', 'URL', 'LATESTCREATED', 'LATESTREADY', 'READY', 'REASON']);
    assert.deepEqual(parseTable(out), [
      { NAME: 'hello', URL: 'http://hello.default.example.com', LATESTCREATED: 'hello-world', LATESTREADY: 'hello-world', READY: 'True', REASON: '' },
    ]);
  });

  test('kubectl get all shows the seed families: pod, 3 services, deployment, replicaset, configuration, ksvc, route, revision', async () => {
    const tables = parseTables(ok(await kubectl(s, ['get', 'all']), 'kubectl get all'));
    const byFamily = new Map<string, Row[]>();
    for (const t of tables) {
      const first = t[0]?.NAME ?? '';
      byFamily.set(first.slice(0, first.indexOf('/')), t);
    }
    const pods = byFamily.get('pod') ?? [];
    assert.equal(pods.length, 1, JSON.stringify(pods));
    assert.match(pods[0].NAME, /^pod\/hello-world-deployment-[0-9a-f]+-[a-z0-9]{5}$/);
    assert.equal(pods[0].READY, '1/1'); // the seed's 2/2 counts queue-proxy
    assert.equal(pods[0].STATUS, 'Running');

    const svcs = byFamily.get('service') ?? [];
    assert.deepEqual(
      svcs.map((r) => [r.NAME, r.TYPE, r['PORT(S)']]),
      [
        ['service/hello', 'ExternalName', '80/TCP'],
        ['service/hello-world', 'ClusterIP', '80/TCP'],
        ['service/hello-world-private', 'ClusterIP', '80/TCP,9090/TCP,9091/TCP,8022/TCP,8012/TCP'],
      ],
    );
    assert.equal(svcs[0]['EXTERNAL-IP'], 'skiff-gateway.knative-serving.svc.cluster.local');

    assert.deepEqual(
      (byFamily.get('deployment.apps') ?? []).map((r) => [r.NAME, r.READY, r['UP-TO-DATE'], r.AVAILABLE]),
      [['deployment.apps/hello-world-deployment', '1/1', '1', '1']],
    );
    const rs = byFamily.get('replicaset.apps') ?? [];
    assert.equal(rs.length, 1);
    assert.match(rs[0].NAME, /^replicaset\.apps\/hello-world-deployment-[0-9a-f]+$/);
    assert.deepEqual([rs[0].DESIRED, rs[0].CURRENT, rs[0].READY], ['1', '1', '1']);

    assert.deepEqual(byFamily.get('configuration.serving.knative.dev'), [
      { NAME: 'configuration.serving.knative.dev/hello', LATESTCREATED: 'hello-world', LATESTREADY: 'hello-world', READY: 'True', REASON: '' },
    ]);
    assert.deepEqual(byFamily.get('service.serving.knative.dev'), [
      { NAME: 'service.serving.knative.dev/hello', URL: 'http://hello.default.example.com', LATESTCREATED: 'hello-world', LATESTREADY: 'hello-world', READY: 'True', REASON: '' },
    ]);
    assert.deepEqual(byFamily.get('route.serving.knative.dev'), [{ NAME: 'route.serving.knative.dev/hello', URL: 'http://hello.default.example.com', READY: 'True', REASON: '' }]);
    const revs = byFamily.get('revision.serving.knative.dev') ?? [];
    assert.equal(revs.length, 1);
    const rev = revs[0];
    assert.deepEqual(
      [rev.NAME, rev['CONFIG NAME'], rev['K8S SERVICE NAME'], rev.GENERATION, rev.READY, rev.REASON],
      ['revision.serving.knative.dev/hello-world', 'hello', '', '1', 'True', ''],
    );
    // The seed shows 0/0 after scale-to-zero; right after creation one pod serves (DESIRED REPLICAS stays
    // empty until the autoscaler's first decision, which the next test waits for).
    assert.equal(rev['ACTUAL REPLICAS'], '1');
  });

  test('kubectl get kpa: the seed columns, one PodAutoscaler per revision', async () => {
    const out = ok(await kubectl(s, ['get', 'kpa']), 'kubectl get kpa');
    assert.deepEqual(headerOf(out), ['NAME', 'DESIREDSCALE', 'ACTUALSCALE', 'READY', 'REASON']);
    const rows = parseTable(out);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].NAME, 'hello-world');
    // Seed (after a minute idle): 0 0 False NoTraffic. Here, before the stable window ends: 1 1 True once the
    // autoscaler has decided (-1, "no decision yet", until its first 2 s tick).
    const settled = await waitFor(
      'the first autoscaler decision',
      async () => {
        const r = parseTable(ok(await kubectl(s, ['get', 'kpa']), 'kubectl get kpa'))[0];
        return r && r.DESIREDSCALE !== '-1' ? r : undefined;
      },
      10000,
      200,
    );
    assert.deepEqual([settled.DESIREDSCALE, settled.ACTUALSCALE, settled.READY, settled.REASON], ['1', '1', 'True', '']);
    const rev = parseTable(ok(await kubectl(s, ['get', 'revision']), 'kubectl get revision'))[0];
    assert.deepEqual([rev['ACTUAL REPLICAS'], rev['DESIRED REPLICAS']], ['1', '1']);
    assert.deepEqual(
      parseTable(ok(await kubectl(s, ['get', 'routes']), 'kubectl get routes')),
      [{ NAME: 'hello', URL: 'http://hello.default.example.com', READY: 'True', REASON: '' }],
    );
  });

  test("curl -H 'Host: hello.default.example.com' $GATEWAY → Hello World! (twice, as the seed)", async () => {
    assert.equal(await curlOk(['-H', 'Host: hello.default.example.com', s.gateway]), 'Hello World!\n');
    assert.equal(await curlOk(['-H', 'Host: hello.default.example.com', s.gateway]), 'Hello World!\n');
  });

  test('cluster-local names through the gateway as HTTP proxy: hello.default, hello.default.svc.cluster.local, the revision host', async () => {
    assert.equal(await curlOk(['-x', s.gateway, 'http://hello.default']), 'Hello World!\n');
    assert.equal(await curlOk(['-x', s.gateway, 'http://hello.default.svc']), 'Hello World!\n');
    assert.equal(await curlOk(['-x', s.gateway, 'http://hello.default.svc.cluster.local']), 'Hello World!\n');
    assert.equal(await curlOk(['-x', s.gateway, 'http://hello-world.default.svc.cluster.local']), 'Hello World!\n');
  });

  test('http://hello.default.localhost:<port> works with no DNS set-up', async () => {
    assert.equal(await curlOk([`http://hello.default.localhost:${port}`]), 'Hello World!\n');
    // An unknown host gets a 404 that says what to do.
    const miss = await curlOk(['-w', '\n%{http_code}', '-H', 'Host: nope.default.example.com', s.gateway]);
    assert.match(miss, /nope\.default\.example\.com/);
    assert.match(miss, /\n404$/);
  });

  test('kubectl apply -f hello-world-002.yaml → Hello World-002!, the old revision still answers on its own host', async () => {
    assert.equal(ok(await kubectl(s, ['apply', '-f', '-'], HELLO_WORLD_002_YAML), 'kubectl apply'), 'service.serving.knative.dev/hello configured\n');
    await waitKsvcReady(s, 'hello', 'hello-world-002');
    const spec = JSON.parse(ok(await kubectl(s, ['get', 'revision', 'hello-world-002', '-o', 'json']), 'get revision')).spec;
    assert.equal(spec.containerConcurrency, 10);

    const list = ok(await skiffCli(s, ['revision', 'list']), 'skiff revision list');
    assert.deepEqual(headerOf(list), ['NAME', 'SERVICE', 'TRAFFIC', 'TAGS', 'GENERATION', 'AGE', 'CONDITIONS', 'READY', 'REASON']);
    const revs = parseTable(list).map((r) => [r.NAME, r.SERVICE, r.TRAFFIC, r.TAGS, r.GENERATION, r.READY]);
    assert.deepEqual(revs, [
      ['hello-world-002', 'hello', '100%', '', '2', 'True'],
      ['hello-world', 'hello', '', '', '1', 'True'],
    ]);

    assert.equal(await curlOk(['-x', s.gateway, 'http://hello.default']), 'Hello World-002!\n');
    assert.equal(await curlOk(['-H', 'Host: hello.default.example.com', s.gateway]), 'Hello World-002!\n');
    assert.equal(await curlOk(['-x', s.gateway, 'http://hello-world.default.svc.cluster.local']), 'Hello World!\n');
    assert.equal(await curlOk(['-x', s.gateway, 'http://hello-world-002.default.svc.cluster.local']), 'Hello World-002!\n');
  });

  test('a pod in the cluster curls the seed names: hello.default → Hello World-002!, each revision on its own host', async () => {
    // curl in the pod reaches cluster-local names through the HTTP_PROXY the node agent gives workloads.
    const urls = ['hello.default', 'hello-world.default.svc.cluster.local', 'hello-world-002.default.svc.cluster.local'];
    const created = ok(await kubectl(s, ['run', 'client', '--image=ikubernetes/admin-box', '--restart=Never', '--', 'curl', '-s', ...urls]), 'kubectl run');
    assert.equal(created, 'pod/client created\n');
    await waitFor(
      'pod client to complete',
      async () => {
        const r = await kubectl(s, ['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}']);
        if (r.stdout === 'Failed') throw new Error(`client pod failed: ${(await kubectl(s, ['logs', 'client'])).stdout}`);
        return r.stdout === 'Succeeded';
      },
      20000,
      100,
    );
    assert.equal(ok(await kubectl(s, ['logs', 'client']), 'kubectl logs client'), 'Hello World-002!\nHello World!\nHello World-002!\n');
  });
});
