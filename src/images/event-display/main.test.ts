// Process tests: the compiled event-display program prints received events to stdout.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type RunningImage } from '../testing.js';

describe('event-display image', { timeout: 10_000 }, () => {
  let img: RunningImage;
  before(async () => {
    img = await startImage('ikubernetes/event_display');
  });
  after(async () => img.kill());

  test('binary event: 200 with no body, the seed\'s block on stdout', async () => {
    const res = await fetch(img.url('/'), {
      method: 'POST',
      headers: {
        'Ce-Id': 'say-hello',
        'Ce-Specversion': '1.0',
        'Ce-Type': 'com.magedu.sayhievent',
        'Ce-Time': '2022-02-17T11:35:56.7181741Z',
        'Ce-Source': 'sendoff',
        'Content-Type': 'application/json',
      },
      body: '{"msg":"Hello MageEdu Knative!"}',
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    const block = [
      '☁️  cloudevents.Event',
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
      '',
    ].join('\n');
    assert.equal(await img.waitForStdout((o) => o.includes('id: say-hello') && o.endsWith('  }\n')), block);
  });

  test('structured event: printed the same way, extensions sorted', async () => {
    const before = img.stdout().length;
    const res = await fetch(img.url('/'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        type: 'dev.knative.eventing.samples.heartbeat',
        source: 'https://knative.dev/eventing-contrib/cmd/heartbeats/#default/hb',
        id: 'b9cdae50-178f-43c9-803c-3762858ad76c',
        time: '2022-05-09T14:27:16.371666867Z',
        datacontenttype: 'application/json',
        the: 42,
        heart: 'yes',
        beats: true,
        data: { id: 28, label: '' },
      }),
    });
    assert.equal(res.status, 200);
    const out = (await img.waitForStdout((o) => o.length > before && o.endsWith('  }\n'))).slice(before);
    assert.equal(
      out,
      [
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.eventing.samples.heartbeat',
        '  source: https://knative.dev/eventing-contrib/cmd/heartbeats/#default/hb',
        '  id: b9cdae50-178f-43c9-803c-3762858ad76c',
        '  time: 2022-05-09T14:27:16.371666867Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  beats: true',
        '  heart: yes',
        '  the: 42',
        'Data,',
        '  {',
        '    "id": 28,',
        '    "label": ""',
        '  }',
        '',
      ].join('\n'),
    );
  });

  test('health endpoint and non-events', async () => {
    assert.equal((await fetch(img.url('/healthz'))).status, 204);
    const before = img.stdout();
    const bad = await fetch(img.url('/'), { method: 'POST', body: 'hello' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /not a CloudEvent/);
    assert.equal((await fetch(img.url('/'))).status, 405);
    assert.equal(img.stdout(), before, 'nothing printed for rejected requests');
  });
});
