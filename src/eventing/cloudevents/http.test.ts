import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEvent, HTTP } from 'cloudevents';
import {
  CloudEventParseError,
  decodeHeaderValue,
  detectHttpMode,
  encodeHeaderValue,
  parseHttpEvent,
  parseHttpEvents,
  toBatchHttp,
  toBinaryHttp,
  toStructuredHttp,
} from './http.js';
import { decodeEventData, type CloudEventRecord } from './event.js';
import { fromSdkCloudEvent, toSdkCloudEvent } from './sdk-interop.js';

const base = { specversion: '1.0', id: 'e1', source: '/src', type: 'com.example.t' } as const;
const ceHeaders = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/src', 'ce-type': 'com.example.t' };

function parseError(fn: () => unknown): CloudEventParseError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CloudEventParseError, `expected CloudEventParseError, got ${String(err)}`);
    assert.equal(err.code, 'SKIFF_ERR_CE_INVALID');
    assert.equal(err.httpStatus, 400);
    return err;
  }
  assert.fail('expected a CloudEventParseError');
}

describe('header value percent-encoding', () => {
  test('spec example: "Euro € 😀"', () => {
    assert.equal(encodeHeaderValue('Euro € 😀'), 'Euro%20%E2%82%AC%20%F0%9F%98%80');
    assert.equal(decodeHeaderValue('Euro%20%E2%82%AC%20%F0%9F%98%80', 'ce-x'), 'Euro € 😀');
  });

  test('encodes space, double quote, percent and controls; leaves other printable ASCII alone', () => {
    assert.equal(encodeHeaderValue('a "b" 100%'), 'a%20%22b%22%20100%25');
    assert.equal(encodeHeaderValue('tab\there\nx\x7f'), 'tab%09here%0Ax%7F');
    const safe = "!#$&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~";
    assert.equal(encodeHeaderValue(safe), safe);
    assert.equal(encodeHeaderValue(''), '');
  });

  test('decodes lower-case hex and unnecessary escapes, keeps a stray % literally', () => {
    assert.equal(decodeHeaderValue('%e2%82%ac', 'ce-x'), '€');
    assert.equal(decodeHeaderValue('%41%42c', 'ce-x'), 'ABc');
    assert.equal(decodeHeaderValue('50%', 'ce-x'), '50%');
    assert.equal(decodeHeaderValue('50%zz', 'ce-x'), '50%zz');
  });

  test('unquotes RFC 9110 quoted strings before percent-decoding', () => {
    assert.equal(decodeHeaderValue('"hello \\"world\\""', 'ce-x'), 'hello "world"');
    assert.equal(decodeHeaderValue('"a%20b"', 'ce-x'), 'a b');
  });

  test('raw UTF-8 bytes as node delivers them (latin1 string) decode correctly', () => {
    const latin1 = Buffer.from('Grüße €', 'utf8').toString('latin1');
    assert.equal(decodeHeaderValue(latin1, 'ce-x'), 'Grüße €');
    // A JS caller passing an already-decoded string keeps it.
    assert.equal(decodeHeaderValue('Grüße', 'ce-x'), 'Grüße');
  });

  test('rejects invalid UTF-8 such as the overlong %C0%A0, naming the header', () => {
    const err = parseError(() => decodeHeaderValue('a%C0%A0b', 'ce-subject'));
    assert.equal(err.attribute, 'subject');
    assert.equal(err.header, 'ce-subject');
    assert.match(err.message, /\(header ce-subject\)$/);
    parseError(() => parseHttpEvents({ ...ceHeaders, 'ce-foo': '%FF' }, Buffer.alloc(0)));
  });

  test('every code point round-trips', () => {
    const all = ['\u0000', ' ', '"', '%', '~', '\u00e9', '\u0100', '\u2028', '\uFFFD', '😀', 'a%41'];
    for (const s of all) assert.equal(decodeHeaderValue(encodeHeaderValue(s), 'ce-x'), s, JSON.stringify(s));
  });
});

describe('mode detection', () => {
  test('content type is matched case-insensitively, with parameters', () => {
    assert.equal(detectHttpMode(undefined), 'binary');
    assert.equal(detectHttpMode('application/json'), 'binary');
    assert.equal(detectHttpMode('application/cloudevents+json'), 'structured');
    assert.equal(detectHttpMode('Application/CloudEvents+JSON; charset=UTF-8'), 'structured');
    assert.equal(detectHttpMode('APPLICATION/CLOUDEVENTS-BATCH+JSON'), 'batch');
  });
});

describe('parseHttpEvents — binary mode', () => {
  test('maps ce-* headers (any case) to attributes and Content-Type to datacontenttype; body stays bytes', () => {
    const [ev] = parseHttpEvents(
      { 'CE-SpecVersion': '1.0', 'ce-id': 'e1', 'Ce-Source': '/src', 'ce-type': 'com.example.t', 'ce-myext': 'a%20b', 'content-type': 'application/json; charset=utf-8', host: 'x' },
      Buffer.from('{"n":1}'),
    );
    assert.ok(ev);
    assert.equal(ev.id, 'e1');
    assert.equal(ev.source, '/src');
    assert.equal(ev.myext, 'a b');
    assert.equal(ev.datacontenttype, 'application/json; charset=utf-8');
    assert.ok(Buffer.isBuffer(ev.data));
    assert.deepEqual(decodeEventData(ev), { n: 1 });
    assert.equal(ev.host, undefined);
  });

  test('accepts a fetch Headers object', () => {
    const h = new Headers({ ...ceHeaders, 'content-type': 'text/plain' });
    const ev = parseHttpEvent(h, Buffer.from('hi'));
    assert.equal(ev.type, 'com.example.t');
    assert.equal(decodeEventData(ev), 'hi');
  });

  test('empty body = no data; ce-datacontenttype is ignored in favour of Content-Type', () => {
    const ev = parseHttpEvent({ ...ceHeaders, 'ce-datacontenttype': 'text/plain' }, Buffer.alloc(0));
    assert.equal('data' in ev, false);
    assert.equal(ev.datacontenttype, undefined);
  });

  test('errors name the attribute and header', () => {
    let err = parseError(() => parseHttpEvents({ 'content-type': 'application/json' }, Buffer.from('{}')));
    assert.equal(err.attribute, 'specversion');
    assert.match(err.message, /not a CloudEvent: no ce-specversion header/);
    const noId: Record<string, string> = { ...ceHeaders };
    delete noId['ce-id'];
    err = parseError(() => parseHttpEvents(noId, Buffer.alloc(0)));
    assert.equal(err.attribute, 'id');
    assert.equal(err.header, 'ce-id');
    err = parseError(() => parseHttpEvents({ ...ceHeaders, 'ce-specversion': '0.3' }, Buffer.alloc(0)));
    assert.equal(err.attribute, 'specversion');
    err = parseError(() => parseHttpEvents({ ...ceHeaders, 'ce-time': 'yesterday' }, Buffer.alloc(0)));
    assert.equal(err.attribute, 'time');
    assert.equal(err.header, 'ce-time');
    err = parseError(() => parseHttpEvents({ ...ceHeaders, 'ce-bad_name': 'x' }, Buffer.alloc(0)));
    assert.equal(err.header, 'ce-bad_name');
    err = parseError(() => parseHttpEvents({ ...ceHeaders, 'content-type': 'nonsense' }, Buffer.alloc(0)));
    assert.equal(err.attribute, 'datacontenttype');
    assert.equal(err.header, 'content-type');
  });
});

describe('parseHttpEvents — structured and batched mode', () => {
  test('structured JSON: attributes top-level, JSON data kept as a value, null = unset', () => {
    const body = Buffer.from(JSON.stringify({ ...base, subject: null, ext1: 7, data: { a: 'é' } }));
    const ev = parseHttpEvent({ 'content-type': 'Application/CloudEvents+JSON; charset=UTF-8' }, body);
    assert.deepEqual(ev, { ...base, ext1: 7, data: { a: 'é' } });
  });

  test('structured body is authoritative over ce-* headers', () => {
    const ev = parseHttpEvent({ 'content-type': 'application/cloudevents+json', 'ce-id': 'header-id' }, Buffer.from(JSON.stringify(base)));
    assert.equal(ev.id, 'e1');
  });

  test('data_base64 decodes to bytes; data and data_base64 together are rejected', () => {
    const ev = parseHttpEvent({ 'content-type': 'application/cloudevents+json' }, Buffer.from(JSON.stringify({ ...base, data_base64: 'AAEC/w==' })));
    assert.deepEqual(ev.data, Buffer.from([0, 1, 2, 255]));
    const both = parseError(() => parseHttpEvents({ 'content-type': 'application/cloudevents+json' }, Buffer.from(JSON.stringify({ ...base, data: 1, data_base64: 'AA==' }))));
    assert.equal(both.attribute, 'data_base64');
    const badB64 = parseError(() => parseHttpEvents({ 'content-type': 'application/cloudevents+json' }, Buffer.from(JSON.stringify({ ...base, data_base64: 'not base64!' }))));
    assert.equal(badB64.attribute, 'data_base64');
  });

  test('structured errors: invalid JSON, non-object, numeric id, bad extension name', () => {
    const ct = { 'content-type': 'application/cloudevents+json' };
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from('{oops'))).attribute, 'body');
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from('[1]'))).attribute, 'body');
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from(JSON.stringify({ ...base, id: 5 })))).attribute, 'id');
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from(JSON.stringify({ ...base, 'Bad-Name': 1 })))).attribute, 'Bad-Name');
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from(JSON.stringify({ ...base, type: undefined })))).attribute, 'type');
  });

  test('non-JSON structured formats: read as binary when ce-specversion is present, else rejected', () => {
    const ev = parseHttpEvent({ ...ceHeaders, 'content-type': 'application/cloudevents+avro' }, Buffer.from([1]));
    assert.equal(ev.datacontenttype, 'application/cloudevents+avro');
    const err = parseError(() => parseHttpEvents({ 'content-type': 'application/cloudevents+avro' }, Buffer.from([1])));
    assert.equal(err.attribute, 'content-type');
    assert.match(err.message, /unsupported event format/);
  });

  test('batches: empty, several, and an invalid member named by index', () => {
    const ct = { 'content-type': 'application/cloudevents-batch+json' };
    assert.deepEqual(parseHttpEvents(ct, Buffer.from('[]')), []);
    const two = parseHttpEvents(ct, Buffer.from(JSON.stringify([base, { ...base, id: 'e2', data: 'x' }])));
    assert.deepEqual(two.map((e) => e.id), ['e1', 'e2']);
    const err = parseError(() => parseHttpEvents(ct, Buffer.from(JSON.stringify([base, { ...base, specversion: '0.3' }]))));
    assert.equal(err.index, 1);
    assert.equal(err.attribute, 'specversion');
    assert.match(err.message, /batch index 1/);
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from(JSON.stringify([base, 'x'])))).index, 1);
    assert.equal(parseError(() => parseHttpEvents(ct, Buffer.from(JSON.stringify(base)))).attribute, 'body');
    assert.match(parseError(() => parseHttpEvent(ct, Buffer.from('[]'))).message, /exactly one event/);
  });
});

describe('writing and round trips', () => {
  const nonAscii: CloudEventRecord = {
    ...base,
    subject: 'Grüße "quoted" 100% 😀',
    time: '2024-05-06T07:08:09.123Z',
    dataschema: 'https://example.com/s',
    myext: 'tab\tnew\nline',
    count: 42,
    ok: true,
  };

  test('binary: headers are percent-encoded, JSON data gets application/json', () => {
    const msg = toBinaryHttp({ ...nonAscii, data: { hello: 'wörld' } });
    assert.equal(msg.headers['ce-subject'], 'Gr%C3%BC%C3%9Fe%20%22quoted%22%20100%25%20%F0%9F%98%80');
    assert.equal(msg.headers['ce-count'], '42');
    assert.equal(msg.headers['ce-ok'], 'true');
    assert.equal(msg.headers['content-type'], 'application/json');
    assert.equal(msg.headers['ce-datacontenttype'], undefined);
    assert.equal(msg.body.toString('utf8'), '{"hello":"wörld"}');
    for (const v of Object.values(msg.headers)) assert.match(v, /^[\x21-\x7e]*$/, 'header values must be printable ASCII without spaces');
  });

  test('binary round trip: JSON, text and bytes; extensions come back as their string form', () => {
    const cases: CloudEventRecord[] = [
      { ...nonAscii, datacontenttype: 'application/json', data: { a: [1, 'ü'] } },
      { ...nonAscii, datacontenttype: 'text/plain; charset=utf-8', data: 'plain text ✓' },
      { ...nonAscii, datacontenttype: 'application/octet-stream', data: Buffer.from([0, 1, 254, 255]) },
      { ...nonAscii },
    ];
    for (const ev of cases) {
      const msg = toBinaryHttp(ev);
      const back = parseHttpEvent(msg.headers, msg.body);
      assert.equal(back.subject, ev.subject);
      assert.equal(back.myext, ev.myext);
      assert.equal(back.count, '42');
      assert.equal(back.ok, 'true');
      assert.equal(back.time, ev.time);
      assert.equal(back.datacontenttype, ev.datacontenttype);
      assert.deepEqual(decodeEventData(back), ev.data);
    }
  });

  test('structured round trip preserves types; bytes travel as data_base64', () => {
    const cases: CloudEventRecord[] = [
      { ...nonAscii, datacontenttype: 'application/json', data: { a: [1, 'ü'], n: null } },
      { ...nonAscii, datacontenttype: 'text/plain', data: 'plain text ✓' },
      { ...nonAscii, datacontenttype: 'application/octet-stream', data: Buffer.from([0, 1, 254, 255]) },
      { ...nonAscii, datacontenttype: 'application/json', data: null },
      { ...nonAscii },
    ];
    for (const ev of cases) {
      const msg = toStructuredHttp(ev);
      assert.equal(msg.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      const doc = JSON.parse(msg.body.toString('utf8'));
      if (ev.data instanceof Uint8Array) {
        assert.equal(doc.data_base64, Buffer.from(ev.data).toString('base64'));
        assert.equal('data' in doc, false);
      }
      assert.deepEqual(parseHttpEvent(msg.headers, msg.body), ev);
    }
  });

  test('JSON data without datacontenttype is labelled application/json on re-serialisation', () => {
    const doc = JSON.parse(toStructuredHttp({ ...base, data: 'just a JSON string' }).body.toString());
    assert.equal(doc.datacontenttype, 'application/json');
    assert.equal(doc.data, 'just a JSON string');
    const bin = toBinaryHttp({ ...base, data: 'just a JSON string' });
    assert.equal(bin.body.toString(), '"just a JSON string"');
  });

  test('binary → structured conversion keeps data bytes exactly', () => {
    const raw = Buffer.from('{"x": 1,   "y": [ ]}');
    const ev = parseHttpEvent({ ...ceHeaders, 'content-type': 'application/json' }, raw);
    const again = parseHttpEvent(toBinaryHttp(ev).headers, toBinaryHttp(ev).body);
    assert.deepEqual(again.data, raw);
    const viaStructured = parseHttpEvent(toStructuredHttp(ev).headers, toStructuredHttp(ev).body);
    assert.deepEqual(viaStructured.data, raw);
  });

  test('batch round trip', () => {
    const events: CloudEventRecord[] = [{ ...base }, { ...base, id: 'e2', data: { k: 1 } }];
    const msg = toBatchHttp(events);
    assert.equal(msg.headers['content-type'], 'application/cloudevents-batch+json; charset=utf-8');
    const back = parseHttpEvents(msg.headers, msg.body);
    assert.deepEqual(back, [{ ...base }, { ...base, id: 'e2', datacontenttype: 'application/json', data: { k: 1 } }]);
  });
});

describe('interoperability with the cloudevents SDK', () => {
  test('SDK binary and structured messages parse with our reader', () => {
    const sdkEvent = new CloudEvent({ ...base, subject: 'plain', ext1: 'v', data: { a: 1 } });
    for (const msg of [HTTP.binary(sdkEvent), HTTP.structured(sdkEvent)]) {
      const ev = parseHttpEvent(msg.headers as Record<string, string>, Buffer.from(msg.body as string));
      assert.equal(ev.id, 'e1');
      assert.equal(ev.ext1, 'v');
      assert.deepEqual(decodeEventData(ev), { a: 1 });
    }
  });

  test('our binary and structured messages parse with the SDK reader (ASCII values)', () => {
    const ours: CloudEventRecord = { ...base, subject: 'plain', ext1: 'v', datacontenttype: 'application/json', data: { a: 1 } };
    for (const msg of [toBinaryHttp(ours), toStructuredHttp(ours)]) {
      // The SDK's structured reader only understands string bodies (it spreads a Buffer as an object).
      const sdk = HTTP.toEvent({ headers: msg.headers, body: msg.body.toString('utf8') }) as CloudEvent<unknown>;
      assert.equal(sdk.id, 'e1');
      assert.equal(sdk.ext1, 'v');
      assert.equal(sdk.subject, 'plain');
    }
  });

  test('toSdkCloudEvent / fromSdkCloudEvent', () => {
    const ours: CloudEventRecord = { ...base, time: '2024-01-01T00:00:00Z', ext1: 'v', datacontenttype: 'application/octet-stream', data: Buffer.from([9, 8]) };
    const sdk = toSdkCloudEvent(ours);
    assert.equal(sdk.ext1, 'v');
    const back = fromSdkCloudEvent(sdk);
    // The SDK normalises `time` to millisecond ISO form; the instant is unchanged.
    assert.equal(back.time, '2024-01-01T00:00:00.000Z');
    assert.deepEqual({ ...back, time: ours.time }, ours);
  });
});
