import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { Flags, parseArgs } from '../../args.js';
import { KnError } from '../../knative-format.js';
import { anyMutation, applyEditFlags, generateRevisionName, generateVolumeName, newService, parseScale, type EditContext, type ServiceVerb, editFlagSpecs } from './edit-flags.js';

const NOW = Date.parse('2024-05-01T10:20:30.456Z');

function flagsFor(verb: ServiceVerb, argv: string[]): Flags {
  return new Flags(parseArgs(argv, editFlagSpecs(verb)));
}

function create(argv: string[], ctx: Partial<EditContext> = {}): KObject {
  return applyEditFlags(newService('hello', 'default'), flagsFor('create', ['--image', 'img', ...argv]), { verb: 'create', now: NOW, random: () => 0, ...ctx });
}

function update(svc: KObject, argv: string[], ctx: Partial<EditContext> = {}): KObject {
  return applyEditFlags(structuredClone(svc), flagsFor('update', argv), { verb: 'update', now: NOW, random: () => 0, ...ctx });
}

const tplAnn = (s: KObject): Record<string, string> => s.spec.template.metadata.annotations ?? {};
const c0 = (s: KObject) => s.spec.template.spec.containers[0];

describe('service flags → Service fields (kn ConfigurationEditFlags)', () => {
  test('create writes what kn writes: image, env, user-image and updateTimestamp annotations, resources {}', () => {
    const svc = create(['--env', 'TARGET=World']);
    assert.deepEqual(svc, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: 'default' },
      spec: {
        template: {
          metadata: { annotations: { 'client.knative.dev/user-image': 'img', 'client.knative.dev/updateTimestamp': '2024-05-01T10:20:30Z' } },
          spec: { containers: [{ image: 'img', env: [{ name: 'TARGET', value: 'World' }], resources: {} }] },
        },
      },
    });
  });

  const cases: Array<{ name: string; argv: string[]; at: (svc: KObject) => unknown; want: unknown }> = [
    { name: '--port N', argv: ['--port', '8080'], at: (s) => c0(s).ports, want: [{ containerPort: 8080 }] },
    { name: '-p h2c:N', argv: ['-p', 'h2c:8080'], at: (s) => c0(s).ports, want: [{ containerPort: 8080, name: 'h2c' }] },
    { name: '--cmd/--arg', argv: ['--cmd', 'sh', '--cmd', '/start.sh', '--arg', '-v'], at: (s) => c0(s).command, want: ['sh', '/start.sh'] },
    { name: '--arg', argv: ['--arg', 'a', '--arg', 'b=1'], at: (s) => c0(s).args, want: ['a', 'b=1'] },
    { name: '--env-from cm:/secret:', argv: ['--env-from', 'cm:cfg', '--env-from', 'secret:creds'], at: (s) => c0(s).envFrom, want: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds' } }] },
    {
      name: '--env-value-from',
      argv: ['--env-value-from', 'A=cm:cfg:key', '--env-value-from', 'B=sc:s:k'],
      at: (s) => c0(s).env,
      want: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'key' } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
    },
    { name: '--env with empty value', argv: ['-e', 'EMPTY='], at: (s) => c0(s).env, want: [{ name: 'EMPTY' }] },
    { name: '--scale-min', argv: ['--scale-min', '1'], at: (s) => tplAnn(s)['autoscaling.knative.dev/min-scale'], want: '1' },
    { name: '--scale-max', argv: ['--scale-max', '5'], at: (s) => tplAnn(s)['autoscaling.knative.dev/max-scale'], want: '5' },
    { name: '--scale-init', argv: ['--scale-init', '0'], at: (s) => tplAnn(s)['autoscaling.knative.dev/initial-scale'], want: '0' },
    { name: '--scale-activation', argv: ['--scale-activation', '2'], at: (s) => tplAnn(s)['autoscaling.knative.dev/activation-scale'], want: '2' },
    { name: '--scale-window', argv: ['--scale-window', '10s'], at: (s) => tplAnn(s)['autoscaling.knative.dev/window'], want: '10s' },
    { name: '--scale-target', argv: ['--scale-target', '50'], at: (s) => tplAnn(s)['autoscaling.knative.dev/target'], want: '50' },
    { name: '--scale-metric', argv: ['--scale-metric', 'rps'], at: (s) => tplAnn(s)['autoscaling.knative.dev/metric'], want: 'rps' },
    { name: '--scale-utilization', argv: ['--scale-utilization', '80'], at: (s) => tplAnn(s)['autoscaling.knative.dev/target-utilization-percentage'], want: '80' },
    { name: 'no --scale-utilization: no annotation despite the default 70', argv: [], at: (s) => tplAnn(s)['autoscaling.knative.dev/target-utilization-percentage'], want: undefined },
    { name: '--concurrency-limit', argv: ['--concurrency-limit', '10'], at: (s) => s.spec.template.spec.containerConcurrency, want: 10 },
    { name: '--timeout', argv: ['--timeout', '60'], at: (s) => s.spec.template.spec.timeoutSeconds, want: 60 },
    { name: 'no --timeout: field left to the server', argv: [], at: (s) => s.spec.template.spec.timeoutSeconds, want: undefined },
    { name: '--cluster-local', argv: ['--cluster-local'], at: (s) => s.metadata.labels, want: { 'networking.knative.dev/visibility': 'cluster-local' } },
    { name: '--label sets service and revision', argv: ['-l', 'app=x'], at: (s) => s.spec.template.metadata.labels, want: { app: 'x' } },
    { name: '--label on the service too', argv: ['-l', 'app=x'], at: (s) => s.metadata.labels, want: { app: 'x' } },
    { name: '--label-service only on the service', argv: ['--label-service', 'tier=web'], at: (s) => s.metadata.labels, want: { tier: 'web' } },
    { name: '--label-revision only on the template', argv: ['--label-revision', 'tier=web'], at: (s) => s.spec.template.metadata.labels, want: { tier: 'web' } },
    { name: '--annotation-service', argv: ['--annotation-service', 'team=a'], at: (s) => s.metadata.annotations, want: { team: 'a' } },
    { name: '--annotation-revision', argv: ['--annotation-revision', 'team=a'], at: (s) => tplAnn(s)['team'], want: 'a' },
    { name: 'autoscaling --annotation stays off the service', argv: ['-a', 'autoscaling.knative.dev/min-scale=2', '-a', 'x=y'], at: (s) => s.metadata.annotations, want: { x: 'y' } },
    { name: 'autoscaling --annotation on the template', argv: ['-a', 'autoscaling.knative.dev/min-scale=2'], at: (s) => tplAnn(s)['autoscaling.knative.dev/min-scale'], want: '2' },
    { name: '--service-account', argv: ['--service-account', 'robot'], at: (s) => s.spec.template.spec.serviceAccountName, want: 'robot' },
    { name: '--pull-secret', argv: ['--pull-secret', 'regcred'], at: (s) => s.spec.template.spec.imagePullSecrets, want: [{ name: 'regcred' }] },
    { name: '--pull-policy (case-insensitive)', argv: ['--pull-policy', 'ifnotpresent'], at: (s) => c0(s).imagePullPolicy, want: 'IfNotPresent' },
    { name: '--request/--limit', argv: ['--request', 'cpu=100m,memory=256Mi', '--limit', 'memory=1Gi'], at: (s) => c0(s).resources, want: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
    { name: '--user', argv: ['--user', '1001'], at: (s) => c0(s).securityContext, want: { runAsUser: 1001 } },
    { name: '--revision-name', argv: ['--revision-name', 'v1'], at: (s) => s.spec.template.metadata.name, want: 'hello-v1' },
    { name: '--no-lock-to-digest drops user-image', argv: ['--no-lock-to-digest'], at: (s) => tplAnn(s)['client.knative.dev/user-image'], want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(c.at(create(c.argv)), c.want);
    });
  }

  test('--source DIR (Skiff): image local:/abs/dir, relative to the cwd; not with --image; update keeps it unpinned', () => {
    const svc = applyEditFlags(newService('app', 'default'), flagsFor('create', ['--source', './my app/']), { verb: 'create', now: NOW, random: () => 0, cwd: '/home/me' });
    assert.equal(c0(svc).image, 'local:/home/me/my app');
    assert.equal(tplAnn(svc)['client.knative.dev/user-image'], 'local:/home/me/my app');
    assert.equal(applyEditFlags(newService('app', 'default'), flagsFor('create', ['--source', '/srv/app']), { verb: 'create', now: NOW, random: () => 0, cwd: '/x' }).spec.template.spec.containers[0].image, 'local:/srv/app');
    assert.throws(() => create(['--source', 'x']), (e: KnError) => /only --image or --source/.test(e.message));
    const base = { metadata: { name: 'app-00001' }, spec: { containers: [{ image: 'local:/home/me/my app' }] }, status: { containerStatuses: [{ imageDigest: 'local:/home/me/my app' }] } } as unknown as KObject;
    const upd = update(svc, ['--source', '/srv/v2'], { baseRevision: base });
    assert.equal(c0(upd).image, 'local:/srv/v2');
  });

  test('--mount cm: and --volume: generated volume, read-only mount; unmount removes both', () => {
    const svc = create(['--mount', '/etc/cfg=cm:app-config', '--volume', 'scratch=ed:tmp', '--mount', '/scratch=scratch']);
    const vol = generateVolumeName('/etc/cfg');
    assert.match(vol, /^etc-cfg-[0-9a-f]{8}$/);
    assert.deepEqual(svc.spec.template.spec.volumes, [
      { name: vol, configMap: { name: 'app-config' } },
      { name: 'scratch', emptyDir: {} },
    ]);
    assert.deepEqual(svc.spec.template.spec.containers[0].volumeMounts, [
      { name: vol, mountPath: '/etc/cfg', readOnly: true },
      { name: 'scratch', mountPath: '/scratch' },
    ]);
    const after = update(svc, ['--mount', '/etc/cfg-']);
    assert.deepEqual(after.spec.template.spec.volumes, [{ name: 'scratch', emptyDir: {} }]);
    assert.deepEqual(after.spec.template.spec.containers[0].volumeMounts, [{ name: 'scratch', mountPath: '/scratch' }]);
    assert.throws(() => create(['--mount', '/x=missing']), /There is no volume matched with "missing"/);
  });

  test('update: env NAME=v replaces in place, new ones append, NAME- unsets', () => {
    const svc = create(['-e', 'A=1', '-e', 'B=2', '-e', 'C=3']);
    const out = update(svc, ['-e', 'B=20', '-e', 'D=4', '-e', 'A-']);
    assert.deepEqual(out.spec.template.spec.containers[0].env, [
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
      { name: 'D', value: '4' },
    ]);
    const none = update(svc, ['-e', 'A-', '-e', 'B-', '-e', 'C-']);
    assert.equal(none.spec.template.spec.containers[0].env, undefined, 'an empty env list is omitted');
  });

  test('update: label/annotation/env-from removal with a trailing "-"', () => {
    const svc = create(['-l', 'a=1', '-l', 'b=2', '-a', 'note=x', '--env-from', 'cm:one', '--env-from', 'cm:two']);
    const out = update(svc, ['-l', 'a-', '-a', 'note-', '--env-from', 'cm:one-']);
    assert.deepEqual(out.metadata.labels, { b: '2' });
    assert.deepEqual(out.spec.template.metadata.labels, { b: '2' });
    assert.equal(out.metadata.annotations, undefined);
    assert.equal(out.spec.template.metadata.annotations.note, undefined);
    assert.deepEqual(out.spec.template.spec.containers[0].envFrom, [{ configMapRef: { name: 'two' } }]);
  });

  test('update: --image keeps user-image in step; without --image the base revision digest is pinned', () => {
    const svc = create([]);
    const base: KObject = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: { name: 'hello-00001' },
      spec: { containers: [{ image: 'img' }] },
      status: { containerStatuses: [{ name: 'user-container', imageDigest: 'index.docker.io/img@sha256:abc' }] },
    };
    const pinned = update(svc, ['-e', 'X=1'], { baseRevision: base });
    assert.equal(pinned.spec.template.spec.containers[0].image, 'index.docker.io/img@sha256:abc');
    assert.equal(pinned.spec.template.metadata.annotations['client.knative.dev/user-image'], 'img');
    const retagged = update(pinned, ['--image', 'img:v2'], { baseRevision: base });
    assert.equal(retagged.spec.template.spec.containers[0].image, 'img:v2');
    assert.equal(retagged.spec.template.metadata.annotations['client.knative.dev/user-image'], 'img:v2');
  });

  test('only template-changing flags count as a mutation; apply never stamps the time', () => {
    assert.equal(anyMutation(flagsFor('update', ['--cluster-local'])), false);
    assert.equal(anyMutation(flagsFor('update', ['--scale', '1..3'])), true);
    const svc = update(create([]), ['--cluster-local'], { now: NOW + 60_000 });
    assert.equal(svc.spec.template.metadata.annotations['client.knative.dev/updateTimestamp'], '2024-05-01T10:20:30Z');
    const applied = applyEditFlags(newService('hello', 'default'), flagsFor('apply', ['--image', 'img', '--revision-name', 'x']), { verb: 'apply', now: NOW, random: () => 0 });
    assert.deepEqual(applied.spec.template.metadata, { annotations: { 'client.knative.dev/user-image': 'img' } });
  });

  test('a template change without --revision-name drops a BYO revision name (the server names the revision)', () => {
    const byo = create(['--revision-name', 'world']);
    assert.equal(byo.spec.template.metadata.name, 'hello-world');
    const changed = update(structuredClone(byo), ['--image', 'example.com/other']);
    assert.equal(changed.spec.template.metadata.name, undefined);
    const renamed = update(structuredClone(byo), ['--env', 'A=1', '--revision-name', 'v2']);
    assert.equal(renamed.spec.template.metadata.name, 'hello-v2');
    // No template change (traffic or cluster-local only): the name stays.
    assert.equal(update(structuredClone(byo), ['--cluster-local']).spec.template.metadata.name, 'hello-world');
  });

  test('--scale N | N..M | N.. | ..M', () => {
    assert.deepEqual(parseScale('3'), { min: 3, max: 3 });
    assert.deepEqual(parseScale('1..5'), { min: 1, max: 5 });
    assert.deepEqual(parseScale('2..'), { min: 2, max: undefined });
    assert.deepEqual(parseScale('..7'), { min: undefined, max: 7 });
    const a = create(['--scale', '1..5']).spec.template.metadata.annotations;
    assert.equal(a['autoscaling.knative.dev/min-scale'], '1');
    assert.equal(a['autoscaling.knative.dev/max-scale'], '5');
    const b = create(['--scale', '..4']).spec.template.metadata.annotations;
    assert.equal(b['autoscaling.knative.dev/min-scale'], undefined);
    assert.equal(b['autoscaling.knative.dev/max-scale'], '4');
    assert.throws(() => parseScale('x'), /Scale must be of the format x\.\.y or x/);
    assert.throws(() => create(['--scale', '2', '--scale-max', '3']), /only --scale or --scale-max can be specified/);
  });

  test('--revision-name templates: {{.Service}}, {{.Generation}}, {{.Random n}}, prefix added', () => {
    const svc = newService('hello', 'default');
    svc.metadata.generation = 4;
    const seq = [0, 0.5, 0.99];
    let i = 0;
    const random = () => seq[i++ % seq.length];
    assert.equal(generateRevisionName('{{.Service}}-v{{.Generation}}', svc, random), 'hello-v5');
    assert.equal(generateRevisionName('{{.Random 3}}-{{ .Generation }}', svc, random), 'hello-bnz-5');
    assert.equal(generateRevisionName('hello-world-002', svc, random), 'hello-world-002');
    assert.equal(generateRevisionName('world', svc, random), 'hello-world');
    assert.equal(generateRevisionName('', svc, random), '');
    assert.throws(() => generateRevisionName('{{.Nope}}', svc, random), (e: unknown) => e instanceof KnError && /cannot evaluate \{\{\.Nope\}\}/.test(e.message));
  });

  test('bad values fail with kn’s messages', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--env', 'NOVALUE'], /^Invalid --env: argument requires a value that contains the "=" character; got "NOVALUE"$/],
      [['--port', 'http:x'], /^the port specification 'http:x' is not valid/],
      [['--env-value-from', 'A=cm:only'], /resourceType:name:key/],
      [['--env-value-from', 'A=vault:x:y'], /unsupported env source type/],
      [['--env-from', '-'], /"-" is not a valid value for "--env-from"/],
      [['--scale-window', 'soon'], /^invalid duration for 'scale-window': time: invalid duration "soon"$/],
      [['--concurrency-limit', '-1'], /^invalid concurrency-limit -1 \(must not be less than 0\)$/],
      [['--annotation-service', 'autoscaling.knative.dev/min-scale=1'], /service can not have auto-scaling related annotation/],
      [['--scale-init', '1', '-a', 'autoscaling.knative.dev/initial-scale=2'], /only one of the --scale-init or --annotation/],
      [['--pull-policy', 'sometimes'], /invalid --pull-policy sometimes/],
      [['--security-context', 'loose'], /invalid --security-context loose/],
      [['--request', 'cpu=lots'], /cannot parse quantity "lots"/],
    ];
    for (const [argv, re] of bad) assert.throws(() => create(argv), (e: unknown) => e instanceof KnError && re.test(e.message), argv.join(' '));
  });
});
