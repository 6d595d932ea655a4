// CESQL evaluator: walks a parsed tree against one event's attributes (CESQL v1 §3).
//
// Error semantics (every operator is total):
// - An operator whose operands raised any error returns the zero value of its own return type
//   without computing (§3.2: `missing / 0` is 0 with only a MissingAttributeError; `NOT missing`
//   is false; the TCK's `true AND (1 != 1/0)` is false with a MathError).
// - Errors the operator itself raises (a failed implicit cast, division by zero, overflow) do not
//   stop it: it computes with the cast's fallback value, so `NOT 10` is true plus a CastError, as
//   the TCK requires, and LEFT('abc', -2) is 'abc' plus a FunctionEvaluationError.
// - A missing attribute evaluates to false plus a MissingAttributeError (§3.2: Boolean when the
//   type cannot be known); any enclosing operator then yields its zero value.
// - AND / OR short-circuit: the right side is not evaluated (and cannot raise) once the left
//   side decides the result.
// Implicit casts follow §3.7: unambiguous operators cast operands to their parameter types;
// `=`/`!=`/`<>` cast the left operand to the right operand's type; IN casts set elements to the
// left operand's type; LIKE casts its operand to String.

import type { CesqlNode } from './ast.js';
import {
  type CesqlValue,
  type EvalContext,
  castTo,
  castToBoolean,
  castToInteger,
  castToString,
  checkedInt32,
  raise,
  readAttribute,
  typeOfValue,
  zeroValue,
} from './values.js';

export function evaluateNode(node: CesqlNode, ctx: EvalContext): CesqlValue {
  switch (node.kind) {
    case 'literal':
      return node.value;

    case 'attribute': {
      const v = readAttribute(ctx.event, node.name);
      if (v !== undefined) return v;
      raise(ctx, 'missingAttribute', node.position, `missing attribute '${node.name}'`);
      return false;
    }

    case 'exists':
      return readAttribute(ctx.event, node.name) !== undefined;

    case 'not': {
      const before = ctx.errorCount;
      const v = evaluateNode(node.operand, ctx);
      if (ctx.errorCount !== before) return false;
      return !castToBoolean(ctx, v, node.operand.position);
    }

    case 'negate': {
      const before = ctx.errorCount;
      const v = evaluateNode(node.operand, ctx);
      if (ctx.errorCount !== before) return 0;
      return checkedInt32(ctx, -castToInteger(ctx, v, node.operand.position), node.position, 'unary -');
    }

    case 'like': {
      const before = ctx.errorCount;
      const v = evaluateNode(node.operand, ctx);
      if (ctx.errorCount !== before) return false;
      return node.pattern.matches(castToString(v)) !== node.negated;
    }

    case 'in':
      return evaluateIn(node, ctx);

    case 'binary':
      return evaluateBinary(node, ctx);

    case 'call': {
      const fn = node.fn;
      if (fn === undefined) {
        raise(
          ctx,
          'missingFunction',
          node.position,
          `no function ${node.name} taking ${node.args.length} argument${node.args.length === 1 ? '' : 's'}`,
        );
        return false;
      }
      const before = ctx.errorCount;
      const args: CesqlValue[] = new Array(node.args.length);
      for (let i = 0; i < node.args.length; i++) args[i] = evaluateNode(node.args[i], ctx);
      if (ctx.errorCount !== before) return zeroValue(fn.returnType);
      for (let i = 0; i < args.length; i++) {
        const t = i < fn.params.length ? fn.params[i] : fn.variadic;
        if (t !== undefined && t !== 'Any') args[i] = castTo(ctx, args[i], t, node.args[i].position);
      }
      return fn.call(ctx, args, node.position);
    }
  }
}

function evaluateIn(node: Extract<CesqlNode, { kind: 'in' }>, ctx: EvalContext): boolean {
  const before = ctx.errorCount;
  const x = evaluateNode(node.operand, ctx);
  if (ctx.errorCount !== before) return false;
  const target = typeOfValue(x);
  // Every element is evaluated (no early exit on a match), so an erroring element is reported
  // wherever it sits in the set, and the result does not depend on element order.
  let found = false;
  let operandError = false;
  for (let i = 0; i < node.set.length; i++) {
    const element = node.set[i];
    const mark = ctx.errorCount;
    const y = evaluateNode(element, ctx);
    if (ctx.errorCount !== mark) operandError = true;
    else if (!found && !operandError && castTo(ctx, y, target, element.position) === x) found = true;
  }
  if (operandError) return false;
  return found !== node.negated;
}

function evaluateBinary(node: Extract<CesqlNode, { kind: 'binary' }>, ctx: EvalContext): CesqlValue {
  const before = ctx.errorCount;
  const op = node.operator;

  if (op === 'AND' || op === 'OR') {
    const l = evaluateNode(node.left, ctx);
    if (ctx.errorCount !== before) return false;
    const lb = castToBoolean(ctx, l, node.left.position);
    if (op === 'AND' ? !lb : lb) return lb;
    const afterLeft = ctx.errorCount;
    const r = evaluateNode(node.right, ctx);
    if (ctx.errorCount !== afterLeft) return false;
    return castToBoolean(ctx, r, node.right.position);
  }

  const l = evaluateNode(node.left, ctx);
  const r = evaluateNode(node.right, ctx);
  if (ctx.errorCount !== before) {
    return op === '*' || op === '/' || op === '%' || op === '+' || op === '-' ? 0 : false;
  }

  switch (op) {
    case 'XOR':
      return castToBoolean(ctx, l, node.left.position) !== castToBoolean(ctx, r, node.right.position);
    case '=':
    case '!=':
    case '<>': {
      // Ambiguous operator: the right operand's type picks the overload (§3.7).
      const lv = castTo(ctx, l, typeOfValue(r), node.left.position);
      return (lv === r) === (op === '=');
    }
    default:
      break;
  }

  const a = castToInteger(ctx, l, node.left.position);
  const b = castToInteger(ctx, r, node.right.position);
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '+':
      return checkedInt32(ctx, a + b, node.position, "'+'");
    case '-':
      return checkedInt32(ctx, a - b, node.position, "'-'");
    case '*':
      return checkedInt32(ctx, a * b, node.position, "'*'");
    case '/':
      if (b === 0) {
        raise(ctx, 'math', node.position, 'division by zero');
        return 0;
      }
      return checkedInt32(ctx, Math.trunc(a / b), node.position, "'/'");
    case '%':
      if (b === 0) {
        raise(ctx, 'math', node.position, 'modulo by zero');
        return 0;
      }
      return checkedInt32(ctx, a % b, node.position, "'%'");
  }
}
