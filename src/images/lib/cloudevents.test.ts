import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEventDecodeError, decodeCeHeaderValue, decodeHttpCloudEvent, encodeBinaryCloudEvent, encodeCeHeaderValue, mediaTypeOf } from './cloudevents.cjs';
import { formatRfc3339Nano } from './go-compat.cjs';

const base = { 'ce-id': '1', 'ce-specversion': '1.0', 'ce-type': 'com.example', 'ce-source': '/src' };

function decodeError(headers: Record<string, string>, body = ''): CloudEventDecodeError {
  try {
    decodeHttpCloudEvent(headers, Buffer.from(body));
  } catch (err) {
    assert.ok(err instanceof CloudEventDecodeError, String(err));
    return err;
  }
  assert.fail('expected a CloudEventDecodeError');
}

describe('decodeHttpCloudEvent: binary mode', () => {
  test('keeps data bytes, full content type and nanosecond time', () => {
    const ev = decodeHttpCloudEvent(
      { ...base, 'ce-time': '2022-02-17T11:35:56.7181741Z', 'content-type': 'application/json; charset=utf-8', 'ce-traceparent': '00-ab' },
      Buffer.from('{"b":1,"a":2}'),
    );
    assert.equal(ev.id, '1');
    assert.equal(ev.datacontenttype, 'application/json; charset=utf-8');
    assert.equal(formatRfc3339Nano(ev.time!), '2022-02-17T11:35:56.7181741Z');
    assert.deepEqual(ev.extensions, { traceparent: '00-ab' });
    assert.equal(ev.data!.toString(), '{"b":1,"a":2}');
    assert.equal(ev.dataBase64, false);
  });

  test('ce-* values are percent-decoded (what brokers and channels send for `Push Hook`)', () => {
    const ev = decodeHttpCloudEvent(
      { ...base, 'ce-comgitlabevent': 'Push%20Hook', 'ce-quote': '%22q%22%25', 'ce-utf': 'caf%C3%A9', 'ce-raw': Buffer.from('é', 'utf8').toString('latin1') },
      Buffer.alloc(0),
    );
    assert.deepEqual(ev.extensions, { comgitlabevent: 'Push Hook', quote: '"q"%', utf: 'café', raw: 'é' });
  });

  test('no time and no body stay absent (the SDK would invent a time)', () => {
    const ev = decodeHttpCloudEvent(base, Buffer.alloc(0));
    assert.equal(ev.time, undefined);
    assert.equal(ev.data, undefined);
    assert.equal(ev.datacontenttype, undefined);
  });

  test('rejects requests that are not CloudEvents, naming the header at fault', () => {
    assert.equal(decodeError({ 'content-type': 'text/plain' }, 'x').field, 'ce-specversion');
    assert.match(decodeError({ ...base, 'ce-id': '' }).message, /ce-id/);
    assert.equal(decodeError({ ...base, 'ce-source': '' }).field, 'ce-source');
    assert.equal(decodeError({ ...base, 'ce-specversion': '2.0' }).field, 'ce-specversion');
    const bad = decodeError({ ...base, 'ce-time': 'yesterday' });
    assert.equal(bad.field, 'ce-time');
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'SKIFF_ERR_CLOUDEVENT_DECODE');
  });
});

describe('decodeHttpCloudEvent: structured mode', () => {
  const ct = { 'content-type': 'application/cloudevents+json; charset=utf-8' };

  test('attributes, typed extensions, raw JSON data', () => {
    const ev = decodeHttpCloudEvent(
      ct,
      Buffer.from('{"specversion":"1.0","id":"9","source":"/s","type":"t","subject":"sub","n":7.9,"flag":false,"gone":null,"data":{"z":1, "a":[]}}'),
    );
    assert.equal(ev.subject, 'sub');
    assert.deepEqual(ev.extensions, { n: 7, flag: false });
    assert.equal(ev.data!.toString(), '{"z":1, "a":[]}');
  });

  test('non-JSON datacontenttype: data must be a string and is unquoted', () => {
    const ev = decodeHttpCloudEvent(ct, Buffer.from('{"specversion":"1.0","id":"9","source":"/s","type":"t","datacontenttype":"text/plain","data":"a\\nb"}'));
    assert.equal(ev.data!.toString(), 'a\nb');
    const err = decodeError(ct, '{"specversion":"1.0","id":"9","source":"/s","type":"t","datacontenttype":"text/plain","data":{"x":1}}');
    assert.equal(err.field, 'data');
  });

  test('errors name the attribute at fault', () => {
    assert.equal(decodeError(ct, '{"id":"9","source":"/s","type":"t"}').field, 'specversion');
    assert.equal(decodeError(ct, '{"specversion":"1.0","source":"/s","type":"t"}').field, 'id');
    assert.equal(decodeError(ct, '{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"soon"}').field, 'time');
    assert.equal(decodeError(ct, '{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}}').field, 'ext');
    assert.match(decodeError(ct, 'not json').message, /not a JSON object/);
    assert.equal(decodeError({ 'content-type': 'application/cloudevents-batch+json' }, '[]').field, 'content-type');
  });
});

describe('encodeBinaryCloudEvent', () => {
  test('round-trips through decode with time, extensions and data intact', () => {
    const ev = decodeHttpCloudEvent(
      { ...base, 'ce-time': '2022-05-11T08:27:45.262726535Z', 'ce-the': '42', 'content-type': 'application/json' },
      Buffer.from('{"id":0}'),
    );
    const msg = encodeBinaryCloudEvent(ev);
    assert.equal(msg.headers['ce-time'], '2022-05-11T08:27:45.262726535Z');
    assert.equal(msg.headers['ce-id'], '1');
    assert.equal(msg.headers['ce-the'], '42');
    assert.equal(msg.headers['content-type'], 'application/json');
    assert.equal(msg.body!.toString(), '{"id":0}');
    const again = decodeHttpCloudEvent(msg.headers, msg.body!);
    assert.deepEqual(again, ev);
  });

  test('writes no time or content type the event does not have', () => {
    const msg = encodeBinaryCloudEvent(decodeHttpCloudEvent(base, Buffer.alloc(0)));
    assert.equal(msg.headers['ce-time'], undefined);
    assert.equal(msg.headers['content-type'], undefined);
    assert.equal(msg.body, undefined);
  });
});

test('ce header values: encode what the spec requires, decode leniently', () => {
  assert.equal(encodeCeHeaderValue('Push Hook'), 'Push%20Hook');
  assert.equal(encodeCeHeaderValue('"50%" café'), '%2250%25%22%20caf%C3%A9');
  assert.equal(encodeCeHeaderValue('plain/ascii-value'), 'plain/ascii-value');
  assert.equal(decodeCeHeaderValue('%2250%25%22%20caf%C3%A9'), '"50%" café');
  assert.equal(decodeCeHeaderValue('100%'), '100%', 'a lone % stays');
  assert.equal(decodeCeHeaderValue('%C0%A0'), '%C0%A0', 'invalid UTF-8 is kept as received');
  const round = encodeBinaryCloudEvent({ specversion: '1.0', id: '1', source: '/s', type: 't', extensions: { comgitlabevent: 'Issue Hook' }, dataBase64: false });
  assert.equal(round.headers['ce-comgitlabevent'], 'Issue%20Hook');
  assert.equal(decodeHttpCloudEvent(round.headers, Buffer.alloc(0)).extensions.comgitlabevent, 'Issue Hook');
});

test('mediaTypeOf drops parameters and case', () => {
  assert.equal(mediaTypeOf('Application/JSON; charset=UTF-8'), 'application/json');
  assert.equal(mediaTypeOf(undefined), '');
});
