// End-to-end: the skiff CLI against a real HTTP API server (ObjectService over
// a MemoryStore), commands run in-process with captured output, plus one run
// of the real binary for exit codes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { registerCoreKinds } from '../../src/api/core/kinds.js';
import { ResourceRegistry } from '../../src/api/registry.js';
import { SKIFF_VERSION } from '../../src/api/version.js';
import { createApiServer, type PodLogOptions } from '../../src/apiserver/http-server.js';
import { ObjectService } from '../../src/apiserver/object-service.js';
import { runCli } from '../../src/cli/cli.js';
import { captureIO } from '../../src/cli/test-io.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

describe('skiff CLI against the API server', () => {
  let svc: ObjectService;
  let server: { close(): Promise<void> };
  let api: string;
  let dir: string;

  before(async () => {
    const reg = new ResourceRegistry();
    registerCoreKinds(reg);
    svc = new ObjectService(new MemoryStore(), reg);
    svc.bootstrap();
    const s = createApiServer({
      svc,
      // Watches end after 100 ms, so `get -w` must resume them from the last version it saw.
      maxWatchSeconds: 0.1,
      // A container runtime stand-in: a few lines, then (with follow) one more line per tick until the client leaves.
      logs: {
        async read(_ns: string, pod: string, opts: PodLogOptions, out: NodeJS.WritableStream, signal: AbortSignal) {
          const lines = ['one', 'two', 'three'].map((l) => `${pod}/${opts.container}: ${l}\n`);
          for (const l of opts.tailLines !== undefined ? lines.slice(-opts.tailLines) : lines) out.write(l);
          for (let i = 0; opts.follow && !signal.aborted && i < 100; i++) {
            await new Promise((res) => setTimeout(res, 20));
            out.write(`${pod}/${opts.container}: tick ${i}\n`);
          }
        },
      },
    });
    const port = await s.listen(0, '127.0.0.1');
    server = s;
    api = `http://127.0.0.1:${port}`;
    dir = await mkdtemp(join(tmpdir(), 'skiff-cli-e2e-'));
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function skiff(args: string[], opts: { stdin?: string; signal?: AbortSignal } = {}) {
    const io = captureIO({ cwd: dir, stdin: opts.stdin, signal: opts.signal, env: {} });
    const code = await runCli(['--api', api, ...args], io);
    return { code, out: io.stdoutText(), err: io.stderrText() };
  }

  const manifest = (data: string, replicas = 1) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
  labels:
    app: demo
data:
${data}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example/web:1
`;

  test('version prints client and server versions', async () => {
    const r = await skiff(['version']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^Client Version: v${SKIFF_VERSION}\nServer Version: v1\\.\\d+`));
  });

  test('apply: created, unchanged, configured — kubectl wording, one line per object', async () => {
    await writeFile(join(dir, 'app.yaml'), manifest('  greeting: hello\n  extra: x'));
    let r = await skiff(['apply', '-f', 'app.yaml']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'configmap/cm1 created\ndeployment.apps/web created\n');
    r = await skiff(['apply', '-f', 'app.yaml']);
    assert.equal(r.out, 'configmap/cm1 unchanged\ndeployment.apps/web unchanged\n');
    // Drop a key and change another: configured, and the dropped key is gone from the server.
    await writeFile(join(dir, 'app.yaml'), manifest('  greeting: hi'));
    r = await skiff(['apply', '-f', 'app.yaml']);
    assert.equal(r.out, 'configmap/cm1 configured\ndeployment.apps/web unchanged\n');
    assert.deepEqual(svc.get('core/configmaps', 'default', 'cm1').data, { greeting: 'hi' });
    // From stdin, JSON, into another namespace.
    svc.create('core/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    r = await skiff(['apply', '-n', 'demo', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2' }, data: { a: 'b' } }) });
    assert.equal(r.out, 'configmap/cm2 created\n', r.err);
    assert.equal(svc.get('core/configmaps', 'demo', 'cm2').data.a, 'b');
  });

  test('apply: invalid objects and bad files fail with one clear line', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n');
    let r = await skiff(['apply', '-f', 'bad.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: error parsing bad\.yaml: line \d+, column \d+: .+\n$/);
    await writeFile(join(dir, 'invalid.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: []}\n');
    r = await skiff(['apply', '-f', 'invalid.yaml']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'The Deployment "broken" is invalid: spec.template.spec.containers: Required value\n');
    await writeFile(join(dir, 'unknown.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    r = await skiff(['apply', '-f', 'unknown.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: resource mapping not found for name: "w" namespace: "" from "unknown.yaml": no matches for kind "Widget" in version "example.com\/v1"\n$/);
    r = await skiff(['apply', '-f', 'nope.yaml']);
    assert.equal(r.err, 'error: the path "nope.yaml" does not exist\n');
  });

  test('get: server columns as a kubectl table; -o yaml/json/name; several kinds; -A', async () => {
    let r = await skiff(['get', 'configmaps']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^NAME {3,}DATA {3}AGE$/);
    assert.match(lines[1], /^cm1 {3,}1 {6}\d+s$/);
    r = await skiff(['get', 'cm', 'cm1', '-o', 'yaml']);
    const obj = YAML.parse(r.out);
    assert.equal(obj.kind, 'ConfigMap');
    assert.deepEqual(obj.data, { greeting: 'hi' });
    r = await skiff(['get', 'cm', '-o', 'json', '-l', 'app=demo']);
    const list = JSON.parse(r.out);
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((o: { metadata: { name: string } }) => o.metadata.name),
      ['cm1'],
    );
    r = await skiff(['get', 'deploy,cm', '-o', 'name']);
    assert.equal(r.out, 'deployment.apps/web\nconfigmap/cm1\n');
    r = await skiff(['get', 'deployments.apps,configmap']);
    assert.match(r.out, /^NAME {3,}READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE\ndeployment\.apps\/web {3,}0\/1 .*\n\nNAME {3,}DATA {3}AGE\nconfigmap\/cm1 {3,}1 /);
    r = await skiff(['get', 'cm', '-A']);
    assert.match(r.out, /^NAMESPACE {3}NAME {3,}DATA {3}AGE\ndefault {5}cm1 /m);
    assert.match(r.out, /\ndemo {8}cm2 /);
    r = await skiff(['get', 'ns']);
    assert.match(r.out, /^NAME {3,}STATUS {3}AGE\n/);
    assert.match(r.out, /\nknative-serving {3,}Active {3}/);
  });

  test('get all lists the `all` category with kind/name', async () => {
    const r = await skiff(['get', 'all']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /deployment\.apps\/web/);
    assert.doesNotMatch(r.out, /configmap\//);
  });

  test('get: not found, unknown kind, empty namespace', async () => {
    let r = await skiff(['get', 'cm', 'cm1', 'missing']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^NAME {3,}DATA {3}AGE\ncm1 /);
    assert.equal(r.err, 'Error from server (NotFound): configmaps "missing" not found\n');
    r = await skiff(['get', 'foo']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'error: the server doesn\'t have a resource type "foo"\n');
    r = await skiff(['get', 'cm', 'cm1', '-A']);
    assert.equal(r.err, 'error: a resource cannot be retrieved by name across all namespaces\n');
    r = await skiff(['get', 'pods', '-n', 'demo']);
    assert.equal(r.code, 0);
    assert.equal(r.err, 'No resources found in demo namespace.\n');
  });

  test('describe shows metadata, fields and the object’s events', async () => {
    const web = svc.get('apps/deployments', 'default', 'web');
    svc.create('core/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default', uid: web.metadata.uid },
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-abc to 1',
      source: { component: 'deployment-controller' },
      lastTimestamp: new Date().toISOString(),
    });
    const r = await skiff(['describe', 'deployment', 'web']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Name:         web\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\nAPI Version:  apps\/v1\nKind:         Deployment\n/);
    assert.match(r.out, /\n  Replicas: +1\n/);
    assert.match(r.out, /\nEvents:\n  Type    Reason             Age   From                   Message\n  ----    ------             ----  ----                   -------\n  Normal  ScalingReplicaSet  \d+s +deployment-controller  Scaled up replica set web-abc to 1\n$/);
    const cm = await skiff(['describe', 'cm/cm1']);
    assert.match(cm.out, /\nData:\n  greeting: +hi\nEvents: +<none>\n$/);
  });

  test('delete prints kubectl wording; --wait waits for finalizers', async () => {
    let r = await skiff(['delete', 'cm', 'cm2', '-n', 'demo']);
    assert.equal(r.out, 'configmap "cm2" deleted\n', r.err);
    r = await skiff(['delete', 'cm', 'cm2', '-n', 'demo']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'Error from server (NotFound): configmaps "cm2" not found\n');
    r = await skiff(['delete', 'cm', 'cm2', '-n', 'demo', '--ignore-not-found']);
    assert.equal(r.code, 0);
    // An object held by a finalizer: the delete waits until a controller lets go.
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] } });
    const pending = skiff(['delete', 'configmap', 'held', '--timeout', '10']);
    await new Promise((res) => setTimeout(res, 150));
    assert.ok(svc.get('core/configmaps', 'default', 'held').metadata.deletionTimestamp);
    svc.patch('core/configmaps', 'default', 'held', { metadata: { finalizers: null } }, 'merge');
    r = await pending;
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'configmap "held" deleted\n');
    r = await skiff(['delete', 'deployment.apps/web']);
    assert.equal(r.out, 'deployment.apps "web" deleted\n');
    r = await skiff(['delete', 'cm']);
    assert.equal(r.err, 'error: resource(s) were provided, but no name was specified\n');
  });

  test('get -w prints the table, then rows as objects change, across server watch timeouts', async () => {
    const ac = new AbortController();
    const io = captureIO({ cwd: dir, signal: ac.signal });
    const done = runCli(['--api', api, 'get', 'cm', '-w', '-n', 'demo'], io);
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
    await sleep(150);
    svc.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'demo' }, data: { a: '1' } });
    // Two or more watch restarts later (each: 100 ms watch + 200 ms pause), a change: printed once, nothing replayed.
    await sleep(650);
    svc.patch('core/configmaps', 'demo', 'watched', { data: { b: '2' } }, 'merge');
    for (let i = 0; i < 100 && !/watched +2 /.test(io.stdoutText()); i++) await sleep(20);
    ac.abort();
    assert.equal(await done, 0, io.stderrText());
    assert.match(io.stdoutText(), /^NAME {6}DATA {3}AGE\nwatched {3}1 {6}\d+s\nwatched {3}2 {6}\d+s\n$/);
  });

  test('logs: tail, container, follow until interrupted; a missing pod is a NotFound line', async () => {
    svc.create('core/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'x' }, { name: 'side', image: 'y' }] } });
    let r = await skiff(['logs', 'p1', '-c', 'side', '--tail', '2']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'p1/side: two\np1/side: three\n');
    r = await skiff(['logs', 'pod/p1', 'app']);
    assert.equal(r.out, 'p1/app: one\np1/app: two\np1/app: three\n');
    r = await skiff(['logs', 'p1']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'Error from server (BadRequest): a container name must be specified for pod p1, choose one of: [app side]\n');
    const ac = new AbortController();
    const io = captureIO({ cwd: dir, signal: ac.signal });
    const done = runCli(['--api', api, 'logs', '-f', 'p1', '-c', 'app'], io);
    for (let i = 0; i < 100 && !io.stdoutText().includes('tick 1'); i++) await new Promise((res) => setTimeout(res, 10));
    ac.abort();
    assert.equal(await done, 0, io.stderrText());
    assert.match(io.stdoutText(), /^p1\/app: one\np1\/app: two\np1\/app: three\np1\/app: tick 0\np1\/app: tick 1\n/);
    r = await skiff(['logs', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'Error from server (NotFound): pods "nope" not found\n');
  });

  test('kubeconfig and api.json discovery via --data-dir', async () => {
    let r = await skiff(['kubeconfig']);
    const kc = YAML.parse(r.out);
    assert.equal(kc['current-context'], 'skiff');
    assert.equal(kc.clusters[0].cluster.server, api);
    assert.equal(kc.contexts[0].context.namespace, 'default');
    r = await skiff(['kubeconfig', '-n', 'Bad_NS']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'error: namespace "Bad_NS" is not a valid namespace name\n');
    await writeFile(join(dir, 'api.json'), JSON.stringify({ api, gateway: 'http://127.0.0.1:8080', pid: process.pid }));
    const io = captureIO({ cwd: dir });
    const code = await runCli(['get', 'ns', 'default', '-o', 'name', '--data-dir', dir], io);
    assert.equal(code, 0, io.stderrText());
    assert.equal(io.stdoutText(), 'namespace/default\n');
  });

  test('the binary: unreachable API is one line and exit 1', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'skiff.js'), 'get', 'pods', '--api', 'http://127.0.0.1:9'], { encoding: 'utf8', env: { ...process.env, SKIFF_API: '' } });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'skiff: cannot reach the Skiff API at http://127.0.0.1:9: is `skiff up` running?\n');
    assert.equal(r.stdout, '');
  });
});
