// End-to-end: the kn-style serving commands (`skiff service|revision|route|
// domain`) against the real HTTP API server (ObjectService over a MemoryStore
// with the Serving kinds). No controllers run here: the tests play the
// controllers' part by writing status through the API, which is also how the
// wait-for-ready path is driven.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCoreKinds } from '../../src/api/core/kinds.js';
import type { KObject } from '../../src/api/meta.js';
import { ResourceRegistry } from '../../src/api/registry.js';
import { createApiServer } from '../../src/apiserver/http-server.js';
import { ObjectService } from '../../src/apiserver/object-service.js';
import { runCli } from '../../src/cli/cli.js';
import { captureIO, type CapturedIO } from '../../src/cli/test-io.js';
import { registerServing } from '../../src/serving/register.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const KSVC = 'serving.knative.dev/services';
const REV = 'serving.knative.dev/revisions';
const ROUTE = 'serving.knative.dev/routes';
const DM = 'serving.knative.dev/domainmappings';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('skiff serving commands (kn grammar) against the API server', () => {
  let svc: ObjectService;
  let server: { close(): Promise<void> };
  let api: string;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-serving-e2e-'));
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    registerServing(reg);
    svc = new ObjectService(new MemoryStore(), reg);
    svc.bootstrap();
    // Short watches: waiting must resume from the last version it saw.
    const s = createApiServer({ svc, maxWatchSeconds: 1 });
    const port = await s.listen(0, '127.0.0.1');
    server = s;
    api = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  function start(args: string[]): { io: CapturedIO; done: Promise<{ code: number; out: string; err: string }> } {
    const io = captureIO({ env: {}, cwd: dir });
    const done = runCli(['--api', api, ...args], io).then((code) => ({ code, out: io.stdoutText(), err: io.stderrText() }));
    return { io, done };
  }

  const skiff = (args: string[]) => start(args).done;

  const ready = (extra: Record<string, unknown> = {}) => ({
    observedGeneration: 1,
    conditions: [
      { type: 'ConfigurationsReady', status: 'True', lastTransitionTime: new Date().toISOString() },
      { type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() },
      { type: 'RoutesReady', status: 'True', lastTransitionTime: new Date().toISOString() },
    ],
    ...extra,
  });

  function setStatus(gr: string, name: string, status: Record<string, unknown>, ns = 'default'): KObject {
    const cur = svc.get(gr, ns, name);
    return svc.update(gr, { ...cur, status }, { subresource: 'status' });
  }

  function makeRevision(name: string, service: string, generation: number, extra: Record<string, unknown> = {}): void {
    svc.create(REV, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: {
        name,
        namespace: 'default',
        labels: {
          'serving.knative.dev/service': service,
          'serving.knative.dev/configuration': service,
          'serving.knative.dev/configurationGeneration': String(generation),
        },
      },
      spec: { containers: [{ image: 'ikubernetes/helloworld-go' }] },
    });
    setStatus(REV, name, {
      observedGeneration: 1,
      actualReplicas: 0,
      desiredReplicas: 0,
      conditions: [
        { type: 'Active', status: 'False', reason: 'NoTraffic', severity: 'Info' },
        { type: 'ContainerHealthy', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ResourcesAvailable', status: 'True' },
      ],
      ...extra,
    });
  }

  test('service create --no-wait writes the Service kn would write', async () => {
    const r = await skiff(['service', 'create', 'hello', '--image', 'ikubernetes/helloworld-go', '--env', 'TARGET=World', '--no-wait']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Service 'hello' created in namespace 'default'.\n");
    const o = svc.get(KSVC, 'default', 'hello');
    const tpl = o.spec.template;
    assert.equal(tpl.metadata.annotations['client.knative.dev/user-image'], 'ikubernetes/helloworld-go');
    assert.match(tpl.metadata.annotations['client.knative.dev/updateTimestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(tpl.metadata.name, undefined, 'the server names the revision');
    const c = tpl.spec.containers[0];
    assert.equal(c.image, 'ikubernetes/helloworld-go');
    assert.deepEqual(c.env, [{ name: 'TARGET', value: 'World' }]);
    assert.deepEqual(c.resources, {});
    // Server defaults: a single 100% @latest target.
    assert.deepEqual(o.spec.traffic, [{ latestRevision: true, percent: 100 }]);
    assert.equal(o.metadata.labels, undefined);
  });

  test('service create refuses an existing service without --force, in kn words', async () => {
    const r = await skiff(['service', 'create', 'hello', '--image', 'ikubernetes/helloworld-go']);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      "Error: cannot create service 'hello' in namespace 'default' because the service already exists and no --force option was given\nRun 'skiff --help' for usage\n",
    );
    const missing = await skiff(['service', 'create', 'x']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^Error: 'service create' requires the image name to run provided with the --image option\n/);
  });

  test('service update --env --revision-name sets the template name and env', async () => {
    const r = await skiff(['service', 'update', 'hello', '--env', 'TARGET=World-002', '--revision-name', 'hello-world-002', '--no-wait']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Warning: No revision found to update image digest\nService 'hello' updated in namespace 'default'.\n");
    const o = svc.get(KSVC, 'default', 'hello');
    assert.equal(o.metadata.generation, 2);
    assert.equal(o.spec.template.metadata.name, 'hello-world-002');
    assert.deepEqual(o.spec.template.spec.containers[0].env, [{ name: 'TARGET', value: 'World-002' }]);
    // A metadata-only change makes no new revision.
    const same = await skiff(['service', 'update', 'hello', '--cluster-local']);
    assert.equal(same.out, "Service 'hello' updated in namespace 'default'.\nNo new revision has been created.\n");
    assert.equal(svc.get(KSVC, 'default', 'hello').metadata.labels?.['networking.knative.dev/visibility'], 'cluster-local');
    await skiff(['service', 'update', 'hello', '--no-cluster-local']);
    assert.equal(svc.get(KSVC, 'default', 'hello').metadata.labels, undefined);
  });

  test('service update --traffic / --tag / --untag produce kn’s spec.traffic', async () => {
    let r = await skiff(['service', 'update', 'hello', '--traffic', 'hello-world=90,hello-world-002=10', '--no-wait']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(svc.get(KSVC, 'default', 'hello').spec.traffic, [
      { revisionName: 'hello-world', latestRevision: false, percent: 90 },
      { revisionName: 'hello-world-002', latestRevision: false, percent: 10 },
    ]);
    r = await skiff(['service', 'update', 'hello', '--tag', 'hello-world-002=candidate', '--tag', '@latest=staging', '--no-wait']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(svc.get(KSVC, 'default', 'hello').spec.traffic, [
      { revisionName: 'hello-world', latestRevision: false, percent: 90 },
      { revisionName: 'hello-world-002', latestRevision: false, percent: 10, tag: 'candidate' },
      { tag: 'staging', latestRevision: true, percent: 0 },
    ]);
    // Sum below 100 with exactly one routed revision left out: it gets the rest.
    makeRevision('hello-world', 'hello', 1);
    makeRevision('hello-world-002', 'hello', 2);
    setStatus(KSVC, 'hello', {
      ...ready({ observedGeneration: svc.get(KSVC, 'default', 'hello').metadata.generation }),
      url: 'http://hello.default.example.com',
      latestCreatedRevisionName: 'hello-world-002',
      latestReadyRevisionName: 'hello-world-002',
      traffic: [
        { revisionName: 'hello-world', latestRevision: false, percent: 90 },
        { revisionName: 'hello-world-002', latestRevision: false, percent: 10, tag: 'candidate' },
      ],
    });
    r = await skiff(['service', 'update', 'hello', '--traffic', 'hello-world=70', '--untag', 'staging', '--no-wait']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(svc.get(KSVC, 'default', 'hello').spec.traffic, [
      { revisionName: 'hello-world', latestRevision: false, percent: 70 },
      { revisionName: 'hello-world-002', latestRevision: false, percent: 30, tag: 'candidate' },
    ]);
    r = await skiff(['service', 'update', 'hello', '--traffic', 'hello-world=50,hello-world-002=60']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: given traffic percents sum to 110, want <=100\n/);
  });

  test('service list, describe, -o url and revision list read the status controllers write', async () => {
    let r = await skiff(['service', 'list']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], 'NAME    URL                                LATEST            AGE   CONDITIONS   READY   REASON');
    assert.match(lines[1], /^hello {3}http:\/\/hello\.default\.example\.com {3}hello-world-002 {3}\d+s {3,4}3 OK \/ 3 {5}True *$/);
    r = await skiff(['service', 'describe', 'hello', '-o', 'url']);
    assert.equal(r.out, 'http://hello.default.example.com\n');
    r = await skiff(['service', 'describe', 'hello']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Name: {7}hello\nNamespace: {2}default\nAge: {8}\d+s\nURL: {8}http:\/\/hello\.default\.example\.com\n\n/);
    assert.match(r.out, /\nRevisions: {2}\n {3}10% {2}hello-world-002 \(current @latest\) #candidate \[2\] \(\d+s\)\n {8}Image: {5}ikubernetes\/helloworld-go\n {8}Replicas: {2}0\/0\n {3}90% {2}hello-world \[1\] \(\d+s\)\n/);
    assert.match(r.out, /\nConditions: {2}\n {2}OK TYPE {19}AGE REASON\n {2}\+\+ Ready {15} +\d+s \n {2}\+\+ ConfigurationsReady +\d+s \n {2}\+\+ RoutesReady {9} +\d+s \n$/);
    r = await skiff(['revision', 'list']);
    assert.equal(r.code, 0, r.err);
    const rl = r.out.trimEnd().split('\n');
    assert.equal(rl[0], 'NAME              SERVICE   TRAFFIC   TAGS        GENERATION   AGE   CONDITIONS   READY   REASON');
    assert.match(rl[1], /^hello-world-002 {3}hello {5}10% {7}candidate {3}2 {12}\d+s +3 OK \/ 4 {5}True *$/);
    assert.match(rl[2], /^hello-world {7}hello {5}90% {19}1 {12}\d+s +3 OK \/ 4 {5}True *$/);
    r = await skiff(['revision', 'list', '-s', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: services\.serving\.knative\.dev "nope" not found\n/);
    r = await skiff(['revision', 'describe', 'hello-world']);
    assert.match(r.out, /^Name: {7}hello-world\nNamespace: {2}default\nAge: {8}\d+s\nImage: {6}ikubernetes\/helloworld-go\nReplicas: {3}0\/0\nService: {4}hello\n\nConditions: {2}\n/);
    assert.match(r.out, /\n {2} I Active {13}\s+NoTraffic\n/);
  });

  test('route list and describe', async () => {
    svc.create(ROUTE, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 'hello', namespace: 'default', ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', uid: 'u1', controller: true }] },
      spec: { traffic: [{ revisionName: 'hello-world', percent: 100 }] },
    });
    setStatus(ROUTE, 'hello', {
      url: 'http://hello.default.example.com',
      traffic: [
        { revisionName: 'hello-world-002', latestRevision: true, percent: 100 },
        { revisionName: 'hello-world', latestRevision: false, percent: 0, tag: 'old', url: 'http://old-hello.default.example.com' },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    let r = await skiff(['route', 'list']);
    assert.equal(r.out, 'NAME    URL                                READY\nhello   http://hello.default.example.com   True\n');
    r = await skiff(['route', 'describe', 'hello']);
    assert.match(r.out, /^Name: {7}hello\nNamespace: {2}default\nAge: {8}\d+s\nURL: {8}http:\/\/hello\.default\.example\.com\nService: {4}hello\n\n/);
    assert.match(r.out, /\nTraffic Targets: {2}\n {2}100% {2}@latest \(hello-world-002\)\n {4}0% {2}hello-world #old\n {8}URL: {2}http:\/\/old-hello\.default\.example\.com\n\nConditions: {2}\n/);
  });

  test('domain create/list/describe/update/delete', async () => {
    let r = await skiff(['domain', 'create', 'hello.magedu.com', '--ref', 'ksvc:hello', '-n', 'default']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "Domain mapping 'hello.magedu.com' created in namespace 'default'.\n");
    const dm = svc.get(DM, 'default', 'hello.magedu.com');
    assert.equal(dm.apiVersion, 'serving.knative.dev/v1beta1');
    assert.deepEqual(dm.spec, { ref: { kind: 'Service', name: 'hello', apiVersion: 'serving.knative.dev/v1', namespace: 'default' } });
    r = await skiff(['domain', 'create', 'bad.magedu.com', '--ref', 'ksvc:nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Error: services\.serving\.knative\.dev "nope" not found\n/);
    r = await skiff(['domain', 'create', 'x.magedu.com', '--ref', 'foo:bar']);
    assert.match(r.err, /^Error: unsupported sink prefix: 'foo'\n/);
    const t = new Date(Date.now() - 38_000).toISOString();
    setStatus(DM, 'hello.magedu.com', {
      url: 'http://hello.magedu.com',
      conditions: [
        { type: 'CertificateProvisioned', status: 'Unknown', lastTransitionTime: t },
        { type: 'DomainClaimed', status: 'False', reason: 'DomainAlreadyClaimed', lastTransitionTime: t },
        { type: 'IngressReady', status: 'Unknown', reason: 'IngressNotConfigured', lastTransitionTime: t },
        { type: 'Ready', status: 'False', reason: 'DomainAlreadyClaimed', lastTransitionTime: t },
        { type: 'ReferenceResolved', status: 'Unknown', lastTransitionTime: t },
      ],
    });
    r = await skiff(['domain', 'list']);
    assert.equal(r.out, 'NAME               URL                       READY   KSVC\nhello.magedu.com   http://hello.magedu.com   False   hello\n');
    r = await skiff(['domain', 'describe', 'hello.magedu.com']);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^Name: {7}hello\.magedu\.com\nNamespace: {2}default\nAge: {8}\d+s\n\nURL: {2}http:\/\/hello\.magedu\.com\n\nReference: {5}\n {2}APIVersion: {2}serving\.knative\.dev\/v1\n {2}Kind: {8}Service\n {2}Name: {8}hello\n\nConditions: {2}\n/,
    );
    assert.ok(
      r.out.endsWith(
        [
          '  OK TYPE                      AGE REASON',
          '  !! Ready                     38s DomainAlreadyClaimed',
          '  ?? CertificateProvisioned    38s ',
          '  !! DomainClaimed             38s DomainAlreadyClaimed',
          '  ?? IngressReady              38s IngressNotConfigured',
          '  ?? ReferenceResolved         38s ',
          '',
        ].join('\n'),
      ),
      r.out,
    );
    r = await skiff(['domain', 'describe', 'hello.magedu.com', '-o', 'url']);
    assert.equal(r.out, 'http://hello.magedu.com\n');
    r = await skiff(['domain', 'update', 'hello.magedu.com', '--ref', 'kroute:hello']);
    assert.equal(r.out, "Domain mapping 'hello.magedu.com' updated in namespace 'default'.\n", r.err);
    assert.equal(svc.get(DM, 'default', 'hello.magedu.com').spec.ref.kind, 'Route');
    r = await skiff(['domain', 'delete', 'hello.magedu.com']);
    assert.equal(r.out, "Domain mapping 'hello.magedu.com' deleted in namespace 'default'.\n");
    r = await skiff(['domain', 'list']);
    assert.equal(r.out, 'No domain mapping found.\n');
  });

  /** Wait until the CLI has started waiting, then play the controller until it prints a progress line. */
  async function driveToProgress(io: CapturedIO, name: string, header: RegExp): Promise<void> {
    for (let i = 0; !header.test(io.stdoutText()); i++) {
      if (i > 500) throw new Error(`no header: ${io.stdoutText()} ${io.stderrText()}`);
      await sleep(5);
    }
    const messages = ['The Configuration is still working to reflect the latest desired specification.', 'Waiting for load balancer to be ready'];
    for (let i = 0; !/s The Configuration is still working/.test(io.stdoutText()); i++) {
      if (i > 200) throw new Error(`no progress: ${io.stdoutText()} ${io.stderrText()}`);
      const gen = svc.get(KSVC, 'default', name).metadata.generation;
      setStatus(KSVC, name, {
        observedGeneration: gen,
        conditions: [{ type: 'Ready', status: 'Unknown', reason: 'RevisionMissing', message: messages[i % 2] }],
      });
      await sleep(20);
    }
  }

  test('service create waits for Ready and prints kn’s progress and URL lines', async () => {
    const run = start(['service', 'create', 'waiter', '--image', 'ikubernetes/helloworld-go']);
    await driveToProgress(run.io, 'waiter', /^Creating service 'waiter' in namespace 'default':\n\n/);
    setStatus(KSVC, 'waiter', { ...ready(), url: 'http://waiter.default.example.com', latestReadyRevisionName: 'waiter-00001', latestCreatedRevisionName: 'waiter-00001' });
    const r = await run.done;
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^Creating service 'waiter' in namespace 'default':\n\n( {2}\d\.\d{3}s (The Configuration is still working to reflect the latest desired specification\.|Waiting for load balancer to be ready|\.\.\.)\n)+ {2}\d\.\d{3}s Ready to serve\.\n\nService 'waiter' created to latest revision 'waiter-00001' is available at URL:\nhttp:\/\/waiter\.default\.example\.com\n$/,
    );
    // Already ready: `service wait` returns at once.
    const w = await skiff(['service', 'wait', 'waiter']);
    assert.equal(w.out, "Waiting for Service 'waiter' in namespace 'default':\n\n  0.000s Ready to serve.\n\nService 'waiter' in namespace 'default' is ready.\n");
  });

  test('service update waits too; an unchanged latest revision is reported as such', async () => {
    const run = start(['service', 'update', 'waiter', '--scale-min', '1']);
    await driveToProgress(run.io, 'waiter', /^Updating Service 'waiter' in namespace 'default':\n\n/);
    setStatus(KSVC, 'waiter', { ...ready({ observedGeneration: 2 }), url: 'http://waiter.default.example.com', latestReadyRevisionName: 'waiter-00002', latestCreatedRevisionName: 'waiter-00002' });
    const r = await run.done;
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\n\nService 'waiter' updated to latest revision 'waiter-00002' is available at URL:\nhttp:\/\/waiter\.default\.example\.com\n$/);
    assert.equal(svc.get(KSVC, 'default', 'waiter').spec.template.metadata.annotations['autoscaling.knative.dev/min-scale'], '1');
    // Ready again on the same revision (e.g. a traffic-only change): kn says "(unchanged)".
    const again = start(['service', 'update', 'waiter', '--tag', '@latest=current']);
    await driveToProgress(again.io, 'waiter', /^Updating Service 'waiter' in namespace 'default':\n\n/);
    setStatus(KSVC, 'waiter', { ...ready({ observedGeneration: 3 }), url: 'http://waiter.default.example.com', latestReadyRevisionName: 'waiter-00002' });
    const r2 = await again.done;
    assert.equal(r2.code, 0, r2.err);
    assert.match(r2.out, /\n\nService 'waiter' with latest revision 'waiter-00002' \(unchanged\) is available at URL:\nhttp:\/\/waiter\.default\.example\.com\n$/);
  });

  test('Ready=False fails the wait with the revision’s reason and message', async () => {
    const run = start(['service', 'create', 'broken', '--image', 'nope/nope', '--wait-window', '0']);
    for (let i = 0; !/^Creating service 'broken'/.test(run.io.stdoutText()); i++) {
      if (i > 500) throw new Error('no header');
      await sleep(5);
    }
    await sleep(50);
    setStatus(KSVC, 'broken', {
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'False', reason: 'RevisionFailed', message: 'Revision "broken-00001" failed with message: Unable to fetch image "nope/nope".' }],
    });
    const r = await run.done;
    assert.equal(r.code, 1);
    assert.equal(r.err, 'Error: RevisionFailed: Revision "broken-00001" failed with message: Unable to fetch image "nope/nope".\nRun \'skiff --help\' for usage\n');
  });

  test('service apply: created, unchanged, applied', async () => {
    let r = await skiff(['service', 'apply', 'applied', '--image', 'ikubernetes/helloworld-go', '--env', 'TARGET=world', '--no-wait']);
    assert.equal(r.out, "Service 'applied' created in namespace 'default'.\n", r.err);
    const o = svc.get(KSVC, 'default', 'applied');
    assert.ok(o.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(o.spec.template.metadata.annotations['client.knative.dev/updateTimestamp'], undefined, 'apply stays idempotent');
    setStatus(KSVC, 'applied', { ...ready(), url: 'http://applied.default.example.com', latestReadyRevisionName: 'applied-00001' });
    r = await skiff(['service', 'apply', 'applied', '--image', 'ikubernetes/helloworld-go', '--env', 'TARGET=world', '--no-wait']);
    assert.equal(r.out, "No changes to apply to service 'applied'.\nService 'applied' with latest revision 'applied-00001' (unchanged) is available at URL:\nhttp://applied.default.example.com\n", r.err);
    r = await skiff(['service', 'apply', 'applied', '--image', 'ikubernetes/helloworld-go', '--env', 'TARGET=Knative', '--no-wait']);
    assert.equal(r.out, "Service 'applied' applied in namespace 'default'.\n", r.err);
    assert.deepEqual(svc.get(KSVC, 'default', 'applied').spec.template.spec.containers[0].env, [{ name: 'TARGET', value: 'Knative' }]);
  });

  test('service create -f FILE with flags on top, --env-file, and --force replacing', async () => {
    await writeFile(
      join(dir, 'svc.yaml'),
      'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: fromfile\nspec:\n  template:\n    spec:\n      containerConcurrency: 10\n      containers:\n      - image: ikubernetes/helloworld-go\n        ports:\n        - containerPort: 8080\n',
    );
    await writeFile(join(dir, 'env'), 'A=1\nB=2\n');
    let r = await skiff(['service', 'create', '-f', 'svc.yaml', '--env-file', 'env', '--scale', '1..3', '--no-wait']);
    assert.equal(r.out, "Service 'fromfile' created in namespace 'default'.\n", r.err);
    let o = svc.get(KSVC, 'default', 'fromfile');
    assert.equal(o.spec.template.spec.containerConcurrency, 10);
    assert.deepEqual(o.spec.template.spec.containers[0].ports, [{ containerPort: 8080 }]);
    assert.deepEqual(o.spec.template.spec.containers[0].env, [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    assert.equal(o.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale'], '3');
    r = await skiff(['service', 'create', 'other', '-f', 'svc.yaml']);
    assert.match(r.err, /^Error: provided service name 'other' doesn't match name from file 'fromfile'\n/);
    r = await skiff(['service', 'create', 'fromfile', '--force', '--image', 'ikubernetes/helloworld-go:v2', '--no-wait']);
    assert.equal(r.out, "Service 'fromfile' replaced in namespace 'default'.\n", r.err);
    o = svc.get(KSVC, 'default', 'fromfile');
    assert.equal(o.metadata.generation, 2);
    assert.equal(o.spec.template.spec.containers[0].image, 'ikubernetes/helloworld-go:v2');
    assert.equal(o.spec.template.spec.containers[0].env, undefined, 'a forced create replaces the whole service');
  });

  test('service delete and list -A', async () => {
    let r = await skiff(['service', 'list', '-A', '--no-headers']);
    assert.deepEqual(
      r.out.trimEnd().split('\n').map((l) => l.split(/ {3,}/)[1]),
      ['applied', 'broken', 'fromfile', 'hello', 'waiter'],
    );
    r = await skiff(['service', 'delete', 'broken', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.out, "Service 'broken' successfully deleted in namespace 'default'.\n");
    assert.match(r.err, /^Error: services\.serving\.knative\.dev "nope" not found\n/);
    r = await skiff(['revision', 'delete', 'hello-world']);
    assert.equal(r.out, "Revision 'hello-world' deleted in namespace 'default'.\n");
  });
});
