import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CesqlNode } from './ast.js';
import { CesqlError } from './errors.js';
import { MAX_NESTING, MAX_TREE_DEPTH, parseCesql } from './parser.js';

/** Compact S-expression view of a tree, to assert on shape. */
function show(n: CesqlNode): string {
  switch (n.kind) {
    case 'literal':
      return typeof n.value === 'string' ? `'${n.value}'` : String(n.value);
    case 'attribute':
      return n.name;
    case 'exists':
      return `(EXISTS ${n.name})`;
    case 'not':
      return `(NOT ${show(n.operand)})`;
    case 'negate':
      return `(- ${show(n.operand)})`;
    case 'binary':
      return `(${show(n.left)} ${n.operator} ${show(n.right)})`;
    case 'like':
      return `(${show(n.operand)} ${n.negated ? 'NOT ' : ''}LIKE '${n.pattern.source}')`;
    case 'in':
      return `(${show(n.operand)} ${n.negated ? 'NOT ' : ''}IN ${n.set.map(show).join(' ')})`;
    case 'call':
      return `${n.name}(${n.args.map(show).join(', ')})${n.fn ? '' : '?'}`;
  }
}

const tree = (src: string): string => show(parseCesql(src));

function assertParseError(src: string, position: number, message: RegExp): void {
  assert.throws(
    () => parseCesql(src),
    (e: unknown) =>
      e instanceof CesqlError && e.kind === 'parse' && e.code === 'SKIFF_ERR_CESQL_PARSE' &&
      e.position === position && message.test(e.message),
    `expected parse error at ${position} for ${src}`,
  );
}

describe('CESQL parser: precedence (§3.6)', () => {
  test('* / % bind tighter than + -, which bind tighter than comparisons', () => {
    assert.equal(tree('4 * 2 + 4 / 2'), '((4 * 2) + (4 / 2))');
    assert.equal(tree('1 + 2 * 3 = 7'), '((1 + (2 * 3)) = 7)');
    assert.equal(tree('a % 2 - 1 < b'), '(((a % 2) - 1) < b)');
  });

  test('equal precedence is left-associative, including AND / OR / XOR on one level', () => {
    assert.equal(tree('8 - 4 - 2'), '((8 - 4) - 2)');
    assert.equal(tree('a AND b OR c'), '((a AND b) OR c)');
    assert.equal(tree('a OR b AND c'), '((a OR b) AND c)');
    assert.equal(tree('a XOR b AND c'), '((a XOR b) AND c)');
    assert.equal(tree('1 < 2 = TRUE'), '((1 < 2) = true)');
  });

  test('unary operators bind tightest, LIKE / IN next', () => {
    assert.equal(tree('NOT a = b'), '((NOT a) = b)');
    assert.equal(tree('NOT a LIKE \'x\''), "((NOT a) LIKE 'x')");
    assert.equal(tree('-a * b'), '((- a) * b)');
    assert.equal(tree('1 + 2 IN (3)'), '(1 + (2 IN 3))');
    assert.equal(tree("a LIKE 'x' AND b NOT LIKE 'y'"), "((a LIKE 'x') AND (b NOT LIKE 'y'))");
    assert.equal(tree('a NOT IN (1, b) OR c IN (x)'), '((a NOT IN 1 b) OR (c IN x))');
    assert.equal(tree('NOT EXISTS a AND EXISTS b'), '((NOT (EXISTS a)) AND (EXISTS b))');
  });

  test('parentheses override precedence', () => {
    assert.equal(tree('4 * (2 + 4) / 2'), '((4 * (2 + 4)) / 2)');
    assert.equal(tree('a AND (b OR c)'), '(a AND (b OR c))');
  });
});

describe('CESQL parser: literals and names', () => {
  test('keywords and function names are case-insensitive; attribute names are lower-cased', () => {
    assert.equal(tree('tRuE aNd FaLsE'), '(true AND false)');
    assert.equal(tree('EXISTS SOURCE'), '(EXISTS source)');
    assert.equal(tree('MyExt'), 'myext');
    assert.equal(tree("concat_Ws(',', a)"), "CONCAT_WS(',', a)");
    assert.equal(tree("x not like 'a' or y not in (1)"), "((x NOT LIKE 'a') OR (y NOT IN 1))");
  });

  test('integer literals: a sign folds into the literal, 32-bit range is enforced', () => {
    assert.equal(tree('-2147483648'), '-2147483648');
    assert.equal(tree('+5'), '5');
    assert.equal(tree('--10'), '(- -10)');
    assert.equal(tree('4-1'), '(4 - 1)');
    assert.equal(tree('5 - -3'), '(5 - -3)');
    assert.equal(tree("-'10'"), "(- '10')");
    assertParseError('2147483648', 0, /does not fit a 32-bit signed integer/);
    assertParseError('x = -2147483649', 4, /-2147483649 does not fit/);
    assertParseError('99999999999999999999999', 0, /does not fit/);
    assertParseError('+x', 1, /integer literal after unary '\+'/);
  });

  test('unresolved function calls still parse (evaluated as missingFunction)', () => {
    assert.equal(tree('NOPE(1)'), 'NOPE(1)?');
    assert.equal(tree('CONCAT_WS()'), 'CONCAT_WS()?');
    assert.equal(tree('ABS (1)'), 'ABS(1)');
  });

  test('identifiers may start with digits', () => {
    assert.equal(tree('1abc = 2'), '(1abc = 2)');
  });
});

describe('CESQL parser: errors', () => {
  test('syntax errors name what was expected and where', () => {
    assertParseError('', 0, /empty expression/);
    assertParseError('   ', 0, /empty expression/);
    assertParseError('ABC(', 4, /expected an expression but found end of expression/);
    assertParseError('(1 + 2', 6, /expected '\)' but found end/);
    assertParseError('1 2', 2, /expected an operator or end of expression but found integer 2/);
    assertParseError('a AND', 5, /expected an expression/);
    assertParseError('LENGTH(1 2)', 9, /',' or '\)' in the argument list of LENGTH/);
    assertParseError('x NOT 5', 2, /LIKE or IN after NOT/);
    assertParseError('AND', 0, /found keyword AND/);
  });

  test('LIKE requires a string literal pattern', () => {
    assertParseError('x LIKE 123', 7, /string literal as the LIKE pattern but found integer 123/);
    assertParseError('x LIKE y', 7, /string literal as the LIKE pattern/);
    assertParseError("x LIKE ('a')", 7, /string literal as the LIKE pattern/);
  });

  test('IN requires a non-empty parenthesised set', () => {
    assertParseError('x IN ()', 6, /at least one element/);
    assertParseError('x IN 1', 5, /'\(' to open the IN set/);
    assertParseError('x IN (1, 2', 10, /',' or '\)' in the IN set/);
  });

  test('EXISTS takes an attribute name', () => {
    assertParseError('EXISTS', 6, /attribute name after EXISTS/);
    assertParseError('EXISTS 1', 7, /attribute name after EXISTS/);
    assertParseError('EXISTS TRUE', 7, /attribute name after EXISTS/);
    assertParseError('EXISTS (x)', 7, /attribute name after EXISTS/);
  });

  test('names must follow CloudEvents / CESQL naming rules', () => {
    assertParseError('my_ext = 1', 0, /invalid attribute name 'my_ext'/);
    assertParseError('f1(2)', 0, /invalid function name 'f1'/);
    assertParseError('_x(2)', 0, /invalid function name/);
  });

  test('nesting and depth limits turn stack exhaustion into parse errors', () => {
    assertParseError('('.repeat(MAX_NESTING + 1) + '1' + ')'.repeat(MAX_NESTING + 1), MAX_NESTING, /nested deeper/);
    assert.throws(() => parseCesql('NOT '.repeat(100000) + 'x'), /nested deeper/);
    assert.throws(() => parseCesql('('.repeat(100000) + '1'), /nested deeper/);
    assert.throws(() => parseCesql('1+'.repeat(MAX_TREE_DEPTH) + '1'), /too deep/);
    assert.doesNotThrow(() => parseCesql('1+'.repeat(MAX_TREE_DEPTH - 1) + '1'));
  });
});
