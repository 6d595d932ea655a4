// Seed replay, "Message Broker": broker01 (MTChannelBasedBroker) with push-trigger / issue-trigger
// routing GitLab-shaped events by type to event-display / event-display-mirror; a reply
// (appender) re-entering the broker and matching a second trigger; an event sent from inside a
// workload (`kubectl run client --image=ikubernetes/admin-box -- curl …`, through HTTP_PROXY); a
// trigger whose subscriber fails, dead-lettered after its retries; the default broker — Skiff's
// durable SkiffLogBroker class from config-br-defaults, and injection by namespace label and by
// trigger annotation (`eventing.knative.dev/injection`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { getJson, kubectl, startSkiffProcess, waitFor, type SkiffProcess } from './harness.js';
import { apply, blocksWithId, ceHeaders, curlPost, failingKsvcYaml, ksvcPod, ksvcYaml, lines, waitForEvent, waitReady } from './eventing-helpers.js';

const EVENT = '☁️  cloudevents.Event';
const INGRESS = 'http://broker-ingress.knative-eventing.svc.cluster.local';
const GITLAB = 'http://code.gitlab.svc.cluster.local/root/myproject';

function trigger(name: string, broker: string, type: string | undefined, subscriber: string, extra = ''): string {
  return `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ${name}
spec:
  broker: ${broker}
${type ? `  filter:\n    attributes:\n      type: ${type}\n` : ''}  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: ${subscriber}
${extra}`;
}

describe('seed: Message Broker (broker01, triggers by type, replies, client pod, dead letters, default broker)', () => {
  let s: SkiffProcess;
  let display = '';
  let mirror = '';
  before(async () => {
    s = await startSkiffProcess();
    await apply(
      s,
      [
        ksvcYaml('event-display'),
        ksvcYaml('event-display-mirror'),
        ksvcYaml('appender', 'ikubernetes/appender', '        env:\n        - name: MESSAGE\n          value: " - appended"\n        - name: TYPE\n          value: com.magedu.appended\n'),
        failingKsvcYaml('failer'),
      ].join('---\n'),
    );
    await waitReady(s, 'ksvc event-display event-display-mirror appender failer');
    display = await ksvcPod(s, 'event-display');
    mirror = await ksvcPod(s, 'event-display-mirror');
  });
  after(async () => {
    await s?.stop('SIGTERM');
    if (s) rmSync(s.dataDir, { recursive: true, force: true });
  });

  test('kn broker create broker01 --class MTChannelBasedBroker; push/issue triggers; GitLab events reach only their display', async () => {
    await apply(
      s,
      [
        `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: broker01
  namespace: default
  annotations:
    eventing.knative.dev/broker.class: MTChannelBasedBroker
`,
        trigger('push-trigger', 'broker01', 'dev.knative.sources.gitlab.push', 'event-display'),
        trigger('issue-trigger', 'broker01', 'dev.knative.sources.gitlab.issue', 'event-display-mirror'),
      ].join('---\n'),
    );
    await waitReady(s, 'broker broker01');
    await waitReady(s, 'trigger push-trigger issue-trigger');
    const brokers = await kubectl(s, ['get', 'broker']);
    assert.match(brokers.stdout, /^NAME +URL +AGE +READY +REASON$/m);
    assert.match(brokers.stdout, /^broker01 +http:\/\/broker-ingress\.knative-eventing\.svc\.cluster\.local\/default\/broker01 +\S+ +True *$/m);
    const triggers = await kubectl(s, ['get', 'triggers']);
    assert.match(triggers.stdout, /^NAME +BROKER +SUBSCRIBER_URI +AGE +READY +REASON$/m);
    assert.match(triggers.stdout, /^issue-trigger +broker01 +http:\/\/event-display-mirror\.default\.svc\.cluster\.local +\S+ +True *$/m);
    assert.match(triggers.stdout, /^push-trigger +broker01 +http:\/\/event-display\.default\.svc\.cluster\.local +\S+ +True *$/m);
    const conditions = (await getJson(s, '/apis/eventing.knative.dev/v1/namespaces/default/brokers/broker01')).status.conditions.map((c: any) => `${c.type}=${c.status}`).sort();
    assert.deepEqual(conditions, ['Addressable=True', 'DeadLetterSinkResolved=True', 'FilterReady=True', 'IngressReady=True', 'Ready=True', 'TriggerChannelReady=True']);

    // What the GitLabSource posts for a push and for an issue (binary mode, "Push Hook" with a space).
    const push = await curlPost(
      s,
      `${INGRESS}/default/broker01`,
      ceHeaders('5ff51630-b38d-41bd-817c-3a55c9c51f31', 'dev.knative.sources.gitlab.push', GITLAB, { 'Ce-Time': '2022-05-11T06:46:09.568450155Z', 'Ce-Comgitlabevent': 'Push Hook' }),
      '{"object_kind":"push","ref":"refs/heads/master","total_commits_count":1}',
    );
    assert.equal(push.status, 202, push.out);
    const issue = await curlPost(
      s,
      `${INGRESS}/default/broker01`,
      ceHeaders('2f8d0cc7-765e-46d3-967c-4bbf339de80b', 'dev.knative.sources.gitlab.issue', GITLAB, { 'Ce-Time': '2022-05-11T06:47:46.183736909Z', 'Ce-Comgitlabevent': 'Issue Hook' }),
      '{"object_kind":"issue","object_attributes":{"id":1,"title":"test"}}',
    );
    assert.equal(issue.status, 202, issue.out);

    assert.equal(
      await waitForEvent(s, display, '5ff51630-b38d-41bd-817c-3a55c9c51f31'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.sources.gitlab.push',
        `  source: ${GITLAB}`,
        '  id: 5ff51630-b38d-41bd-817c-3a55c9c51f31',
        '  time: 2022-05-11T06:46:09.568450155Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  comgitlabevent: Push Hook',
        '  knativearrivaltime: <time>',
        'Data,',
        '  {',
        '    "object_kind": "push",',
        '    "ref": "refs/heads/master",',
        '    "total_commits_count": 1',
        '  }',
      ),
    );
    assert.equal(
      await waitForEvent(s, mirror, '2f8d0cc7-765e-46d3-967c-4bbf339de80b'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.sources.gitlab.issue',
        `  source: ${GITLAB}`,
        '  id: 2f8d0cc7-765e-46d3-967c-4bbf339de80b',
        '  time: 2022-05-11T06:47:46.183736909Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  comgitlabevent: Issue Hook',
        '  knativearrivaltime: <time>',
        'Data,',
        '  {',
        '    "object_kind": "issue",',
        '    "object_attributes": {',
        '      "id": 1,',
        '      "title": "test"',
        '    }',
        '  }',
      ),
    );
    // The MT broker answers after its fan-out: by now each display has seen all it will see.
    assert.deepEqual(await blocksWithId(s, display, '2f8d0cc7-765e-46d3-967c-4bbf339de80b'), [], 'the push display never sees the issue');
    assert.deepEqual(await blocksWithId(s, mirror, '5ff51630-b38d-41bd-817c-3a55c9c51f31'), [], 'the issue display never sees the push');
  });

  test('a reply (appender) re-enters broker01 and is routed by a second trigger', async () => {
    await apply(s, [trigger('start-trigger', 'broker01', 'com.magedu.start', 'appender'), trigger('appended-trigger', 'broker01', 'com.magedu.appended', 'event-display')].join('---\n'));
    await waitReady(s, 'trigger start-trigger appended-trigger');
    const r = await curlPost(s, `${INGRESS}/default/broker01`, ceHeaders('reply-1', 'com.magedu.start'), '{"id":1,"message":"hello"}');
    assert.equal(r.status, 202, r.out);
    const block = await waitForEvent(s, display, 'reply-1');
    const time = /^ {2}time: (\S+)$/m.exec(block)?.[1];
    assert.ok(time && Math.abs(Date.parse(time) - Date.now()) < 60_000, `appender stamps a time: ${block}`);
    assert.equal(
      block.replace(`  time: ${time}\n`, '  time: <now>\n'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: com.magedu.appended',
        '  source: curl',
        '  id: reply-1',
        '  time: <now>',
        '  datacontenttype: application/json',
        'Extensions,',
        '  knativearrivaltime: <time>',
        'Data,',
        '  {',
        '    "id": 1,',
        '    "message": "hello - appended"',
        '  }',
      ),
    );
    assert.deepEqual(await blocksWithId(s, mirror, 'reply-1'), []);
  });

  test('kubectl run client --image=ikubernetes/admin-box -- curl … broker-ingress…/default/broker01 (through HTTP_PROXY)', async () => {
    const run = await kubectl(s, [
      'run', 'client', '--image=ikubernetes/admin-box', '--restart=Never', '--',
      'curl', '-s', '-o', '/dev/null', '-w', 'status=%{http_code}\\n', '-X', 'POST', `${INGRESS}/default/broker01`,
      '-H', 'Ce-Id: from-client', '-H', 'Ce-Specversion: 1.0', '-H', 'Ce-Type: dev.knative.sources.gitlab.push', '-H', 'Ce-Source: client',
      '-H', 'Content-Type: application/json', '-d', '{"msg":"Hello from the client pod"}',
    ]);
    assert.equal(run.code, 0, run.stderr);
    await waitFor('pod client Succeeded', async () => (await getJson(s, '/api/v1/namespaces/default/pods/client'))?.status?.phase === 'Succeeded', 20000);
    assert.equal((await kubectl(s, ['logs', 'client'])).stdout.trim(), 'status=202');
    assert.equal(
      await waitForEvent(s, display, 'from-client'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.sources.gitlab.push',
        '  source: client',
        '  id: from-client',
        '  datacontenttype: application/json',
        'Extensions,',
        '  knativearrivaltime: <time>',
        'Data,',
        '  {',
        '    "msg": "Hello from the client pod"',
        '  }',
      ),
    );
  });

  test('trigger with retry 2 / linear / PT0.1S to a subscriber answering 500: 3 attempts, then the DLS gets knativeerror*', async () => {
    await apply(
      s,
      trigger(
        'fail-trigger',
        'broker01',
        'com.magedu.fail',
        'failer',
        `  delivery:
    retry: 2
    backoffPolicy: linear
    backoffDelay: PT0.1S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: event-display-mirror
`,
      ),
    );
    await waitReady(s, 'trigger fail-trigger');
    const st = (await getJson(s, '/apis/eventing.knative.dev/v1/namespaces/default/triggers/fail-trigger')).status;
    assert.equal(st.deadLetterSinkUri, 'http://event-display-mirror.default.svc.cluster.local');
    assert.equal(st.subscriberUri, 'http://failer.default.svc.cluster.local');

    const r = await curlPost(s, `${INGRESS}/default/broker01`, ceHeaders('dead-1', 'com.magedu.fail'), '{"msg":"nobody wants me"}');
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
        '  knativearrivaltime: <time>',
        '  knativebrokerttl: 255',
        '  knativeerrorcode: 500',
        '  knativeerrordata: Ym9vbQ==',
        '  knativeerrordest: http://failer.default.svc.cluster.local',
        'Data,',
        '  {',
        '    "msg": "nobody wants me"',
        '  }',
      ),
    );
    const logs = await kubectl(s, ['logs', await ksvcPod(s, 'failer'), '-c', 'user-container']);
    assert.equal(logs.stdout.split('\n').filter((l) => l === 'attempt dead-1').length, 3, `retry 2 = 3 attempts:\n${logs.stdout}`);
  });

  test('the default class is the durable SkiffLogBroker (config-br-defaults), and kubectl shows it', async () => {
    const cm = await kubectl(s, ['get', 'cm', 'config-br-defaults', '-n', 'knative-eventing', '-o', 'jsonpath={.data.default-br-config}']);
    assert.match(cm.stdout, /clusterDefault:\n {2}brokerClass: SkiffLogBroker\n/);
    await apply(s, 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: plain\n');
    await waitReady(s, 'broker plain');
    const yaml = await kubectl(s, ['get', 'broker', 'plain', '-o', 'yaml']);
    assert.match(yaml.stdout, /^ {4}eventing\.knative\.dev\/broker\.class: SkiffLogBroker$/m);
    assert.match(yaml.stdout, /^ {2}delivery:\n {4}backoffDelay: PT0\.2S\n {4}backoffPolicy: exponential\n {4}retry: 10$/m, 'Knative delivery defaults');
    const conditions = (await getJson(s, '/apis/eventing.knative.dev/v1/namespaces/default/brokers/plain')).status.conditions.map((c: any) => `${c.type}=${c.status}`).sort();
    assert.deepEqual(conditions, ['Addressable=True', 'DeadLetterSinkResolved=True', 'EventLogReady=True', 'FilterReady=True', 'IngressReady=True', 'Ready=True']);
  });

  test('default broker by injection: namespace label and trigger annotation eventing.knative.dev/injection=enabled', async () => {
    assert.equal((await kubectl(s, ['create', 'ns', 'event-demo'])).code, 0);
    assert.equal((await kubectl(s, ['label', 'ns', 'event-demo', 'eventing.knative.dev/injection=enabled'])).code, 0);
    await waitFor('broker default in event-demo', async () => (await kubectl(s, ['get', 'broker', 'default', '-n', 'event-demo'])).code === 0);
    await waitReady(s, 'broker default -n event-demo');
    const b = await kubectl(s, ['get', 'broker', '-n', 'event-demo']);
    assert.match(b.stdout, /^default +http:\/\/broker-ingress\.knative-eventing\.svc\.cluster\.local\/event-demo\/default +\S+ +True *$/m);
    const injected = (await getJson(s, '/apis/eventing.knative.dev/v1/namespaces/event-demo/brokers/default')).metadata;
    assert.equal(injected.labels?.['eventing.knative.dev/injected'], 'true');
    assert.equal(injected.annotations?.['eventing.knative.dev/broker.class'], 'SkiffLogBroker');

    // Trigger sugar: a trigger on "default" with the injection annotation creates the broker.
    assert.equal((await kubectl(s, ['create', 'ns', 'event-demo2'])).code, 0);
    await apply(
      s,
      `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: to-display
  namespace: event-demo2
  annotations:
    eventing.knative.dev/injection: enabled
spec:
  broker: default
  subscriber:
    uri: http://event-display.default.svc.cluster.local
`,
    );
    await waitFor('broker default in event-demo2', async () => (await kubectl(s, ['get', 'broker', 'default', '-n', 'event-demo2'])).code === 0);
    await waitReady(s, 'broker default -n event-demo2');
    await waitReady(s, 'trigger to-display -n event-demo2');
    const r = await curlPost(s, `${INGRESS}/event-demo2/default`, ceHeaders('via-default', 'com.magedu.hello'), '{"msg":"through the injected default broker"}');
    assert.equal(r.status, 202, r.out);
    assert.equal(
      await waitForEvent(s, display, 'via-default'),
      lines(
        EVENT,
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: com.magedu.hello',
        '  source: curl',
        '  id: via-default',
        '  datacontenttype: application/json',
        'Extensions,',
        '  knativearrivaltime: <time>',
        'Data,',
        '  {',
        '    "msg": "through the injected default broker"',
        '  }',
      ),
    );
  });
});
