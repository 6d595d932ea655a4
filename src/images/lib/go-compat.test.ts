import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatGoTimeString,
  formatRfc3339Nano,
  goAtoi,
  goJsonIndent,
  goJsonString,
  goTimeFromMillis,
  goUnquote,
  jsonObjectMemberSpans,
  parseGoDuration,
  parseRfc3339,
} from './go-compat.cjs';

describe('goJsonIndent (Go json.Indent with prefix and indent "  ")', () => {
  const indent = (s: string): string | undefined => goJsonIndent(s, '  ', '  ');

  test('indents objects and arrays, one space after colons', () => {
    assert.equal(indent('{"id":27,"label":""}'), '{\n    "id": 27,\n    "label": ""\n  }');
    assert.equal(indent('[1,[2,{"a":null}]]'), '[\n    1,\n    [\n      2,\n      {\n        "a": null\n      }\n    ]\n  ]');
  });

  test('keeps token text verbatim: escapes, number spelling, key order', () => {
    assert.equal(indent('{"u":"a\\u0026b","n":1.0e+3,"2":0,"1":-0.5}'), '{\n    "u": "a\\u0026b",\n    "n": 1.0e+3,\n    "2": 0,\n    "1": -0.5\n  }');
  });

  test('empty containers stay compact and inner whitespace is dropped', () => {
    assert.equal(indent('{ "modified" : [ ] , "o" : { } }'), '{\n    "modified": [],\n    "o": {}\n  }');
  });

  test('drops leading whitespace but keeps trailing whitespace, like Go', () => {
    assert.equal(indent('  \n{"a":1}\n'), '{\n    "a": 1\n  }\n');
  });

  test('scalars pass through', () => {
    assert.equal(indent('42'), '42');
    assert.equal(indent('"x"'), '"x"');
    assert.equal(indent('true'), 'true');
  });

  test('invalid JSON yields undefined (callers print the raw bytes)', () => {
    for (const bad of ['', '{', '{"a":}', '{"a":1,}', '[1 2]', 'Hello kafkaSource!', '{"a":1} x', '01', '"\u0001"', '{"a":tru}', '"\\x"']) {
      assert.equal(indent(bad), undefined, JSON.stringify(bad));
    }
  });

  test('absurd nesting is reported as invalid, not a crash', () => {
    assert.equal(indent('['.repeat(200000) + ']'.repeat(200000)), undefined);
  });
});

describe('jsonObjectMemberSpans', () => {
  test('returns raw spans of top-level members', () => {
    const src = '{"data": {"b":[1, 2]} ,"id":"x","k":"\\u0026"}';
    const spans = jsonObjectMemberSpans(src)!;
    const text = (k: string): string => src.slice(...spans.get(k)!);
    assert.equal(text('data'), '{"b":[1, 2]}');
    assert.equal(text('id'), '"x"');
    assert.equal(text('k'), '"\\u0026"');
  });

  test('rejects non-objects and malformed input', () => {
    assert.equal(jsonObjectMemberSpans('[1]'), undefined);
    assert.equal(jsonObjectMemberSpans('{"a":1'), undefined);
    assert.equal(jsonObjectMemberSpans('{"a":1} 2'), undefined);
    assert.deepEqual([...jsonObjectMemberSpans(' {} ')!.keys()], []);
  });
});

describe('Go strings and numbers', () => {
  test('goJsonString escapes HTML characters like json.Marshal', () => {
    assert.equal(goJsonString('a<b>&c "q"\n'), '"a\\u003cb\\u003e\\u0026c \\"q\\"\\n"');
  });

  test('goAtoi accepts signs and leading zeros, with Go error texts', () => {
    assert.deepEqual(goAtoi('+007'), { ok: true, value: 7 });
    assert.deepEqual(goAtoi('-5'), { ok: true, value: -5 });
    assert.deepEqual(goAtoi('1.5'), { ok: false, error: 'strconv.Atoi: parsing "1.5": invalid syntax' });
    assert.deepEqual(goAtoi('99999999999999999999'), { ok: false, error: 'strconv.Atoi: parsing "99999999999999999999": value out of range' });
  });

  test('goUnquote', () => {
    assert.equal(goUnquote('"a\\tb"'), 'a\tb');
    assert.equal(goUnquote('"broken'), undefined);
  });
});

describe('RFC3339 times with nanoseconds', () => {
  test('round-trips nanoseconds and trims trailing zeros like RFC3339Nano', () => {
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-05-09T14:27:11.377498709Z')!), '2022-05-09T14:27:11.377498709Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-02-17T11:35:56.7181741Z')!), '2022-02-17T11:35:56.7181741Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-05-14T09:28:27.612000Z')!), '2022-05-14T09:28:27.612Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-05-14T09:28:27Z')!), '2022-05-14T09:28:27Z');
  });

  test('converts offsets to UTC and truncates beyond nanoseconds', () => {
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-05-10T20:42:08.5+08:00')!), '2022-05-10T12:42:08.5Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-01-01T00:30:00-01:00')!), '2022-01-01T01:30:00Z');
    assert.equal(formatRfc3339Nano(parseRfc3339('2022-01-01T00:00:00.1234567891Z')!), '2022-01-01T00:00:00.123456789Z');
  });

  test('rejects what Go rejects', () => {
    for (const bad of ['2022-02-30T00:00:00Z', '2022-01-01 00:00:00Z', '2022-01-01T24:00:00Z', '2022-01-01T00:00:00', 'yesterday']) {
      assert.equal(parseRfc3339(bad), undefined, bad);
    }
  });

  test('formatGoTimeString matches time.Time.String() in UTC', () => {
    assert.equal(formatGoTimeString(parseRfc3339('2022-05-11T08:27:45.262726535Z')!), '2022-05-11 08:27:45.262726535 +0000 UTC');
  });

  test('goTimeFromMillis keeps microseconds', () => {
    const t = goTimeFromMillis(Date.UTC(2022, 4, 9, 14, 27, 11) + 377.4987);
    assert.equal(formatRfc3339Nano(t), '2022-05-09T14:27:11.377499Z');
  });
});

describe('parseGoDuration', () => {
  test('Go duration syntax in milliseconds', () => {
    assert.equal(parseGoDuration('5s'), 5000);
    assert.equal(parseGoDuration('1m30s'), 90000);
    assert.equal(parseGoDuration('1.5h'), 5400000);
    assert.equal(parseGoDuration('100ms'), 100);
    assert.equal(parseGoDuration('250us'), 0.25);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('-2s'), -2000);
  });

  test('rejects unit-less and malformed durations', () => {
    for (const bad of ['1', '', 's', '1x', '.s', '1s2']) assert.equal(parseGoDuration(bad), undefined, bad);
  });
});
