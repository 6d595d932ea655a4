import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAppenderPayload, describePayload, encodeAppenderPayload } from './append.cjs';

const decode = (s: string | undefined, ct: string | undefined = 'application/json') =>
  decodeAppenderPayload(s === undefined ? undefined : Buffer.from(s), ct);

describe('appender payload', () => {
  test('seed Sequence: {"msg":...} has no id/message, so the result is the appended text alone', () => {
    const r = decode('{"msg":"Hello Sequence"}');
    assert.ok(r.ok);
    r.payload.message += ' - Handled by SQ-01';
    assert.equal(encodeAppenderPayload(r.payload), '{"id":0,"message":" - Handled by SQ-01"}');
    // The next step of the sequence appends again.
    const r2 = decode(encodeAppenderPayload(r.payload));
    assert.ok(r2.ok);
    r2.payload.message += ' - Handled by SQ-02';
    assert.equal(encodeAppenderPayload(r2.payload), '{"id":0,"message":" - Handled by SQ-01 - Handled by SQ-02"}');
  });

  test('keys match case-insensitively, like Go json.Unmarshal; nulls leave defaults', () => {
    const r = decode('{"ID":7,"Message":"hi","extra":[1]}');
    assert.deepEqual(r, { ok: true, payload: { id: 7, message: 'hi' } });
    assert.deepEqual(decode('{"id":null,"message":null}'), { ok: true, payload: { id: 0, message: '' } });
    assert.deepEqual(decode('null'), { ok: true, payload: { id: 0, message: '' } });
  });

  test('no data decodes to the zero payload; any JSON-ish content type is accepted', () => {
    assert.deepEqual(decode(undefined), { ok: true, payload: { id: 0, message: '' } });
    assert.deepEqual(decode('{"id":1}', undefined), { ok: true, payload: { id: 1, message: '' } });
    assert.deepEqual(decode('{"id":2}', 'application/vnd.x+json'), { ok: true, payload: { id: 2, message: '' } });
  });

  test('wrong types and bad JSON are errors (the image answers 400)', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"id":"1"}', /cannot unmarshal string into Go struct field payload.id of type int/],
      ['{"id":1.5}', /cannot unmarshal number 1.5/],
      ['{"message":3}', /cannot unmarshal number into Go struct field payload.message of type string/],
      ['[1]', /cannot unmarshal array into Go value of type main.payload/],
      ['{oops', /failed to unmarshal/],
    ];
    for (const [input, re] of cases) {
      const r = decode(input);
      assert.equal(r.ok, false, input);
      if (!r.ok) assert.match(r.error, re);
    }
    const text = decode('hello', 'text/plain');
    assert.equal(text.ok, false);
  });

  test('encoding escapes like Go json.Marshal; log form like %+v', () => {
    assert.equal(encodeAppenderPayload({ id: 3, message: 'a<b>&"c"' }), '{"id":3,"message":"a\\u003cb\\u003e\\u0026\\"c\\""}');
    assert.equal(describePayload({ id: 0, message: 'x' }), '&{Sequence:0 Message:x}');
  });
});
