// The seed's serving walkthrough, kn half ("域名映射" and "流量管理" in
// knative-notes.zh.txt) with `skiff` speaking kn's grammar: domain mappings
// and cluster domain claims, `service delete`, `service apply`, the canary
// YAML, traffic splits by flag and tag, then a revision whose image cannot
// run. Each test is one step of the transcript and asserts what the user sees.
//
// Differences from the seed on purpose, asserted as such:
// - revisions that lost their traffic stay scaled up for the length of this
//   test (the seed lists them as "3 OK / 4" after they scaled to zero);
// - a DomainMapping whose domain is not yet claimed already reads
//   False/DomainAlreadyClaimed in `kubectl get domainmapping` (the seed's
//   kubectl line shows True while kn shows False at the same moment);
// - the gateway answers on 127.0.0.1:<port>: curl sends the Host header the
//   seed's DNS entries would have produced.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { kubectl, skiffCli, startSkiffProcess, waitFor, type SkiffProcess } from './harness.js';
import {
  CDC_HELLO_MAGEDU_YAML,
  countResponses,
  curlOk,
  HELLO_CLOUD_NATIVE_YAML,
  HELLO_WORLD_YAML,
  headerOf,
  ok,
  parseTable,
  parseTables,
  share,
  waitKsvcReady,
  type Row,
} from './seed-serving-lib.js';

const SPLIT_REQUESTS = 1000;

describe('seed: domain mappings and traffic management with the kn grammar', () => {
  let s: SkiffProcess;
  const skiff = async (args: string[]) => ok(await skiffCli(s, args), `skiff ${args.join(' ')}`);
  const revisionList = async () => parseTable(await skiff(['revision', 'list'])).map((r) => [r.NAME, r.SERVICE, r.TRAFFIC, r.TAGS, r.GENERATION, r.CONDITIONS, r.READY]);
  const viaHost = (host: string) => curlOk(['-H', `Host: ${host}`, s.gateway]);
  const viaProxy = (url: string) => curlOk(['-x', s.gateway, url]);

  /** kn domain describe's Conditions block: `[OK, TYPE, REASON]` per line. */
  function conditions(describe: string): string[][] {
    const block = describe.slice(describe.indexOf('Conditions:'));
    return block
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [okMark, type, _age, ...reason] = l.trim().split(/\s+/);
        return [okMark, type, reason.join(' ')];
      });
  }

  before(async () => {
    s = await startSkiffProcess();
    ok(await kubectl(s, ['apply', '-f', '-'], HELLO_WORLD_YAML), 'kubectl apply hello-world.yaml');
    await waitKsvcReady(s, 'hello', 'hello-world');
  });

  after(async () => {
    await s?.stop();
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  test('5.1 skiff service list / route list as kn', async () => {
    const svcs = await skiff(['service', 'list']);
    assert.deepEqual(headerOf(svcs), ['NAME', 'URL', 'LATEST', 'AGE', 'CONDITIONS', 'READY', 'REASON']);
    const [row] = parseTable(svcs);
    assert.deepEqual([row.NAME, row.URL, row.LATEST, row.CONDITIONS, row.READY], ['hello', 'http://hello.default.example.com', 'hello-world', '3 OK / 3', 'True']);
    assert.equal(await skiff(['route', 'list']), 'NAME    URL                                READY\nhello   http://hello.default.example.com   True\n');
  });

  test('5.2/5.3 domain create hello.magedu.com --ref ksvc:hello → not ready: DomainAlreadyClaimed until a claim exists', async () => {
    assert.equal(await skiff(['domain', 'create', 'hello.magedu.com', '--ref', 'ksvc:hello', '-n', 'default']), "Domain mapping 'hello.magedu.com' created in namespace 'default'.\n");
    const describe = await waitFor('the domain mapping to be reconciled', async () => {
      const d = await skiff(['domain', 'describe', 'hello.magedu.com']);
      return /!! Ready/.test(d) ? d : undefined;
    });
    assert.match(describe, /^Name:\s+hello\.magedu\.com\nNamespace:\s+default\n/);
    assert.match(describe, /\nURL:\s+http:\/\/hello\.magedu\.com\n/);
    assert.match(describe, /\nReference:\s*\n\s+APIVersion:\s+serving\.knative\.dev\/v1\n\s+Kind:\s+Service\n\s+Name:\s+hello\n/);
    assert.deepEqual(conditions(describe), [
      ['!!', 'Ready', 'DomainAlreadyClaimed'],
      ['??', 'CertificateProvisioned', ''],
      ['!!', 'DomainClaimed', 'DomainAlreadyClaimed'],
      ['??', 'IngressReady', 'IngressNotConfigured'],
      ['??', 'ReferenceResolved', ''],
    ]);
    assert.deepEqual(parseTable(await skiff(['domain', 'list'])), [{ NAME: 'hello.magedu.com', URL: 'http://hello.magedu.com', READY: 'False', KSVC: 'hello' }]);
    const dm = parseTable(ok(await kubectl(s, ['get', 'domainmapping']), 'kubectl get domainmapping'));
    assert.deepEqual(dm, [{ NAME: 'hello.magedu.com', URL: 'http://hello.magedu.com', READY: 'False', REASON: 'DomainAlreadyClaimed' }]);
  });

  test('5.4 kubectl apply -f cdc-hello.magedu.com.yaml → the mapping turns Ready; 5.5 curl hello.magedu.com → Hello World!', async () => {
    assert.equal(
      ok(await kubectl(s, ['apply', '-f', '-'], CDC_HELLO_MAGEDU_YAML), 'kubectl apply cdc'),
      'clusterdomainclaim.networking.internal.knative.dev/hello.magedu.com created\n',
    );
    const describe = await waitFor('hello.magedu.com Ready', async () => {
      const d = await skiff(['domain', 'describe', 'hello.magedu.com']);
      return /\+\+ Ready/.test(d) ? d : undefined;
    });
    assert.deepEqual(conditions(describe), [
      ['++', 'Ready', ''],
      ['++', 'CertificateProvisioned', 'TLSNotEnabled'],
      ['++', 'DomainClaimed', ''],
      ['++', 'IngressReady', ''],
      ['++', 'ReferenceResolved', ''],
    ]);
    assert.deepEqual(parseTable(await skiff(['domain', 'list'])), [{ NAME: 'hello.magedu.com', URL: 'http://hello.magedu.com', READY: 'True', KSVC: 'hello' }]);
    assert.equal(await viaHost('hello.magedu.com'), 'Hello World!\n');
  });

  test('5.6 autocreate-cluster-domain-claims: "true" → domain create hi.magedu.com --ref kroute:hello is Ready, kubectl get cdc lists it', async () => {
    ok(
      await kubectl(s, ['patch', 'cm', 'config-network', '-n', 'knative-serving', '--type', 'merge', '-p', '{"data":{"autocreate-cluster-domain-claims":"true"}}']),
      'kubectl patch cm config-network',
    );
    assert.equal(await skiff(['domain', 'create', 'hi.magedu.com', '--ref', 'kroute:hello', '-n', 'default']), "Domain mapping 'hi.magedu.com' created in namespace 'default'.\n");
    const list = await waitFor('hi.magedu.com Ready', async () => {
      const rows = parseTable(await skiff(['domain', 'list']));
      return rows.length === 2 && rows.every((r) => r.READY === 'True') ? rows : undefined;
    });
    assert.deepEqual(list, [
      { NAME: 'hello.magedu.com', URL: 'http://hello.magedu.com', READY: 'True', KSVC: 'hello' },
      { NAME: 'hi.magedu.com', URL: 'http://hi.magedu.com', READY: 'True', KSVC: 'hello' },
    ]);
    const cdc = ok(await kubectl(s, ['get', 'cdc']), 'kubectl get cdc');
    assert.deepEqual(headerOf(cdc), ['NAME', 'AGE']);
    assert.deepEqual(
      parseTable(cdc).map((r) => r.NAME),
      ['hello.magedu.com', 'hi.magedu.com'],
    );
    assert.equal(await viaHost('hi.magedu.com'), 'Hello World!\n');
  });

  test('kn service delete hello removes configuration, revisions, deployments, route and their ingress; domain mappings stay', async () => {
    assert.equal(await skiff(['service', 'delete', 'hello']), "Service 'hello' successfully deleted in namespace 'default'.\n");
    await waitFor(
      'the service graph to be gone',
      async () => {
        const all = ok(await kubectl(s, ['get', 'configurations,revisions,routes,deployments,replicasets,services,podautoscalers,serverlessservices,ingresses.networking.internal.knative.dev', '-o', 'name']), 'get');
        return all.split('\n').filter((l) => l && !l.includes('magedu.com')).length === 0;
      },
      15000,
      100,
    );
    const left = ok(await kubectl(s, ['get', 'domainmappings', '-o', 'name']), 'get domainmappings');
    assert.deepEqual(left.trim().split('\n'), ['domainmapping.serving.knative.dev/hello.magedu.com', 'domainmapping.serving.knative.dev/hi.magedu.com']);
    await waitFor('the revision pods to go', async () => (await kubectl(s, ['get', 'pods', '-o', 'name'])).stdout.trim() === '', 15000, 100);
  });

  test('kn service apply hello --image=ikubernetes/helloworld-go --env TARGET=world → hello-00001, kubectl get all, hi.magedu.com → Hello world!', async () => {
    const out = await skiff(['service', 'apply', 'hello', '--image=ikubernetes/helloworld-go', '--env', 'TARGET=world', '-n', 'default']);
    assert.match(out, /^Creating service 'hello' in namespace 'default':\n\n/);
    assert.match(out, /\n\s+\d+\.\d{3}s Ready to serve\.\n\nService 'hello' created to latest revision 'hello-00001' is available at URL:\nhttp:\/\/hello\.default\.example\.com\n$/);

    const tables = parseTables(ok(await kubectl(s, ['get', 'all']), 'kubectl get all'));
    const names = (family: string): string[] =>
      tables
        .flat()
        .map((r: Row) => r.NAME)
        .filter((n) => n.startsWith(`${family}/`));
    assert.deepEqual(names('service'), ['service/hello', 'service/hello-00001', 'service/hello-00001-private']);
    assert.deepEqual(names('deployment.apps'), ['deployment.apps/hello-00001-deployment']);
    assert.deepEqual(names('revision.serving.knative.dev'), ['revision.serving.knative.dev/hello-00001']);
    assert.deepEqual(names('domainmapping.serving.knative.dev'), ['domainmapping.serving.knative.dev/hello.magedu.com', 'domainmapping.serving.knative.dev/hi.magedu.com']);
    const dms = tables.find((t) => t[0]?.NAME.startsWith('domainmapping.'))!;
    await waitFor('the mappings to resolve the new service', async () => {
      const rows = parseTable(ok(await kubectl(s, ['get', 'domainmapping']), 'get domainmapping'));
      return rows.length === 2 && rows.every((r) => r.READY === 'True');
    });
    assert.equal(dms.length, 2);
    assert.equal(await viaHost('hi.magedu.com'), 'Hello world!\n');
  });

  test('kn service apply … --env TARGET=Knative → hello-00002 takes 100%; hi.magedu.com → Hello Knative!', async () => {
    const out = await skiff(['service', 'apply', 'hello', '--image=ikubernetes/helloworld-go', '--env', 'TARGET=Knative']);
    assert.match(out, /Service 'hello' applied to latest revision 'hello-00002' is available at URL:\nhttp:\/\/hello\.default\.example\.com\n$/);
    assert.deepEqual(await revisionList(), [
      ['hello-00002', 'hello', '100%', '', '2', '4 OK / 4', 'True'],
      ['hello-00001', 'hello', '', '', '1', '4 OK / 4', 'True'],
    ]);
    assert.equal(await viaHost('hi.magedu.com'), 'Hello Knative!\n');
  });

  test('canary: kubectl apply -f 004-hello-CloudNative.yaml → revision list as the seed, 90/10 over 1,000 requests, staging-hello → Cloud-Native', async () => {
    assert.equal(ok(await kubectl(s, ['apply', '-f', '-'], HELLO_CLOUD_NATIVE_YAML), 'kubectl apply 004'), 'service.serving.knative.dev/hello configured\n');
    await waitKsvcReady(s, 'hello', 'hello-00003');
    assert.deepEqual(await revisionList(), [
      ['hello-00003', 'hello', '', 'staging', '3', '4 OK / 4', 'True'],
      ['hello-00002', 'hello', '90%', '', '2', '4 OK / 4', 'True'],
      ['hello-00001', 'hello', '10%', '', '1', '4 OK / 4', 'True'],
    ]);
    const counts = await countResponses(s.gateway, 'http://hello.default.svc.cluster.local/', SPLIT_REQUESTS);
    assert.deepEqual([...counts.keys()].sort(), ['Hello Knative!', 'Hello world!'], JSON.stringify([...counts]));
    const knative = share(counts, 'Hello Knative!', SPLIT_REQUESTS);
    assert.ok(Math.abs(knative - 90) <= 3, `hello-00002 got ${knative}% of ${SPLIT_REQUESTS} requests, want 90 ± 3`);
    for (let i = 0; i < 3; i++) assert.equal(await viaProxy('http://staging-hello.default.svc.cluster.local'), 'Hello Cloud-Native!\n');
    // The tag's external host, and its no-DNS form.
    assert.equal(await viaHost('staging-hello.default.example.com'), 'Hello Cloud-Native!\n');
    assert.equal(await curlOk([`http://staging-hello.default.localhost:${new URL(s.gateway).port}`]), 'Hello Cloud-Native!\n');
  });

  test('kn service update hello --traffic hello-00003=10 --traffic hello-00002=90 --traffic hello-00001 (the bare one gets the rest: 0%)', async () => {
    const out = await skiff(['service', 'update', 'hello', '--traffic', 'hello-00003=10', '--traffic', 'hello-00002=90', '--traffic', 'hello-00001']);
    assert.match(out, /Service 'hello' with latest revision 'hello-00003' \(unchanged\) is available at URL:\nhttp:\/\/hello\.default\.example\.com\n$/);
    assert.deepEqual(await revisionList(), [
      ['hello-00003', 'hello', '10%', 'staging', '3', '4 OK / 4', 'True'],
      ['hello-00002', 'hello', '90%', '', '2', '4 OK / 4', 'True'],
      ['hello-00001', 'hello', '', '', '1', '4 OK / 4', 'True'],
    ]);
    const n = 400;
    const counts = await countResponses(s.gateway, 'http://hello.default.svc.cluster.local/', n);
    assert.deepEqual([...counts.keys()].sort(), ['Hello Cloud-Native!', 'Hello Knative!'], JSON.stringify([...counts]));
    const cloud = share(counts, 'Hello Cloud-Native!', n);
    assert.ok(Math.abs(cloud - 10) <= 5, `hello-00003 got ${cloud}% of ${n} requests, want 10 ± 5`);
  });

  test('kn service update hello --traffic @latest=50 --traffic hello-00002=50 → no new revision, 50/50', async () => {
    await skiff(['service', 'update', 'hello', '--traffic', '@latest=50', '--traffic', 'hello-00002=50']);
    assert.deepEqual(await revisionList(), [
      ['hello-00003', 'hello', '50%', 'staging', '3', '4 OK / 4', 'True'],
      ['hello-00002', 'hello', '50%', '', '2', '4 OK / 4', 'True'],
      ['hello-00001', 'hello', '', '', '1', '4 OK / 4', 'True'],
    ]);
    const n = 400;
    const counts = await countResponses(s.gateway, 'http://hello.default.svc.cluster.local/', n);
    const cloud = share(counts, 'Hello Cloud-Native!', n);
    assert.ok(Math.abs(cloud - 50) <= 8, `@latest got ${cloud}% of ${n} requests, want 50 ± 8`);
  });

  test('kn service update hello --tag hello-00001=oldtest → oldtest-hello.default.svc.cluster.local → Hello world!', async () => {
    await skiff(['service', 'update', 'hello', '--tag', 'hello-00001=oldtest']);
    assert.deepEqual(await revisionList(), [
      ['hello-00003', 'hello', '50%', 'staging', '3', '4 OK / 4', 'True'],
      ['hello-00002', 'hello', '50%', '', '2', '4 OK / 4', 'True'],
      ['hello-00001', 'hello', '', 'oldtest', '1', '4 OK / 4', 'True'],
    ]);
    await waitFor('the oldtest tag to be routed', async () => (await viaProxy('http://oldtest-hello.default.svc.cluster.local')) === 'Hello world!\n', 10000, 100);
    for (let i = 0; i < 3; i++) assert.equal(await viaProxy('http://oldtest-hello.default.svc.cluster.local'), 'Hello world!\n');
    // The external tag URL too (the route's status lists it).
    assert.equal(await viaHost('oldtest-hello.default.example.com'), 'Hello world!\n');
  });

  test('an image that cannot run fails its revision (ContainerMissing), update exits non-zero with the message, traffic stays', async () => {
    const r = await skiffCli(s, ['service', 'update', 'hello', '--image', 'example.com/does-not-exist', '--wait-timeout', '30']);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /^Error: RevisionFailed: Revision "hello-00004" failed with message: Unable to fetch image "example\.com\/does-not-exist": /);
    assert.match(r.stderr, /cannot run in embedded mode/);
    const rev = JSON.parse(ok(await kubectl(s, ['get', 'revision', 'hello-00004', '-o', 'json']), 'get revision')).status;
    const cond = (t: string) => rev.conditions.find((c: any) => c.type === t);
    assert.deepEqual([cond('Ready').status, cond('Ready').reason], ['False', 'ContainerMissing']);
    assert.deepEqual([cond('ContainerHealthy').status, cond('ContainerHealthy').reason], ['False', 'ContainerMissing']);
    const ksvc = parseTable(ok(await kubectl(s, ['get', 'ksvc']), 'get ksvc'))[0];
    assert.deepEqual([ksvc.LATESTCREATED, ksvc.LATESTREADY, ksvc.READY, ksvc.REASON], ['hello-00004', 'hello-00003', 'False', 'RevisionFailed']);
    // @latest still means the latest *ready* revision: staging keeps answering from hello-00003.
    assert.equal(await viaProxy('http://staging-hello.default.svc.cluster.local'), 'Hello Cloud-Native!\n');
    const counts = await countResponses(s.gateway, 'http://hello.default.svc.cluster.local/', 100);
    assert.deepEqual([...counts.keys()].sort(), ['Hello Cloud-Native!', 'Hello Knative!'], JSON.stringify([...counts]));
  });

  test('skiff service create with an image that cannot run exits non-zero quickly with the revision’s message', async () => {
    const t0 = Date.now();
    const r = await skiffCli(s, ['service', 'create', 'broken', '--image', 'example.com/does-not-exist']);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stdout, /^Creating service 'broken' in namespace 'default':\n/);
    assert.match(r.stderr, /^Error: RevisionFailed: Revision "broken-00001" failed with message: Unable to fetch image "example\.com\/does-not-exist": /);
    assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms (the error window is 2 s)`);
    const list = parseTable(await skiff(['revision', 'list', '-s', 'broken']));
    assert.deepEqual([list[0].NAME, list[0].READY], ['broken-00001', 'False']);
    assert.match(list[0].REASON, /^ContainerMissing/);
  });
});
