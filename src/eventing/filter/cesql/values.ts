// CESQL values, the evaluation context that collects errors, and the type casts of CESQL v1 §3.7.
// Values are plain JS primitives (boolean | number | string) so evaluation allocates nothing on
// the happy path; errors are counted always and only materialised as CesqlError objects when the
// caller asked for them (cesqlMatches only needs "were there any").

import { CesqlError, type CesqlErrorKind } from './errors.js';

export type CesqlValue = boolean | number | string;
export type CesqlType = 'Boolean' | 'Integer' | 'String';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export interface EvalContext {
  event: Record<string, unknown>;
  /** Number of errors raised so far; operators compare it before/after evaluating operands. */
  errorCount: number;
  /** Collected errors, or null when only the count matters. */
  errors: CesqlError[] | null;
}

export function raise(ctx: EvalContext, kind: CesqlErrorKind, position: number, message: string): void {
  ctx.errorCount++;
  if (ctx.errors !== null) ctx.errors.push(new CesqlError(kind, message, position));
}

export function typeOfValue(v: CesqlValue): CesqlType {
  return typeof v === 'boolean' ? 'Boolean' : typeof v === 'number' ? 'Integer' : 'String';
}

export function zeroValue(t: CesqlType): CesqlValue {
  return t === 'Boolean' ? false : t === 'Integer' ? 0 : '';
}

export function describeValue(v: CesqlValue): string {
  if (typeof v === 'string') {
    const shown = v.length > 40 ? `${v.slice(0, 40)}…` : v;
    return `String ${JSON.stringify(shown)}`;
  }
  return `${typeOfValue(v)} ${String(v)}`;
}

const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** String -> Integer per §3.7: optional sign, base 10, must fit 32 bits. Returns undefined if not. */
export function parseInt32(s: string): number | undefined {
  if (!INTEGER_TEXT.test(s)) return undefined;
  const n = Number(s);
  if (n < INT32_MIN || n > INT32_MAX) return undefined;
  return n === 0 ? 0 : n; // "-0" is 0
}

/** String -> Boolean per §3.7: case-insensitive "true"/"false". */
export function parseBool(s: string): boolean | undefined {
  if (s.length === 4 && s.toLowerCase() === 'true') return true;
  if (s.length === 5 && s.toLowerCase() === 'false') return false;
  return undefined;
}

export function castToString(v: CesqlValue): string {
  return typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

export function castToInteger(ctx: EvalContext, v: CesqlValue, position: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = parseInt32(v);
  if (n !== undefined) return n;
  raise(ctx, 'cast', position, `cannot cast ${describeValue(v)} to Integer`);
  return 0;
}

/**
 * Implicit cast to Boolean. Integer -> Boolean is deliberately NOT performed implicitly: the v1 TCK
 * requires `NOT 10` to give a CastError (and `true`, i.e. NOT of the failed cast's `false`), even
 * though §3.7's table lists the cast; the explicit BOOL() function does convert integers.
 */
export function castToBoolean(ctx: EvalContext, v: CesqlValue, position: number): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const b = parseBool(v);
    if (b !== undefined) return b;
  }
  raise(ctx, 'cast', position, `cannot cast ${describeValue(v)} to Boolean`);
  return false;
}

export function castTo(ctx: EvalContext, v: CesqlValue, t: CesqlType, position: number): CesqlValue {
  switch (t) {
    case 'Boolean':
      return castToBoolean(ctx, v, position);
    case 'Integer':
      return castToInteger(ctx, v, position);
    case 'String':
      return castToString(v);
  }
}

/**
 * Clamp an exact arithmetic result into 32 bits. Out-of-range results saturate to the nearest
 * bound and raise a MathError; this generalises the spec's ABS(-2147483648) = 2147483647 rule
 * (the spec says nothing else about overflow). Also turns JS's -0 into 0.
 */
export function checkedInt32(ctx: EvalContext, n: number, position: number, what: string): number {
  if (n > INT32_MAX) {
    raise(ctx, 'math', position, `integer overflow in ${what}`);
    return INT32_MAX;
  }
  if (n < INT32_MIN) {
    raise(ctx, 'math', position, `integer overflow in ${what}`);
    return INT32_MIN;
  }
  return n === 0 ? 0 : n;
}

/**
 * Read an attribute as a CESQL value (§3.2): strings, 32-bit integers and booleans as themselves,
 * anything else (Date, URL, non-int32 numbers, …) by its string form. Returns undefined if absent.
 * Own properties only: `constructor` is a valid attribute name and must not resolve to Object's.
 */
export function readAttribute(event: Record<string, unknown>, name: string): CesqlValue | undefined {
  const v = event[name];
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v;
    case 'number':
      return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? (v === 0 ? 0 : v) : String(v);
    case 'bigint':
      return v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX) ? Number(v) : v.toString();
    case 'undefined':
      return undefined;
    default:
      if (v === null || !Object.hasOwn(event, name)) return undefined;
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
      return String(v);
  }
}
