import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clone } from './meta.js';

describe('clone', () => {
  test('deep-copies JSON values: equal, not shared, unfrozen copies of frozen input', () => {
    const src = Object.freeze({ a: 1, b: Object.freeze([1, { c: 'x' }]), d: null, e: undefined, f: { g: true } });
    const c = clone(src);
    assert.deepEqual(c, src);
    assert.notEqual(c.b, src.b);
    assert.notEqual(c.f, src.f);
    assert.equal(Object.isFrozen(c), false);
    (c.f as { g: boolean }).g = false;
    assert.equal(src.f.g, true);
    assert.ok('e' in c, 'undefined-valued keys are kept, as structuredClone did');
  });

  test('a "__proto__" key stays an own property; non-plain values fall back to structuredClone', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "x": 2}') as Record<string, unknown>;
    const c = clone(parsed);
    assert.equal(Object.getPrototypeOf(c), Object.prototype);
    assert.deepEqual(Object.keys(c), ['__proto__', 'x']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const d = new Date(0);
    const cd = clone({ d }).d;
    assert.ok(cd instanceof Date && cd !== d && cd.getTime() === 0);
  });
});
