// event_display's output for the events of the seed transcript: each case decodes the HTTP request
// the seed's producer sent and must print exactly the block the seed shows in `kubectl logs`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHttpCloudEvent } from '../lib/cloudevents.cjs';
import { formatCloudEvent } from './format.cjs';

function binary(headers: Record<string, string>, body = ''): string {
  return formatCloudEvent(decodeHttpCloudEvent(headers, Buffer.from(body)));
}

function structured(event: string): string {
  return formatCloudEvent(decodeHttpCloudEvent({ 'content-type': 'application/cloudevents+json' }, Buffer.from(event)));
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('event-display output matches the seed transcript', () => {
  test('curl binary event with JSON data (seed: "自定义curl source")', () => {
    const out = binary(
      { 'ce-id': '00001', 'ce-specversion': '1.0', 'ce-type': 'com.magedu.file.image', 'ce-source': 'curl', 'content-type': 'application/json' },
      '{"msg":"Hello MageEdu Knative!"}',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: com.magedu.file.image',
        '  source: curl',
        '  id: 00001',
        '  datacontenttype: application/json',
        'Data,',
        '  {',
        '    "msg": "Hello MageEdu Knative!"',
        '  }',
      ),
    );
  });

  test('heartbeat from the ContainerSource: extensions sorted, nanosecond time', () => {
    const out = binary(
      {
        'ce-specversion': '1.0',
        'ce-type': 'dev.knative.eventing.samples.heartbeat',
        'ce-source': 'https://knative.dev/eventing-contrib/cmd/heartbeats/#default/containersource-heartbeat-deployment-56c7896d86-qd255',
        'ce-id': '78d11261-c080-437a-b602-6770b0bcfc7c',
        'ce-time': '2022-05-09T14:27:11.377498709Z',
        'ce-the': '42',
        'ce-heart': 'yes',
        'ce-beats': 'true',
        'content-type': 'application/json',
      },
      '{"id":27,"label":""}',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.eventing.samples.heartbeat',
        '  source: https://knative.dev/eventing-contrib/cmd/heartbeats/#default/containersource-heartbeat-deployment-56c7896d86-qd255',
        '  id: 78d11261-c080-437a-b602-6770b0bcfc7c',
        '  time: 2022-05-09T14:27:11.377498709Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  beats: true',
        '  heart: yes',
        '  the: 42',
        'Data,',
        '  {',
        '    "id": 27,',
        '    "label": ""',
        '  }',
      ),
    );
  });

  test('PingSource event without datacontenttype: data printed raw', () => {
    const out = binary(
      {
        'ce-specversion': '1.0',
        'ce-type': 'dev.knative.sources.ping',
        'ce-source': '/apis/v1/namespaces/default/pingsources/pingsource01',
        'ce-id': '4d25daaf-1e0e-40d7-a96f-afdac45afe1a',
        'ce-time': '2022-05-09T14:07:00.31915484Z',
      },
      '{"message": "event from pingsource01"}',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.sources.ping',
        '  source: /apis/v1/namespaces/default/pingsources/pingsource01',
        '  id: 4d25daaf-1e0e-40d7-a96f-afdac45afe1a',
        '  time: 2022-05-09T14:07:00.31915484Z',
        'Data,',
        '  {"message": "event from pingsource01"}',
      ),
    );
  });

  test('ApiServerSource event: subject between source and id', () => {
    const out = binary(
      {
        'ce-specversion': '1.0',
        'ce-type': 'dev.knative.apiserver.ref.update',
        'ce-source': 'https://10.68.0.1:443',
        'ce-subject': '/apis/v1/namespaces/default/pods/client02',
        'ce-id': '6eefa2ba-11f4-4db1-9dc5-8c2dcddc6d80',
        'ce-time': '2022-05-09T14:43:32.878498878Z',
        'ce-kind': 'Pod',
        'ce-name': 'client02',
        'ce-namespace': 'default',
        'content-type': 'application/json',
      },
      '{"kind":"Pod","namespace":"default","name":"client02","apiVersion":"v1"}',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.apiserver.ref.update',
        '  source: https://10.68.0.1:443',
        '  subject: /apis/v1/namespaces/default/pods/client02',
        '  id: 6eefa2ba-11f4-4db1-9dc5-8c2dcddc6d80',
        '  time: 2022-05-09T14:43:32.878498878Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  kind: Pod',
        '  name: client02',
        '  namespace: default',
        'Data,',
        '  {',
        '    "kind": "Pod",',
        '    "namespace": "default",',
        '    "name": "client02",',
        '    "apiVersion": "v1"',
        '  }',
      ),
    );
  });

  test('KafkaSource event: plain-text data, millisecond time', () => {
    const out = binary(
      {
        'ce-specversion': '1.0',
        'ce-type': 'dev.knative.kafka.event',
        'ce-source': '/apis/v1/namespaces/default/kafkasources/kafkasource-demo#topic01',
        'ce-subject': 'partition:0#0',
        'ce-id': 'partition:0/offset:0',
        'ce-time': '2022-05-14T09:28:27.612Z',
      },
      'Hello kafkaSource!',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.kafka.event',
        '  source: /apis/v1/namespaces/default/kafkasources/kafkasource-demo#topic01',
        '  subject: partition:0#0',
        '  id: partition:0/offset:0',
        '  time: 2022-05-14T09:28:27.612Z',
        'Data,',
        '  Hello kafkaSource!',
      ),
    );
  });

  test('event without data has no Data section (seed: IMC channel)', () => {
    const out = binary({ 'ce-id': '00001', 'ce-specversion': '1.0', 'ce-type': 'com.magedu.file.image', 'ce-source': 'curl', 'content-type': 'application/json' });
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: com.magedu.file.image',
        '  source: curl',
        '  id: 00001',
        '  datacontenttype: application/json',
      ),
    );
  });

  test('GitLab event via a broker: escapes kept, empty arrays and nulls as Go prints them', () => {
    const out = binary(
      {
        'ce-specversion': '1.0',
        'ce-type': 'dev.knative.sources.gitlab.push',
        'ce-source': 'http://code.gitlab.svc.cluster.local/root/myproject',
        'ce-id': '5ff51630-b38d-41bd-817c-3a55c9c51f31',
        'ce-time': '2022-05-11T06:46:09.568450155Z',
        'ce-comgitlabevent': 'Push Hook',
        'ce-knativearrivaltime': '2022-05-11T06:46:09.602420578Z',
        'content-type': 'application/json',
      },
      '{"object_kind":"push","user_avatar":"https://www.gravatar.com/avatar/dafa3f209d417114218e7c150f7f4215?s=80\\u0026d=identicon",' +
        '"commits":[{"id":"042e605640ba88ab9b9d9dd08794d5a225c7b8ec","message":"Add simple search to projects in public area\\n\\ncommit message body",' +
        '"author":{"name":"Administrator","email":"mage@magedu.com"},"added":["README.md"],"modified":[],"removed":null}],"total_commits_count":1}',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: dev.knative.sources.gitlab.push',
        '  source: http://code.gitlab.svc.cluster.local/root/myproject',
        '  id: 5ff51630-b38d-41bd-817c-3a55c9c51f31',
        '  time: 2022-05-11T06:46:09.568450155Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  comgitlabevent: Push Hook',
        '  knativearrivaltime: 2022-05-11T06:46:09.602420578Z',
        'Data,',
        '  {',
        '    "object_kind": "push",',
        '    "user_avatar": "https://www.gravatar.com/avatar/dafa3f209d417114218e7c150f7f4215?s=80\\u0026d=identicon",',
        '    "commits": [',
        '      {',
        '        "id": "042e605640ba88ab9b9d9dd08794d5a225c7b8ec",',
        '        "message": "Add simple search to projects in public area\\n\\ncommit message body",',
        '        "author": {',
        '          "name": "Administrator",',
        '          "email": "mage@magedu.com"',
        '        },',
        '        "added": [',
        '          "README.md"',
        '        ],',
        '        "modified": [],',
        '        "removed": null',
        '      }',
        '    ],',
        '    "total_commits_count": 1',
        '  }',
      ),
    );
  });

  test('Sequence output (appender reply): JSON data with id and message', () => {
    const out = binary(
      {
        'ce-specversion': '1.0',
        'ce-type': 'com.magedu.file.image',
        'ce-source': 'curl',
        'ce-id': '00001',
        'ce-time': '2022-05-11T08:27:45.262726535Z',
        'content-type': 'application/json',
      },
      '{"id":0,"message":" - Handled by SQ-01 - Handled by SQ-02 - Handled by SQ-03"}',
    );
    assert.ok(out.endsWith(lines('Data,', '  {', '    "id": 0,', '    "message": " - Handled by SQ-01 - Handled by SQ-02 - Handled by SQ-03"', '  }')));
    assert.ok(out.includes('  time: 2022-05-11T08:27:45.262726535Z\n  datacontenttype: application/json\nData,\n'));
  });
});

describe('event-display output for structured-mode events', () => {
  test('JSON data kept byte-exact and re-indented; extension types as Go prints them', () => {
    const out = structured(
      '{"specversion":"1.0","type":"t","source":"/s","id":"1","time":"2022-05-09T22:27:11.3774987+08:00",' +
        '"datacontenttype":"application/json","the":42,"beats":true,"heart":"yes","data":{"b":1.50,"a":"x\\u0026y"}}',
    );
    assert.equal(
      out,
      lines(
        '☁️  cloudevents.Event',
        'Context Attributes,',
        '  specversion: 1.0',
        '  type: t',
        '  source: /s',
        '  id: 1',
        '  time: 2022-05-09T14:27:11.3774987Z',
        '  datacontenttype: application/json',
        'Extensions,',
        '  beats: true',
        '  heart: yes',
        '  the: 42',
        'Data,',
        '  {',
        '    "b": 1.50,',
        '    "a": "x\\u0026y"',
        '  }',
      ),
    );
  });

  test('data_base64 prints as "Data (binary)," with the decoded bytes', () => {
    const out = structured('{"specversion":"1.0","type":"t","source":"/s","id":"1","datacontenttype":"text/plain","data_base64":"aGVsbG8="}');
    assert.ok(out.endsWith('  datacontenttype: text/plain\nData (binary),\n  hello\n'), out);
  });

  test('JSON without datacontenttype stays compact (Go only indents application/json)', () => {
    const out = structured('{"specversion":"1.0","type":"t","source":"/s","id":"1","data":{"a": [1, 2]}}');
    assert.ok(out.endsWith('  id: 1\nData,\n  {"a": [1, 2]}\n'), out);
  });

  test('invalid JSON data is printed raw', () => {
    const out = binary({ 'ce-id': '1', 'ce-specversion': '1.0', 'ce-type': 't', 'ce-source': 's', 'content-type': 'application/json; charset=utf-8' }, '{not json');
    assert.ok(out.endsWith('  datacontenttype: application/json; charset=utf-8\nData,\n  {not json\n'), out);
  });
});
