import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCesql } from './index.js';
import { resolveFunction } from './functions.js';

function run(expr: string): { value: unknown; kinds: string[] } {
  const { value, errors } = compileCesql(expr).evaluate({});
  return { value, kinds: errors.map((e) => e.kind) };
}

describe('CESQL built-in functions', () => {
  test('dispatch by name (any case) and arity; variadic overload as fallback', () => {
    assert.equal(resolveFunction('substring', 2)?.params.length, 2);
    assert.equal(resolveFunction('SUBSTRING', 3)?.params.length, 3);
    assert.equal(resolveFunction('SUBSTRING', 4), undefined);
    assert.equal(resolveFunction('concat', 0)?.name, 'CONCAT');
    assert.equal(resolveFunction('CONCAT_WS', 0), undefined);
    assert.equal(resolveFunction('CONCAT_WS', 5)?.name, 'CONCAT_WS');
    assert.equal(resolveFunction('NOPE', 1), undefined);
  });

  test('unknown function or arity: false plus missingFunction, arguments not evaluated', () => {
    assert.deepEqual(run('NOPE(1)'), { value: false, kinds: ['missingFunction'] });
    assert.deepEqual(run('LENGTH()'), { value: false, kinds: ['missingFunction'] });
    assert.deepEqual(run('NOPE(missing)'), { value: false, kinds: ['missingFunction'] });
    assert.match(compileCesql('abs(1, 2)').evaluate({}).errors[0].message, /no function ABS taking 2 arguments/);
  });

  test('string functions count Unicode code points', () => {
    assert.deepEqual(run("LENGTH('😀x')"), { value: 2, kinds: [] });
    assert.deepEqual(run("LEFT('😀xy', 2)"), { value: '😀x', kinds: [] });
    assert.deepEqual(run("RIGHT('x😀', 1)"), { value: '😀', kinds: [] });
    assert.deepEqual(run("SUBSTRING('a😀b', -2, 1)"), { value: '😀', kinds: [] });
  });

  test('arguments are implicitly cast to parameter types', () => {
    assert.deepEqual(run('LENGTH(12345)'), { value: 5, kinds: [] });
    assert.deepEqual(run("LEFT('abc', '2')"), { value: 'ab', kinds: [] });
    assert.deepEqual(run("CONCAT_WS(0, 1, TRUE, 'x')"), { value: '10true0x', kinds: [] });
    assert.deepEqual(run("LEFT('abc', 'x')"), { value: '', kinds: ['cast'] });
  });

  test('an erroring argument makes the function return its zero value', () => {
    assert.deepEqual(run("CONCAT('a', missing)"), { value: '', kinds: ['missingAttribute'] });
    assert.deepEqual(run('LENGTH(missing)'), { value: 0, kinds: ['missingAttribute'] });
    assert.deepEqual(run('ABS(1 / 0)'), { value: 0, kinds: ['math'] });
  });

  test('TRIM removes Unicode White_Space only', () => {
    assert.deepEqual(run("TRIM('\u0085\u00a0\u3000 a b \t\r\n')"), { value: 'a b', kinds: [] });
    assert.deepEqual(run("TRIM('\ufeffa\ufeff')"), { value: '\ufeffa\ufeff', kinds: [] });
  });

  test('LOWER / UPPER', () => {
    assert.deepEqual(run("LOWER('ÀBC')"), { value: 'àbc', kinds: [] });
    assert.deepEqual(run("UPPER('straße')"), { value: 'STRASSE', kinds: [] });
  });

  test('SUBSTRING edge cases', () => {
    assert.deepEqual(run("SUBSTRING('abc', 3)"), { value: 'c', kinds: [] });
    assert.deepEqual(run("SUBSTRING('abc', -3)"), { value: 'abc', kinds: [] });
    assert.deepEqual(run("SUBSTRING('abc', 4)"), { value: '', kinds: ['functionEvaluation'] });
    assert.deepEqual(run("SUBSTRING('abc', 1, 0)"), { value: '', kinds: [] });
    assert.deepEqual(run("SUBSTRING('abc', 2, 100)"), { value: 'bc', kinds: [] });
    assert.deepEqual(run("SUBSTRING('abc', 1, -1)"), { value: '', kinds: ['functionEvaluation'] });
    assert.deepEqual(run("SUBSTRING('', 0)"), { value: '', kinds: [] });
  });

  test('ABS and overflow', () => {
    assert.deepEqual(run('ABS(-2147483647)'), { value: 2147483647, kinds: [] });
    assert.deepEqual(run('ABS(-2147483648)'), { value: 2147483647, kinds: ['math'] });
  });

  test('explicit casts INT / BOOL / STRING and the IS_INT / IS_BOOL predicates', () => {
    assert.deepEqual(run("INT('+7')"), { value: 7, kinds: [] });
    assert.deepEqual(run("INT('2147483648')"), { value: 0, kinds: ['cast'] });
    assert.deepEqual(run('BOOL(-50)'), { value: true, kinds: [] });
    assert.deepEqual(run('BOOL(0)'), { value: false, kinds: [] });
    assert.deepEqual(run("BOOL('FaLsE')"), { value: false, kinds: [] });
    assert.deepEqual(run('STRING(-1)'), { value: '-1', kinds: [] });
    assert.deepEqual(run("IS_INT('-1')"), { value: true, kinds: [] });
    assert.deepEqual(run('IS_INT(TRUE)'), { value: false, kinds: [] });
    assert.deepEqual(run("IS_BOOL('FALSE')"), { value: true, kinds: [] });
    assert.deepEqual(run('IS_BOOL(1)'), { value: false, kinds: [] });
    assert.deepEqual(run("IS_STRING('x')"), { value: false, kinds: ['missingFunction'] });
  });
});
