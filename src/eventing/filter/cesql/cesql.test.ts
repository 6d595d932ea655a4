import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CesqlError, type CesqlExpression, cesqlMatches, compileCesql } from './index.js';

const EVENT: Record<string, unknown> = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'https://example.com/src',
  type: 'com.example.order.created',
  subject: 'orders/42',
  seq: '5',
  hop: 5,
  ttl: '10',
  flag: true,
  flagtext: 'TRUE',
};

function run(expr: string, event: Record<string, unknown> = EVENT): { value: unknown; kinds: string[] } {
  const { value, errors } = compileCesql(expr).evaluate(event);
  return { value, kinds: errors.map((e) => e.kind) };
}

const ok = (value: unknown) => ({ value, kinds: [] as string[] });
const err = (value: unknown, ...kinds: string[]) => ({ value, kinds });

describe('CESQL evaluation: attributes', () => {
  test('attributes keep their type; names are case-insensitive', () => {
    assert.deepEqual(run('id'), ok('evt-1'));
    assert.deepEqual(run('HOP'), ok(5));
    assert.deepEqual(run('flag'), ok(true));
  });

  test('a missing attribute is false + missingAttribute, and its enclosing operator yields its zero value', () => {
    assert.deepEqual(run('nope'), err(false, 'missingAttribute'));
    assert.deepEqual(run('nope * 5'), err(0, 'missingAttribute'));
    assert.deepEqual(run('1 / nope'), err(0, 'missingAttribute'));
    assert.deepEqual(run('nope % 0'), err(0, 'missingAttribute'));
    assert.deepEqual(run('NOT nope'), err(false, 'missingAttribute'));
    assert.deepEqual(run('-nope'), err(0, 'missingAttribute'));
    assert.deepEqual(run("nope LIKE '%'"), err(false, 'missingAttribute'));
    assert.deepEqual(run("nope NOT LIKE 'x'"), err(false, 'missingAttribute'));
    assert.deepEqual(run('nope NOT IN (1)'), err(false, 'missingAttribute'));
    assert.deepEqual(run("'a' IN ('a', nope)"), err(false, 'missingAttribute'));
    assert.deepEqual(run('nope != 1'), err(false, 'missingAttribute'));
  });

  test('a zero value produced by an error is an ordinary value one level up', () => {
    // (nope = 1) is false with an error; NOT of that is computed normally (not fail-fast).
    assert.deepEqual(run('NOT (nope = 1)'), err(false, 'missingAttribute'));
    assert.deepEqual(run('(nope = 1) = FALSE'), err(false, 'missingAttribute'));
  });

  test('EXISTS never raises', () => {
    assert.deepEqual(run('EXISTS subject AND NOT EXISTS nope'), ok(true));
    assert.deepEqual(run('EXISTS constructor'), ok(false));
  });

  test('data is not an attribute CESQL can see unless the caller puts it in the map', () => {
    assert.deepEqual(run('EXISTS data'), ok(false));
  });
});

describe('CESQL evaluation: operators and implicit casts', () => {
  test('comparisons cast both sides to Integer (string "5" < "10" numerically)', () => {
    assert.deepEqual(run('seq < ttl'), ok(true));
    assert.deepEqual(run('hop >= ttl'), ok(false));
    assert.deepEqual(run("'abc' < 1"), err(true, 'cast')); // 'abc' -> 0 (+ CastError), 0 < 1
  });

  test('= / != / <> cast the left operand to the right operand\'s type', () => {
    assert.deepEqual(run('seq = 5'), ok(true));
    assert.deepEqual(run("hop = '5'"), ok(true));
    assert.deepEqual(run("flag = 'true'"), ok(true));
    assert.deepEqual(run("flag = 'TRUE'"), ok(false));
    assert.deepEqual(run('flagtext = TRUE'), ok(true));
    assert.deepEqual(run("TRUE = 'true' AND FALSE = 'false'"), ok(true));
    assert.deepEqual(run("TRUE = 'TRUE' OR FALSE = 'FALSE'"), ok(false));
    assert.deepEqual(run("'abc' = 'ABC'"), ok(false));
    assert.deepEqual(run("'abc' <> 'ABC'"), ok(true));
    assert.deepEqual(run("'x' = 1"), err(false, 'cast'));
  });

  test('own cast failures compute with the fallback value (TCK: NOT 10 is true + cast)', () => {
    assert.deepEqual(run('NOT 10'), err(true, 'cast'));
    assert.deepEqual(run("'5avc4' + 10"), err(10, 'cast'));
    assert.deepEqual(run('1 = TRUE'), err(false, 'cast'));
    assert.deepEqual(run('TRUE = 1'), ok(true));
    assert.deepEqual(run("NOT 'yes'"), err(true, 'cast'));
  });

  test('arithmetic: truncated division and remainder with the dividend\'s sign', () => {
    assert.deepEqual(run('-7 / 2'), ok(-3));
    assert.deepEqual(run('7 / -2'), ok(-3));
    assert.deepEqual(run('-7 % 2'), ok(-1));
    assert.deepEqual(run('7 % -2'), ok(1));
    assert.deepEqual(run('5 / 0'), err(0, 'math'));
    assert.deepEqual(run('5 % 0'), err(0, 'math'));
    assert.deepEqual(run("'6' * TRUE + hop"), ok(11));
  });

  test('integer overflow saturates and raises a MathError; no -0 leaks out', () => {
    assert.deepEqual(run('2147483647 + 1'), err(2147483647, 'math'));
    assert.deepEqual(run('-2147483648 - 1'), err(-2147483648, 'math'));
    assert.deepEqual(run('65536 * 65536'), err(2147483647, 'math'));
    assert.deepEqual(run('-2147483648 / -1'), err(2147483647, 'math'));
    assert.deepEqual(run('-(-2147483648)'), err(2147483647, 'math'));
    assert.deepEqual(run('-2147483648 % -1'), ok(0));
    assert.ok(Object.is(compileCesql('0 * -5').evaluate({}).value, 0));
    assert.ok(Object.is(compileCesql('-1 / 2').evaluate({}).value, 0));
    assert.deepEqual(run('2147483647 + 1 - 1'), err(0, 'math'));
  });

  test('AND / OR short-circuit: the right side is neither evaluated nor reported', () => {
    assert.deepEqual(run('FALSE AND nope'), ok(false));
    assert.deepEqual(run('TRUE OR 1 / 0 = 1'), ok(true));
    assert.deepEqual(run('TRUE AND nope'), err(false, 'missingAttribute'));
    assert.deepEqual(run('FALSE OR nope'), err(false, 'missingAttribute'));
    assert.deepEqual(run("'true' AND 'TRUE'"), ok(true));
    assert.deepEqual(run('10 AND TRUE'), err(false, 'cast'));
  });

  test('XOR evaluates both sides', () => {
    assert.deepEqual(run('TRUE XOR FALSE'), ok(true));
    assert.deepEqual(run('TRUE XOR nope'), err(false, 'missingAttribute'));
  });

  test('mixed AND/OR/XOR evaluate left to right (§3.6)', () => {
    assert.deepEqual(run('FALSE AND TRUE OR TRUE'), ok(true));
    assert.deepEqual(run('TRUE OR FALSE AND FALSE'), ok(false));
  });

  test('LIKE casts its operand to String', () => {
    assert.deepEqual(run("hop LIKE '5'"), ok(true));
    assert.deepEqual(run("flag LIKE 'tr_e'"), ok(true));
    assert.deepEqual(run("type LIKE 'com.example.%'"), ok(true));
    assert.deepEqual(run("type NOT LIKE '%.deleted'"), ok(true));
  });

  test('IN casts set elements to the left operand\'s type', () => {
    assert.deepEqual(run("hop IN ('4', '5')"), ok(true));
    assert.deepEqual(run('seq IN (4, 5)'), ok(true));
    assert.deepEqual(run("flag IN ('TRUE')"), ok(true)); // String -> Boolean is case-insensitive
    assert.deepEqual(run("flagtext IN (TRUE)"), ok(false)); // Boolean -> String gives 'true'
    assert.deepEqual(run("flag NOT IN ('false')"), ok(true));
    assert.deepEqual(run("1 IN ('x', 1)"), err(true, 'cast'));
    assert.deepEqual(run('TRUE IN (1)'), err(false, 'cast'));
  });

  test('errors carry kind, stable code and source position', () => {
    const { errors } = compileCesql("id + 'b'").evaluate({ id: 'a' });
    assert.deepEqual(
      errors.map((e) => [e.kind, e.code, e.position]),
      [
        ['cast', 'SKIFF_ERR_CESQL_CAST', 0],
        ['cast', 'SKIFF_ERR_CESQL_CAST', 5],
      ],
    );
    const math = compileCesql('x / 0').evaluate({ x: 1 }).errors;
    assert.deepEqual(math.map((e) => [e.kind, e.code, e.position]), [['math', 'SKIFF_ERR_CESQL_MATH', 2]]);
    assert.ok(errors[0] instanceof CesqlError);
    assert.ok(errors[0] instanceof Error);
    assert.match(errors[0].message, /cannot cast String "a" to Integer \(at position 0\)/);
    const missing = compileCesql('  myext').evaluate({}).errors[0];
    assert.equal(missing.code, 'SKIFF_ERR_CESQL_MISSING_ATTRIBUTE');
    assert.match(missing.message, /missing attribute 'myext'/);
    assert.equal(compileCesql('X()').evaluate({}).errors[0].code, 'SKIFF_ERR_CESQL_MISSING_FUNCTION');
    assert.equal(compileCesql("LEFT('a', -1)").evaluate({}).errors[0].code, 'SKIFF_ERR_CESQL_FUNCTION_EVALUATION');
  });
});

describe('CESQL public API', () => {
  test('compileCesql keeps the source and throws parse errors with a position', () => {
    assert.equal(compileCesql("type = 'x'").source, "type = 'x'");
    assert.throws(
      () => compileCesql('type = '),
      (e: unknown) =>
        e instanceof CesqlError && e.kind === 'parse' && e.code === 'SKIFF_ERR_CESQL_PARSE' && e.position === 7 &&
        /expected an expression but found end of expression \(at position 7\)/.test(e.message),
    );
    assert.throws(() => compileCesql(undefined as unknown as string), (e: unknown) => e instanceof CesqlError && e.kind === 'parse');
  });

  test('a compiled expression is reusable across events', () => {
    const expr = compileCesql("subject LIKE 'orders/%'");
    assert.equal(expr.evaluate(EVENT).value, true);
    assert.equal(expr.evaluate({ subject: 'users/1' }).value, false);
    assert.deepEqual(expr.evaluate({}).errors.map((e) => e.kind), ['missingAttribute']);
    assert.equal(expr.evaluate(EVENT).errors.length, 0);
  });

  test('cesqlMatches: only Boolean true without errors passes', () => {
    assert.equal(cesqlMatches(compileCesql("type LIKE 'com.example.%'"), EVENT), true);
    assert.equal(cesqlMatches(compileCesql("type LIKE 'org.%'"), EVENT), false);
    assert.equal(cesqlMatches(compileCesql('NOT nope'), EVENT), false); // false + error
    assert.equal(cesqlMatches(compileCesql('NOT 10'), EVENT), false); // true, but a cast error
    assert.equal(cesqlMatches(compileCesql("'true'"), EVENT), false); // not a Boolean
    assert.equal(cesqlMatches(compileCesql('1'), EVENT), false);
    assert.equal(cesqlMatches(compileCesql('TRUE OR nope'), EVENT), true); // nope never evaluated
  });

  test('cesqlMatches works with any CesqlExpression implementation', () => {
    const fake: CesqlExpression = { source: 'fake', evaluate: () => ({ value: true, errors: [] }) };
    assert.equal(cesqlMatches(fake, {}), true);
    const failing: CesqlExpression = {
      source: 'fake',
      evaluate: () => ({ value: true, errors: [new CesqlError('generic', 'boom')] }),
    };
    assert.equal(cesqlMatches(failing, {}), false);
  });

  test('a non-object event from JS callers has no attributes instead of crashing', () => {
    const expr = compileCesql('EXISTS id');
    assert.equal(expr.evaluate(null as unknown as Record<string, unknown>).value, false);
    assert.equal(cesqlMatches(compileCesql('TRUE'), undefined as unknown as Record<string, unknown>), true);
  });
});
