import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, formatGoFloat, parseGoBool, parseGoDuration, parseGoFloat, parseGoInt } from './go-syntax.js';

describe('parseGoDuration (time.ParseDuration)', () => {
  const rows: Array<[string, number | undefined]> = [
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['1h0m0s', 3_600_000],
    ['.5s', 500],
    ['+6s', 6_000],
    ['-1s', -1_000],
    ['0', 0],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1000000ns', 1],
    ['', undefined],
    ['60', undefined], // missing unit
    ['5x', undefined], // unknown unit
    ['.s', undefined],
    ['s', undefined],
    ['1 s', undefined],
  ];
  for (const [input, want] of rows) {
    test(JSON.stringify(input), () => assert.equal(parseGoDuration(input), want));
  }
});

describe('formatGoDuration (Duration.String)', () => {
  const rows: Array<[number, string]> = [
    [0, '0s'],
    [500, '500ms'],
    [1_500, '1.5s'],
    [6_000, '6s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [-1_000, '-1s'],
    [0.25, '250µs'],
  ];
  for (const [ms, want] of rows) test(`${ms} ms → ${want}`, () => assert.equal(formatGoDuration(ms), want));
});

test('parseGoFloat accepts Go decimal syntax and flags range errors', () => {
  assert.deepEqual(parseGoFloat('1e3'), { ok: true, value: 1000 });
  assert.deepEqual(parseGoFloat('-0.5'), { ok: true, value: -0.5 });
  assert.deepEqual(parseGoFloat('5.'), { ok: true, value: 5 });
  assert.deepEqual(parseGoFloat('+Inf'), { ok: true, value: Infinity });
  assert.deepEqual(parseGoFloat('abc'), { ok: false, outOfRange: false });
  assert.deepEqual(parseGoFloat(''), { ok: false, outOfRange: false });
  assert.deepEqual(parseGoFloat(' 1'), { ok: false, outOfRange: false });
  assert.deepEqual(parseGoFloat('1e400'), { ok: false, outOfRange: true });
});

test('parseGoInt is base-10 with int32 range', () => {
  assert.deepEqual(parseGoInt('-3'), { ok: true, value: -3 });
  assert.deepEqual(parseGoInt('+7'), { ok: true, value: 7 });
  assert.deepEqual(parseGoInt('2147483647'), { ok: true, value: 2147483647 });
  assert.deepEqual(parseGoInt('2147483648'), { ok: false, outOfRange: true });
  assert.deepEqual(parseGoInt('2147483648', 64), { ok: true, value: 2147483648 });
  assert.deepEqual(parseGoInt('1.5'), { ok: false, outOfRange: false });
  assert.deepEqual(parseGoInt('0x10'), { ok: false, outOfRange: false });
});

test('parseGoBool accepts exactly strconv.ParseBool spellings', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(t), true);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(f), false);
  for (const bad of ['yes', 'tRuE', '', 'on']) assert.equal(parseGoBool(bad), undefined);
});

test('formatGoFloat uses exponent form for tiny numbers like Go %v', () => {
  assert.equal(formatGoFloat(0.7), '0.7');
  assert.equal(formatGoFloat(200), '200');
  assert.equal(formatGoFloat(0.00001), '1e-05');
});
