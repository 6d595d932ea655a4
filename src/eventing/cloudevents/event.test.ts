import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudEventParseError,
  assertCloudEvent,
  decodeEventData,
  encodeEventData,
  extensionNames,
  isRfc3339Timestamp,
  validateCloudEvent,
  type CloudEventRecord,
} from './event.js';

const base = { specversion: '1.0', id: 'e1', source: '/src', type: 'com.example.t' };

function errorOf(event: Record<string, unknown>, opts?: { maxAttributeNameLength?: number }): CloudEventParseError {
  const err = validateCloudEvent(event, opts);
  assert.ok(err instanceof CloudEventParseError, `expected an error for ${JSON.stringify(event)}`);
  assert.equal(err.code, 'SKIFF_ERR_CE_INVALID');
  assert.equal(err.httpStatus, 400);
  return err;
}

describe('validateCloudEvent', () => {
  test('accepts a minimal event and one with all core attributes and extensions', () => {
    assert.equal(validateCloudEvent(base), undefined);
    assert.equal(
      validateCloudEvent({
        ...base,
        datacontenttype: 'application/json; charset=utf-8',
        dataschema: 'https://example.com/schema.json',
        subject: 'thing',
        time: '2024-02-29T23:59:60.123456789+05:30',
        knativebrokerttl: 255,
        flag: false,
        partitionkey: 'k',
        data: { a: 1 },
      }),
      undefined,
    );
  });

  test('names the missing required attribute', () => {
    for (const name of ['specversion', 'id', 'source', 'type']) {
      const ev: Record<string, unknown> = { ...base };
      delete ev[name];
      const err = errorOf(ev);
      assert.equal(err.attribute, name);
      assert.match(err.message, new RegExp(`"${name}" is missing`));
    }
  });

  test('rejects empty id/source/type/subject and a wrong specversion', () => {
    assert.equal(errorOf({ ...base, id: '' }).attribute, 'id');
    assert.equal(errorOf({ ...base, source: '' }).attribute, 'source');
    assert.equal(errorOf({ ...base, subject: '' }).attribute, 'subject');
    const sv = errorOf({ ...base, specversion: '0.3' });
    assert.equal(sv.attribute, 'specversion');
    assert.match(sv.message, /must be "1\.0", got "0\.3"/);
    assert.equal(errorOf({ ...base, id: 42 }).attribute, 'id');
  });

  test('extension names: lower-case alphanumerics, 1..20 chars, not "data"', () => {
    assert.match(errorOf({ ...base, myExt: 'x' }).message, /"myExt" is invalid/);
    assert.equal(errorOf({ ...base, my_ext: 'x' }).attribute, 'my_ext');
    assert.match(errorOf({ ...base, abcdefghijklmnopqrstu: 'x' }).message, /too long \(21 characters, at most 20/);
    assert.equal(validateCloudEvent({ ...base, abcdefghijklmnopqrst: 'x' }), undefined);
    assert.equal(validateCloudEvent({ ...base, abcdefghijklmnopqrstu: 'x' }, { maxAttributeNameLength: 64 }), undefined);
  });

  test('extension values: string, boolean or 32-bit integer', () => {
    assert.match(errorOf({ ...base, ratio: 1.5 }).message, /extension "ratio" must be a string, boolean or 32-bit integer/);
    assert.equal(errorOf({ ...base, big: 2 ** 31 }).attribute, 'big');
    assert.equal(errorOf({ ...base, obj: { a: 1 } }).attribute, 'obj');
    assert.equal(validateCloudEvent({ ...base, neg: -2147483648 }), undefined);
  });

  test('time must be RFC 3339 with seconds and an offset', () => {
    for (const bad of ['garbage', '2024-01-02T03:04Z', '2024-01-02T03:04:05X', '2024-01-02T03:04:05+25:00', '2024-01-02T03:04:05+01', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-02 03:04:05Z']) {
      const err = errorOf({ ...base, time: bad });
      assert.equal(err.attribute, 'time', bad);
      assert.match(err.message, /RFC 3339/);
    }
    for (const good of ['2024-01-02T03:04:05Z', '2024-01-02t03:04:05.1z', '2024-01-02T03:04:05.123456789-07:00', '2000-02-29T00:00:00Z']) {
      assert.ok(isRfc3339Timestamp(good), good);
    }
  });

  test('datacontenttype must be a media type, dataschema an absolute URI', () => {
    assert.equal(errorOf({ ...base, datacontenttype: 'json' }).attribute, 'datacontenttype');
    assert.equal(errorOf({ ...base, datacontenttype: '' }).attribute, 'datacontenttype');
    assert.equal(errorOf({ ...base, dataschema: '/relative' }).attribute, 'dataschema');
    assert.equal(errorOf({ ...base, dataschema: '' }).attribute, 'dataschema');
  });

  test('null and undefined attributes count as unset', () => {
    assert.equal(validateCloudEvent({ ...base, subject: undefined, dataschema: null }), undefined);
  });

  test('assertCloudEvent throws the same error', () => {
    assert.throws(() => assertCloudEvent({ ...base, type: '' }), (e: unknown) => e instanceof CloudEventParseError && e.attribute === 'type');
  });

  test('atIndex relocates an error inside a batch', () => {
    const err = errorOf({ ...base, id: '' }).atIndex(3);
    assert.equal(err.index, 3);
    assert.match(err.message, /^invalid CloudEvent at batch index 3: attribute "id" must not be empty$/);
  });
});

describe('event data helpers', () => {
  test('decodeEventData: JSON bytes → value, text bytes → string, other bytes stay bytes', () => {
    const json: CloudEventRecord = { ...base, datacontenttype: 'Application/JSON; charset=utf-8', data: Buffer.from('{"a":[1,2]}') };
    assert.deepEqual(decodeEventData(json), { a: [1, 2] });
    const cejson: CloudEventRecord = { ...base, datacontenttype: 'application/vnd.foo+json', data: Buffer.from('"s"') };
    assert.equal(decodeEventData(cejson), 's');
    const text: CloudEventRecord = { ...base, datacontenttype: 'text/plain', data: Buffer.from('héllo') };
    assert.equal(decodeEventData(text), 'héllo');
    const bin: CloudEventRecord = { ...base, datacontenttype: 'application/octet-stream', data: Buffer.from([0, 255]) };
    assert.deepEqual(decodeEventData(bin), Buffer.from([0, 255]));
    const bad: CloudEventRecord = { ...base, datacontenttype: 'application/json', data: Buffer.from('{nope') };
    assert.throws(() => decodeEventData(bad), (e: unknown) => e instanceof CloudEventParseError && e.attribute === 'data');
  });

  test('encodeEventData: a string is JSON when the type is JSON or absent, text otherwise', () => {
    assert.equal(encodeEventData({ ...base, data: 'hi' })?.toString(), '"hi"');
    assert.equal(encodeEventData({ ...base, datacontenttype: 'text/plain', data: 'hi' })?.toString(), 'hi');
    assert.equal(encodeEventData({ ...base, data: null })?.toString(), 'null');
    assert.equal(encodeEventData(base), undefined);
  });

  test('extensionNames lists only extensions', () => {
    assert.deepEqual(extensionNames({ ...base, subject: 's', a1: 'x', b2: 3, data: 'd' }), ['a1', 'b2']);
  });
});
