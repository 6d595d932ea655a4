import { isDeepStrictEqual } from 'node:util';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deepEqual, isPlainObject, sameJson } from './json.js';

describe('isPlainObject', () => {
  test('objects only: not null, arrays or scalars', () => {
    assert.equal(isPlainObject({}), true);
    assert.equal(isPlainObject({ a: 1 }), true);
    for (const v of [null, undefined, [], [1], 'x', 1, true]) assert.equal(isPlainObject(v), false, String(v));
  });
});

describe('deepEqual', () => {
  test('key order does not matter, array order does', () => {
    assert.equal(deepEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), true);
    assert.equal(deepEqual([1, 2], [2, 1]), false);
  });
  test('undefined-valued keys count as absent', () => {
    assert.equal(deepEqual({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(deepEqual({ a: undefined }, { b: 1 }), false);
  });
  test('arrays and objects never equal each other; scalars compare strictly', () => {
    assert.equal(deepEqual([], {}), false);
    assert.equal(deepEqual({}, []), false);
    assert.equal(deepEqual(1, '1'), false);
    assert.equal(deepEqual(null, {}), false);
    assert.equal(deepEqual({ x: { y: [null] } }, { x: { y: [null] } }), true);
  });
});

describe('sameJson', () => {
  test('compares what JSON would carry', () => {
    assert.equal(sameJson({ a: undefined, b: 1 }, { b: 1 }), true);
    assert.equal(sameJson(undefined, null), true);
    assert.equal(sameJson([undefined], [null]), true);
    assert.equal(sameJson({ a: 1 }, { a: 2 }), false);
  });

  test('the direct walk agrees with the JSON round trip on a spread of values', () => {
    const roundTrip = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
    const values: unknown[] = [
      null, undefined, 0, 1, -1, 1.5, NaN, Infinity, '', 'a', '1', true, false, [], [null], [undefined], [1, 2], [2, 1], {}, { a: undefined },
      { a: 1 }, { a: '1' }, { a: 1, b: 2 }, { b: 2, a: 1 }, { a: [1, { b: null }] }, { a: [1, { b: undefined }] }, { a: [1, {}] }, { a: null },
      { a: () => 1 }, [() => 1], new Date(0), '1970-01-01T00:00:00.000Z', { toJSON: () => 'x' }, 'x', { a: { b: { c: [1, 2, { d: 'e' }] } } },
      { a: { b: { c: [1, 2, { d: 'f' }] } } }, Object.create(null), [[]], [{}], { 0: 'a' }, ['a'],
    ];
    for (const a of values) for (const b of values) assert.equal(sameJson(a, b), roundTrip(a, b), `${String(JSON.stringify(a))} vs ${String(JSON.stringify(b))}`);
  });
});
