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
});
