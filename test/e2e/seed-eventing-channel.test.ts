// Seed replay, "Eventing及实践" (CloudEvents example: curl → event_display) and "Pub/Sub"
// (channel imc01, subscriptions sub01/sub02 → event-display / event-display-mirror), plus a
// subscription whose subscriber answers 500: retried, then dead-lettered with knativeerror*.
// Commands are the seed's, with kn's objects written as YAML; curl goes through the gateway as
// HTTP proxy, which is what the seed's in-cluster `client` pod does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { kubectl, startSkiffProcess, waitFor, type SkiffProcess } from './harness.js';
import { apply, blocksWithId, ceHeaders, curlPost, failingKsvcYaml, ksvcPod, ksvcYaml, lines, waitForEvent, waitReady } from './eventing-helpers.js';

const EVENT = '☁️  cloudevents.Event';

describe('seed: CloudEvents example and Pub/Sub (channel + subscriptions)', () => {
  let s: SkiffProcess;
  let display = '';
  let mirror = '';
  before(async () => {
    s = await startSkiffProcess();
    await apply(s, [ksvcYaml('event-display'), ksvcYaml('event-display-mirror')].join('---\n'));
    await waitReady(s, 'ksvc event-display event-display-mirror');
    display = await ksvcPod(s, 'event-display');
    mirror = await ksvcPod(s, 'event-display-mirror');
  });
  after(async () => {
    await s?.stop('SIGTERM');
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  test('curl → event-display.default.svc.cluster.local and → event.magedu.com (DomainMapping): 200 and the exact event_display blocks', async () => {
    const r = await curlPost(s, 'http://event-display.default.svc.cluster.local/', ceHeaders('00001', 'com.magedu.file.image'), '{"msg":"Hello MageEdu Knative!"}');
    assert.equal(r.status, 200, r.out);
    assert.match(r.out, /^content-length: 0\r?$/im);
    // The seed's first example goes through a domain mapping (`kn domain create event.magedu.com
    // --ref ksvc:event-display`, with the ClusterDomainClaim the seed's serving part creates) and
    // carries Ce-Time (nanosecond digits kept as sent).
    await apply(
      s,
      `apiVersion: networking.internal.knative.dev/v1alpha1
kind: ClusterDomainClaim
metadata:
  name: event.magedu.com
spec:
  namespace: default
---
apiVersion: serving.knative.dev/v1beta1
kind: DomainMapping
metadata:
  name: event.magedu.com
spec:
  ref:
    apiVersion: serving.knative.dev/v1
    kind: Service
    name: event-display
`,
    );
    await waitReady(s, 'domainmapping event.magedu.com');
    const t = await curlPost(
      s,
      'http://event.magedu.com/',
      ceHeaders('say-hello', 'com.magedu.sayhievent', 'sendoff', { 'Ce-Time': '2022-02-17T11:35:56.7181741Z' }),
      '{"msg":"Hello MageEdu Knative!"}',
    );
    assert.equal(t.status, 200, t.out);

    assert.equal(
      await waitForEvent(s, display, '00001'),
      lines(EVENT, 'Context Attributes,', '  specversion: 1.0', '  type: com.magedu.file.image', '  source: curl', '  id: 00001', '  datacontenttype: application/json', 'Data,', '  {', '    "msg": "Hello MageEdu Knative!"', '  }'),
    );
    assert.equal(
      await waitForEvent(s, display, 'say-hello'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: com.magedu.sayhievent',
        '  source: sendoff',
        '  id: say-hello',
        '  time: 2022-02-17T11:35:56.7181741Z',
        '  datacontenttype: application/json',
        'Data,',
        '  {',
        '    "msg": "Hello MageEdu Knative!"',
        '  }',
      ),
    );
  });

  test('kn channel create imc01 --type imc; sub01 → event-display; curl the channel → 202; both subscriptions fan out', async () => {
    // What `kn channel create imc01 --type messaging.knative.dev:v1:InMemoryChannel` and
    // `kn subscription create sub01 --channel imc01 --sink ksvc:event-display:default` create.
    await apply(
      s,
      `apiVersion: messaging.knative.dev/v1
kind: Channel
metadata:
  name: imc01
spec:
  channelTemplate:
    apiVersion: messaging.knative.dev/v1
    kind: InMemoryChannel
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata:
  name: sub01
spec:
  channel:
    apiVersion: messaging.knative.dev/v1
    kind: Channel
    name: imc01
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display
      namespace: default
`,
    );
    await waitReady(s, 'channels.messaging.knative.dev imc01');
    await waitReady(s, 'subscription sub01');
    const ch = await kubectl(s, ['get', 'channels.messaging.knative.dev']);
    assert.match(ch.stdout, /^NAME +URL +AGE +READY +REASON$/m);
    assert.match(ch.stdout, /^imc01 +http:\/\/imc01-kn-channel\.default\.svc\.cluster\.local +\S+ +True *$/m);
    const imc = await kubectl(s, ['get', 'imc']);
    assert.match(imc.stdout, /^imc01 +http:\/\/imc01-kn-channel\.default\.svc\.cluster\.local +\S+ +True *$/m, 'the backing InMemoryChannel');
    const sub = await kubectl(s, ['get', 'sub']);
    assert.match(sub.stdout, /^sub01 +\S+ +True *$/m);
    const uri = await kubectl(s, ['get', 'sub', 'sub01', '-o', 'jsonpath={.status.physicalSubscription.subscriberUri}']);
    assert.equal(uri.stdout, 'http://event-display.default.svc.cluster.local');

    const first = await curlPost(s, 'http://imc01-kn-channel.default.svc.cluster.local', ceHeaders('00001', 'com.magedu.file.image'), '{"msg":"Hello IMC Channel!"}');
    assert.equal(first.status, 202, first.out);
    assert.match(first.out, /^HTTP\/1\.1 202 Accepted\r?$/m);
    assert.match(first.out, /^allow: POST, OPTIONS\r?$/im, 'the seed shows Allow on the channel answer');
    const helloImc = (msg: string) =>
      lines(EVENT, 'Context Attributes,', '  specversion: 1.0', '  type: com.magedu.file.image', '  source: curl', '  id: 00001', '  datacontenttype: application/json', 'Data,', '  {', `    "msg": "${msg}"`, '  }');
    await waitFor('Hello IMC Channel! at event-display', async () => (await blocksWithId(s, display, '00001')).some((b) => b === helloImc('Hello IMC Channel!')));

    // sub02 → event-display-mirror; the second event reaches both displays.
    await apply(
      s,
      `apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata:
  name: sub02
spec:
  channel:
    apiVersion: messaging.knative.dev/v1
    kind: Channel
    name: imc01
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display-mirror
      namespace: default
`,
    );
    await waitReady(s, 'subscription sub02');
    const subs = await kubectl(s, ['get', 'subscriptions']);
    assert.match(subs.stdout, /^sub01 +\S+ +True *$/m);
    assert.match(subs.stdout, /^sub02 +\S+ +True *$/m);
    const second = await curlPost(s, 'http://imc01-kn-channel.default.svc.cluster.local', ceHeaders('00001', 'com.magedu.file.image'), '{"msg":"Hello IMC Channel! 00002"}');
    assert.equal(second.status, 202, second.out);
    for (const pod of [display, mirror]) {
      await waitFor(`Hello IMC Channel! 00002 at ${pod}`, async () => (await blocksWithId(s, pod, '00001')).some((b) => b === helloImc('Hello IMC Channel! 00002')));
    }
    // The mirror subscribed after the first event: it never saw it.
    assert.ok(!(await blocksWithId(s, mirror, '00001')).some((b) => b === helloImc('Hello IMC Channel!')));
  });

  test('subscription with retry 2 / linear / PT0.1S to a subscriber answering 500: 3 attempts, then the DLS gets knativeerror*', async () => {
    await apply(
      s,
      [
        failingKsvcYaml('failer'),
        `apiVersion: messaging.knative.dev/v1
kind: InMemoryChannel
metadata:
  name: imc-dls
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata:
  name: sub-fail
spec:
  channel:
    apiVersion: messaging.knative.dev/v1
    kind: InMemoryChannel
    name: imc-dls
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: failer
  delivery:
    retry: 2
    backoffPolicy: linear
    backoffDelay: PT0.1S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: event-display-mirror
`,
      ].join('---\n'),
    );
    await waitReady(s, 'ksvc failer');
    await waitReady(s, 'subscription sub-fail');
    const dls = await kubectl(s, ['get', 'sub', 'sub-fail', '-o', 'jsonpath={.status.physicalSubscription.deadLetterSinkUri}']);
    assert.equal(dls.stdout, 'http://event-display-mirror.default.svc.cluster.local');

    const r = await curlPost(s, 'http://imc-dls-kn-channel.default.svc.cluster.local', ceHeaders('dead-1', 'com.magedu.fail'), '{"msg":"nobody wants me"}');
    assert.equal(r.status, 202, r.out);
    assert.equal(
      await waitForEvent(s, mirror, 'dead-1'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: com.magedu.fail',
        '  source: curl',
        '  id: dead-1',
        '  datacontenttype: application/json',
        'Extensions,',
        '  knativeerrorcode: 500',
        '  knativeerrordata: Ym9vbQ==',
        '  knativeerrordest: http://failer.default.svc.cluster.local',
        'Data,',
        '  {',
        '    "msg": "nobody wants me"',
        '  }',
      ),
    );
    const failer = await ksvcPod(s, 'failer');
    const logs = await kubectl(s, ['logs', failer, '-c', 'user-container']);
    assert.equal(logs.stdout.split('\n').filter((l) => l === 'attempt dead-1').length, 3, `retry 2 = 3 attempts:\n${logs.stdout}`);
  });
});
