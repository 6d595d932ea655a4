import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type EvalContext,
  castToBoolean,
  castToInteger,
  castToString,
  checkedInt32,
  parseInt32,
  readAttribute,
} from './values.js';

const newCtx = (): EvalContext => ({ event: {}, errorCount: 0, errors: [] });

describe('CESQL casts (§3.7)', () => {
  test('String -> Integer: optional sign, base 10, 32-bit range, nothing else', () => {
    assert.equal(parseInt32('42'), 42);
    assert.equal(parseInt32('+42'), 42);
    assert.equal(parseInt32('-42'), -42);
    assert.equal(parseInt32('007'), 7);
    assert.ok(Object.is(parseInt32('-0'), 0));
    assert.equal(parseInt32('2147483647'), 2147483647);
    assert.equal(parseInt32('-2147483648'), -2147483648);
    for (const bad of ['2147483648', '-2147483649', '', ' 1', '1 ', '1.5', '1e3', '0x10', '+', 'abc', '١']) {
      assert.equal(parseInt32(bad), undefined, bad);
    }
  });

  test('failed implicit cast to Integer raises a CastError and yields 0', () => {
    const ctx = newCtx();
    assert.equal(castToInteger(ctx, 'abc', 3), 0);
    assert.equal(ctx.errorCount, 1);
    assert.equal(ctx.errors?.[0].kind, 'cast');
    assert.equal(ctx.errors?.[0].position, 3);
    assert.equal(castToInteger(ctx, true, 0), 1);
    assert.equal(castToInteger(ctx, false, 0), 0);
    assert.equal(ctx.errorCount, 1);
  });

  test('String -> Boolean is case-insensitive "true"/"false" only', () => {
    const ctx = newCtx();
    assert.equal(castToBoolean(ctx, 'TRUE', 0), true);
    assert.equal(castToBoolean(ctx, 'tRuE', 0), true);
    assert.equal(castToBoolean(ctx, 'False', 0), false);
    assert.equal(ctx.errorCount, 0);
    assert.equal(castToBoolean(ctx, 'yes', 0), false);
    assert.equal(castToBoolean(ctx, ' true', 0), false);
    assert.equal(ctx.errorCount, 2);
  });

  test('implicit Integer -> Boolean is a CastError (TCK: NOT 10), yielding false', () => {
    const ctx = newCtx();
    assert.equal(castToBoolean(ctx, 10, 0), false);
    assert.equal(ctx.errors?.[0].kind, 'cast');
  });

  test('to String: booleans lower-case, integers base 10', () => {
    assert.equal(castToString(true), 'true');
    assert.equal(castToString(false), 'false');
    assert.equal(castToString(-12), '-12');
    assert.equal(castToString('x'), 'x');
  });

  test('checkedInt32 saturates with a MathError and normalises -0', () => {
    const ctx = newCtx();
    assert.ok(Object.is(checkedInt32(ctx, -0, 0, 'x'), 0));
    assert.equal(checkedInt32(ctx, 2147483648, 0, 'x'), 2147483647);
    assert.equal(checkedInt32(ctx, -2147483649, 0, 'x'), -2147483648);
    assert.equal(ctx.errorCount, 2);
    assert.equal(ctx.errors?.[1].kind, 'math');
  });
});

describe('reading attributes', () => {
  test('primitive types pass through; others become their string form', () => {
    const event: Record<string, unknown> = {
      s: 'x',
      b: false,
      i: -5,
      f: 1.5,
      huge: 2 ** 40,
      big: 7n,
      hugebig: 2n ** 40n,
      d: new Date(Date.UTC(2018, 3, 26, 12, 48, 9)),
      u: new URL('http://localhost/source'),
      n: null,
      un: undefined,
    };
    assert.equal(readAttribute(event, 's'), 'x');
    assert.equal(readAttribute(event, 'b'), false);
    assert.equal(readAttribute(event, 'i'), -5);
    assert.equal(readAttribute(event, 'f'), '1.5');
    assert.equal(readAttribute(event, 'huge'), '1099511627776');
    assert.equal(readAttribute(event, 'big'), 7);
    assert.equal(readAttribute(event, 'hugebig'), '1099511627776');
    assert.equal(readAttribute(event, 'd'), '2018-04-26T12:48:09.000Z');
    assert.equal(readAttribute(event, 'u'), 'http://localhost/source');
    assert.equal(readAttribute(event, 'n'), undefined);
    assert.equal(readAttribute(event, 'un'), undefined);
    assert.equal(readAttribute(event, 'absent'), undefined);
  });

  test('inherited properties are not attributes', () => {
    assert.equal(readAttribute({}, 'constructor'), undefined);
    assert.equal(readAttribute({}, 'tostring'), undefined);
    assert.equal(readAttribute({ constructor: 'mine' }, 'constructor'), 'mine');
    assert.equal(readAttribute(Object.create(null) as Record<string, unknown>, 'x'), undefined);
  });
});
