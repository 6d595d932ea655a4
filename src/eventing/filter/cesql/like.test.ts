import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LikePattern } from './like.js';

const like = (value: string, pattern: string): boolean => new LikePattern(pattern).matches(value);

describe('LIKE patterns', () => {
  test('exact, prefix, suffix, contains, anything fast paths', () => {
    assert.equal(like('abc', 'abc'), true);
    assert.equal(like('abcd', 'abc'), false);
    assert.equal(like('', ''), true);
    assert.equal(like('https://x', 'https://%'), true);
    assert.equal(like('http://x', 'https://%'), false);
    assert.equal(like('com.github.error', '%.error'), true);
    assert.equal(like('error', '%.error'), false);
    assert.equal(like('a.mid.b', '%mid%'), true);
    assert.equal(like('a.b', '%mid%'), false);
    assert.equal(like('', '%'), true);
    assert.equal(like('anything', '%%%'), true);
  });

  test('underscore is exactly one character, counted in code points', () => {
    assert.equal(like('abc', 'a_c'), true);
    assert.equal(like('ac', 'a_c'), false);
    assert.equal(like('abbc', 'a_c'), false);
    assert.equal(like('a😀c', 'a_c'), true);
    assert.equal(like('😀', '__'), false);
    assert.equal(like('', '_'), false);
  });

  test('general patterns with several wildcards backtrack correctly', () => {
    assert.equal(like('azzzbzzzc', 'a%b%c'), true);
    assert.equal(like('abcbc', 'a%bc'), true);
    assert.equal(like('ababab', '%ab_b'), true);
    assert.equal(like('mississippi', 'm%iss%pi'), true);
    assert.equal(like('mississippi', 'm%iss%ppa'), false);
    assert.equal(like('.ab.cde.', '.%.%.'), true);
    assert.equal(like('ab.cde', '.%.%.'), false);
  });

  test('escapes: \\% \\_ \\\\ are literal; a backslash before anything else is itself literal', () => {
    assert.equal(like('100%', '100\\%'), true);
    assert.equal(like('1000', '100\\%'), false);
    assert.equal(like('a_b', 'a\\_b'), true);
    assert.equal(like('azb', 'a\\_b'), false);
    assert.equal(like('a\\b', 'a\\\\b'), true);
    assert.equal(like('a\\b', 'a\\b'), true);
    assert.equal(like('a\\', 'a\\'), true);
    assert.equal(like('abc123123%456_dzf', 'abc%123\\%456\\_d_f'), true);
  });

  test('matching is case-sensitive', () => {
    assert.equal(like('ABC', 'abc'), false);
    assert.equal(like('aBc', '_b%'), false);
  });

  test('pathological patterns stay fast (no exponential backtracking)', () => {
    const value = 'a'.repeat(20000);
    const start = process.hrtime.bigint();
    assert.equal(like(value, '%a%a%a%a%a%a%a%b'), false);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
});
