// CESQL recursive-descent parser: source -> syntax tree, or a CesqlError of kind 'parse'.
//
// Precedence follows CESQL v1 §3.6, highest first, equal precedence evaluated left to right:
//   1. literals, attributes, ( … ), function calls, EXISTS attr
//   2. unary NOT and unary -         (so `NOT a = b` is `(NOT a) = b`, as in the spec's grammar)
//   3. LIKE / NOT LIKE, IN / NOT IN  (postfix)
//   4. * / %     5. + -     6. = != <> < <= > >=     7. AND OR XOR (one level, left-associative)
// Note: the spec's ANTLR grammar marks AND/OR/XOR right-associative; we follow the prose of §3.6
// ("left to right when the precedence is equal"). It only matters when AND/OR/XOR are mixed
// without parentheses.
//
// Checks done here rather than at evaluation: integer literals must fit 32 bits, LIKE needs a
// string literal pattern (§3.4.3, TCK), IN needs a non-empty parenthesised set, and function calls
// are resolved by name and arity (an unresolvable call still parses: §3.5 makes it evaluate to
// false plus a MissingFunctionError).

import type { BinaryOperator, CesqlNode } from './ast.js';
import { CesqlError } from './errors.js';
import { resolveFunction } from './functions.js';
import { type Token, tokenize } from './lexer.js';
import { LikePattern } from './like.js';
import { INT32_MAX, INT32_MIN } from './values.js';

const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'IN', 'EXISTS', 'TRUE', 'FALSE']);
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
const FUNCTION_NAME = /^[A-Z][A-Z_]*$/;
const COMPARISON = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);

// Both the parser and the evaluator recurse, so hostile input (10^5 nested parentheses, or a
// 10^5-term `a OR b OR …` chain) must be refused as a parse error instead of overflowing the stack.
/** Maximum nesting of parentheses, calls, IN sets and unary operators. */
export const MAX_NESTING = 200;
/** Maximum depth of the syntax tree (long operator chains build deep left-leaning trees). */
export const MAX_TREE_DEPTH = 1000;

class Parser {
  private index = 0;
  private nesting = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): CesqlNode {
    if (this.peek().kind === 'eof') throw new CesqlError('parse', 'empty expression', 0);
    const node = this.parseLogical();
    const t = this.peek();
    if (t.kind !== 'eof') throw this.unexpected(t, 'an operator or end of expression');
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tokens[this.index];
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  private keywordAt(offset = 0): string | undefined {
    const t = this.peek(offset);
    if (t.kind !== 'word') return undefined;
    const upper = t.text.toUpperCase();
    return KEYWORDS.has(upper) ? upper : undefined;
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'end of expression';
      case 'string':
        return `string literal ${JSON.stringify(t.text)}`;
      case 'integer':
        return `integer ${t.text}`;
      case 'word':
        return KEYWORDS.has(t.text.toUpperCase()) ? `keyword ${t.text.toUpperCase()}` : `'${t.text}'`;
      default:
        return `'${t.text}'`;
    }
  }

  private unexpected(t: Token, expected: string): CesqlError {
    return new CesqlError('parse', `expected ${expected} but found ${this.describe(t)}`, t.position);
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) throw this.unexpected(t, what);
    return this.next();
  }

  private enter(t: Token): void {
    if (++this.nesting > MAX_NESTING) {
      throw new CesqlError('parse', `expression nested deeper than ${MAX_NESTING} levels`, t.position);
    }
  }

  private parseLogical(): CesqlNode {
    this.enter(this.peek());
    try {
      return this.parseLogicalChain();
    } finally {
      this.nesting--;
    }
  }

  private parseLogicalChain(): CesqlNode {
    let left = this.parseComparison();
    for (;;) {
      const kw = this.keywordAt();
      if (kw !== 'AND' && kw !== 'OR' && kw !== 'XOR') return left;
      const op = this.next();
      const right = this.parseComparison();
      left = { kind: 'binary', operator: kw, left, right, position: op.position };
    }
  }

  private parseComparison(): CesqlNode {
    let left = this.parseAdditive();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'operator' || !COMPARISON.has(t.text)) return left;
      this.next();
      const right = this.parseAdditive();
      left = { kind: 'binary', operator: t.text as BinaryOperator, left, right, position: t.position };
    }
  }

  private parseAdditive(): CesqlNode {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'operator' || (t.text !== '+' && t.text !== '-')) return left;
      this.next();
      const right = this.parseMultiplicative();
      left = { kind: 'binary', operator: t.text, left, right, position: t.position };
    }
  }

  private parseMultiplicative(): CesqlNode {
    let left = this.parsePostfix();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'operator' || (t.text !== '*' && t.text !== '/' && t.text !== '%')) return left;
      this.next();
      const right = this.parsePostfix();
      left = { kind: 'binary', operator: t.text, left, right, position: t.position };
    }
  }

  private parsePostfix(): CesqlNode {
    let node = this.parseUnary();
    for (;;) {
      let kw = this.keywordAt();
      let negated = false;
      const opToken = this.peek();
      if (kw === 'NOT') {
        const after = this.keywordAt(1);
        if (after !== 'LIKE' && after !== 'IN') {
          throw this.unexpected(opToken, 'LIKE or IN after NOT (use NOT before an operand to negate it)');
        }
        this.next();
        kw = after;
        negated = true;
      }
      if (kw === 'LIKE') {
        this.next();
        const pattern = this.peek();
        if (pattern.kind !== 'string') throw this.unexpected(pattern, 'a string literal as the LIKE pattern');
        this.next();
        node = { kind: 'like', operand: node, pattern: new LikePattern(pattern.text), negated, position: opToken.position };
      } else if (kw === 'IN') {
        this.next();
        this.expect('lparen', "'(' to open the IN set");
        if (this.peek().kind === 'rparen') {
          throw new CesqlError('parse', 'the IN set must contain at least one element', this.peek().position);
        }
        const set: CesqlNode[] = [this.parseLogical()];
        while (this.peek().kind === 'comma') {
          this.next();
          set.push(this.parseLogical());
        }
        this.expect('rparen', "',' or ')' in the IN set");
        node = { kind: 'in', operand: node, set, negated, position: opToken.position };
      } else {
        return node;
      }
    }
  }

  private parseUnary(): CesqlNode {
    const t = this.peek();
    if (t.kind === 'word' && t.text.toUpperCase() === 'NOT') {
      this.next();
      this.enter(t);
      const operand = this.parseUnary();
      this.nesting--;
      return { kind: 'not', operand, position: t.position };
    }
    if (t.kind === 'operator' && (t.text === '-' || t.text === '+')) {
      this.next();
      // A sign directly before an integer literal is part of the literal (§2.2), which is what
      // lets -2147483648 be written at all.
      if (this.peek().kind === 'integer') return this.integerLiteral(this.next(), t.text === '-', t.position);
      if (t.text === '+') throw this.unexpected(this.peek(), "an integer literal after unary '+'");
      this.enter(t);
      const operand = this.parseUnary();
      this.nesting--;
      return { kind: 'negate', operand, position: t.position };
    }
    return this.parsePrimary();
  }

  private integerLiteral(t: Token, negative: boolean, position: number): CesqlNode {
    // Digits only, so Number() is exact up to 2^53 and safely out of range beyond it.
    const magnitude = Number(t.text);
    const value = negative ? -magnitude : magnitude;
    if (value > INT32_MAX || value < INT32_MIN) {
      throw new CesqlError(
        'parse',
        `integer literal ${negative ? '-' : ''}${t.text} does not fit a 32-bit signed integer`,
        position,
      );
    }
    return { kind: 'literal', value: value === 0 ? 0 : value, position };
  }

  private parsePrimary(): CesqlNode {
    const t = this.peek();
    switch (t.kind) {
      case 'lparen': {
        this.next();
        const inner = this.parseLogical();
        this.expect('rparen', "')'");
        return inner;
      }
      case 'integer':
        this.next();
        return this.integerLiteral(t, false, t.position);
      case 'string':
        this.next();
        return { kind: 'literal', value: t.text, position: t.position };
      case 'word':
        return this.parseWord(t);
      default:
        throw this.unexpected(t, 'an expression');
    }
  }

  private parseWord(t: Token): CesqlNode {
    const upper = t.text.toUpperCase();
    if (KEYWORDS.has(upper)) {
      if (upper === 'TRUE' || upper === 'FALSE') {
        this.next();
        return { kind: 'literal', value: upper === 'TRUE', position: t.position };
      }
      if (upper === 'EXISTS') {
        this.next();
        const id = this.peek();
        if (id.kind !== 'word' || KEYWORDS.has(id.text.toUpperCase())) {
          throw this.unexpected(id, 'an attribute name after EXISTS');
        }
        this.next();
        return { kind: 'exists', name: this.attributeName(id), position: t.position };
      }
      throw this.unexpected(t, 'an expression');
    }
    this.next();
    if (this.peek().kind === 'lparen') return this.parseCall(t);
    return { kind: 'attribute', name: this.attributeName(t), position: t.position };
  }

  /** Attribute names are [a-z0-9]+ (CloudEvents naming); matched case-insensitively like keywords. */
  private attributeName(t: Token): string {
    const name = t.text.toLowerCase();
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new CesqlError(
        'parse',
        `invalid attribute name '${t.text}': CloudEvents attribute names contain only letters a-z and digits`,
        t.position,
      );
    }
    return name;
  }

  private parseCall(nameToken: Token): CesqlNode {
    const name = nameToken.text.toUpperCase();
    if (!FUNCTION_NAME.test(name)) {
      throw new CesqlError(
        'parse',
        `invalid function name '${nameToken.text}': function names contain only letters and '_' and start with a letter`,
        nameToken.position,
      );
    }
    this.expect('lparen', "'('");
    const args: CesqlNode[] = [];
    if (this.peek().kind !== 'rparen') {
      args.push(this.parseLogical());
      while (this.peek().kind === 'comma') {
        this.next();
        args.push(this.parseLogical());
      }
    }
    this.expect('rparen', `',' or ')' in the argument list of ${name}`);
    return { kind: 'call', name, fn: resolveFunction(name, args.length), args, position: nameToken.position };
  }
}

function children(node: CesqlNode): readonly CesqlNode[] {
  switch (node.kind) {
    case 'not':
    case 'negate':
    case 'like':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'in':
      return [node.operand, ...node.set];
    case 'call':
      return node.args;
    default:
      return [];
  }
}

/** The first node found deeper than `limit`, if any; recursion stops at the limit. */
function nodeBeyondDepth(node: CesqlNode, limit: number): CesqlNode | undefined {
  if (limit === 0) return node;
  for (const child of children(node)) {
    const deep = nodeBeyondDepth(child, limit - 1);
    if (deep) return deep;
  }
  return undefined;
}

export function parseCesql(source: string): CesqlNode {
  const root = new Parser(tokenize(source)).parse();
  const deep = nodeBeyondDepth(root, MAX_TREE_DEPTH);
  if (deep) {
    throw new CesqlError(
      'parse',
      `expression too deep (more than ${MAX_TREE_DEPTH} nested operations); use IN (…) for long alternatives`,
      deep.position,
    );
  }
  return root;
}
