// CloudEvents SQL (CESQL v1.0) for trigger filters: compile an expression once, evaluate it
// against each event's attributes. Public entry point of the cesql module.
//
// Hand-written (lexer, recursive-descent parser, tree-walking evaluator) because there is no
// maintained JavaScript CESQL implementation: the cloudevents JS SDK has none, and the reference
// implementations (Go, Java) generate their parsers with ANTLR, whose JS runtime would be a heavy
// dependency for a grammar this small. Conformance is pinned by the official TCK (tck.test.ts).
//
// The event is the flat attribute map (context attributes + extensions, lower-case names); `data`
// is deliberately not reachable (CESQL §1).

import type { CesqlNode } from './ast.js';
import { CesqlError } from './errors.js';
import { evaluateNode } from './evaluator.js';
import { parseCesql } from './parser.js';
import type { CesqlValue, EvalContext } from './values.js';

export { CesqlError, type CesqlErrorKind } from './errors.js';
export type { CesqlValue } from './values.js';

export interface CesqlExpression {
  readonly source: string;
  /** Total: always returns a value; errors (never thrown) explain what went wrong. */
  evaluate(event: Record<string, unknown>): { value: CesqlValue; errors: CesqlError[] };
}

const NO_ATTRIBUTES: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

/** Tolerate a non-object event (JS callers): it has no attributes rather than crashing evaluation. */
function attributesOf(event: Record<string, unknown>): Record<string, unknown> {
  return event !== null && typeof event === 'object' ? event : NO_ATTRIBUTES;
}

class CompiledCesqlExpression implements CesqlExpression {
  constructor(
    readonly source: string,
    readonly root: CesqlNode,
  ) {}

  evaluate(event: Record<string, unknown>): { value: CesqlValue; errors: CesqlError[] } {
    const errors: CesqlError[] = [];
    const ctx: EvalContext = { event: attributesOf(event), errorCount: 0, errors };
    const value = evaluateNode(this.root, ctx);
    return { value, errors };
  }

  /** Filter verdict without materialising error objects (hot path). */
  matches(event: Record<string, unknown>): boolean {
    const ctx: EvalContext = { event: attributesOf(event), errorCount: 0, errors: null };
    return evaluateNode(this.root, ctx) === true && ctx.errorCount === 0;
  }
}

/**
 * Parse a CESQL expression. Throws a CesqlError of kind 'parse' (with the 0-based `position` of the
 * offending token) for invalid syntax, out-of-range integer literals and non-literal LIKE patterns.
 * Calls of unknown functions (or with an arity no overload accepts) still compile and evaluate to
 * false plus a 'missingFunction' error, as CESQL §3.5 specifies.
 */
export function compileCesql(expression: string): CesqlExpression {
  if (typeof expression !== 'string') {
    throw new CesqlError('parse', `CESQL expression must be a string, got ${expression === null ? 'null' : typeof expression}`);
  }
  return new CompiledCesqlExpression(expression, parseCesql(expression));
}

/**
 * Knative trigger-filter semantics (CESQL §1.2): the event passes only if the expression yields
 * the Boolean true and raised no error.
 */
export function cesqlMatches(expr: CesqlExpression, event: Record<string, unknown>): boolean {
  if (expr instanceof CompiledCesqlExpression) return expr.matches(event);
  const { value, errors } = expr.evaluate(event);
  return value === true && errors.length === 0;
}
