import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { toBinaryHttp } from '../../../eventing/cloudevents/index.js';
import { buildEvent, dataFromFields, DEFAULT_EVENT_TYPE, typedFieldValue, type EventFlagValues } from './build.js';

const base = (v: Partial<EventFlagValues> = {}): EventFlagValues => ({
  type: DEFAULT_EVENT_TYPE,
  source: 'skiff-event/test',
  id: 'id-1',
  time: '2024-05-10T14:36:25Z',
  fields: [],
  rawFields: [],
  extensions: [],
  ...v,
});

describe('event build', () => {
  test('attributes; no data when none is given', () => {
    assert.deepEqual(buildEvent(base({ subject: 'img.png', extensions: ['partitionkey=7'] })), {
      specversion: '1.0',
      id: 'id-1',
      source: 'skiff-event/test',
      type: DEFAULT_EVENT_TYPE,
      subject: 'img.png',
      time: '2024-05-10T14:36:25Z',
      partitionkey: '7',
    });
    assert.equal(buildEvent(base({ time: '' })).time, undefined);
  });

  test('--data: a JSON object/array is JSON, anything else text/plain; --content-type overrides', () => {
    const json = buildEvent(base({ data: '{"msg": "Hello"}' }));
    assert.equal(json.datacontenttype, 'application/json');
    assert.deepEqual(json.data, { msg: 'Hello' });
    assert.equal(toBinaryHttp(json).body.toString(), '{"msg":"Hello"}');
    const text = buildEvent(base({ data: 'hello there' }));
    assert.equal(text.datacontenttype, 'text/plain');
    assert.equal(toBinaryHttp(text).body.toString(), 'hello there');
    assert.equal(buildEvent(base({ data: '42' })).datacontenttype, 'text/plain');
    const xml = buildEvent(base({ data: '<a/>', contentType: 'application/xml' }));
    assert.equal(toBinaryHttp(xml).headers['content-type'], 'application/xml');
    assert.equal(toBinaryHttp(xml).body.toString(), '<a/>');
    assert.deepEqual(buildEvent(base({ data: '"s"', contentType: 'application/json' })).data, 's');
    assert.throws(() => buildEvent(base({ data: 'nope', contentType: 'application/json' })), /invalid value 'nope' for '--data': not valid JSON, but --content-type is application\/json/);
  });

  test('--field values keep their type; --raw-field stays a string; dotted paths nest', () => {
    assert.equal(typedFieldValue('18'), 18);
    assert.equal(typedFieldValue('-3'), -3);
    assert.equal(typedFieldValue('true'), true);
    assert.equal(typedFieldValue('1.5'), 1.5);
    assert.equal(typedFieldValue('2345.40'), '2345.40', 'a decimal that would not print back the same stays text');
    assert.equal(typedFieldValue('99999999999999999999'), '99999999999999999999');
    assert.equal(typedFieldValue('FGzCPLvYWdEgsdpb3qXkaVp7Da0='), 'FGzCPLvYWdEgsdpb3qXkaVp7Da0=');
    assert.deepEqual(dataFromFields(['operation.type=local-wire-transfer', 'operation.from=87656231', 'automated=true'], ['operation.to=2344121']), {
      operation: { type: 'local-wire-transfer', from: 87656231, to: '2344121' },
      automated: true,
    });
    const ev = buildEvent(base({ fields: ['a.b=1'] }));
    assert.equal(ev.datacontenttype, 'application/json');
    assert.deepEqual(ev.data, { a: { b: 1 } });
  });

  test('errors name the flag', () => {
    assert.throws(() => dataFromFields(['a=1', 'a.b=2'], []), /invalid value 'a\.b=2' for '--field': 'a' is already set to a value, it cannot also hold 'b'/);
    assert.throws(() => dataFromFields(['a.b=1', 'a=2'], []), /invalid value 'a=2' for '--field': 'a' is given twice/);
    assert.throws(() => dataFromFields(['noequals'], []), /invalid value 'noequals' for '--field': expected PATH=VALUE/);
    assert.throws(() => dataFromFields([], ['a..b=1']), /for '--raw-field': 'a\.\.b' has an empty path segment/);
    assert.throws(() => buildEvent(base({ data: 'x', fields: ['a=1'] })), /use either --data or --field\/--raw-field, not both/);
    assert.throws(() => buildEvent(base({ type: '' })), /invalid value '' for '--type': must not be empty/);
    assert.throws(() => buildEvent(base({ extensions: ['Bad-Name=1'] })), /the event is not a valid CloudEvent: .*Bad-Name/);
    assert.throws(() => buildEvent(base({ extensions: ['type=x'] })), /'type' is a core attribute; use its own flag/);
    assert.throws(() => buildEvent(base({ time: 'yesterday' })), /the event is not a valid CloudEvent: .*time/);
  });
});
