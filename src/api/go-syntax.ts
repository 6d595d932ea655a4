// Go value syntax as Knative reads it from ConfigMaps and annotations:
// time.ParseDuration ("1m30s", "500ms"), strconv.ParseFloat / ParseInt /
// Atoi / ParseBool, and Go's Duration.String() for error messages.
// Hand-written because users paste values that Knative accepts (e.g. "1.5h",
// "+6s", "T") and we must accept exactly the same set; no npm package mirrors Go.
// Durations are returned in milliseconds (fractional below 1 ms).

export type Parsed<T> = { ok: true; value: T } | { ok: false; outOfRange: boolean };

const NS_PER_UNIT: Readonly<Record<string, number>> = Object.freeze({
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
});

const MAX_DURATION_NS = 9223372036854775807; // Go's max time.Duration (≈292 years)

/** time.ParseDuration: returns milliseconds, or undefined when Go would return an error. */
export function parseGoDuration(input: string): number | undefined {
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let totalNs = 0;
  while (s.length > 0) {
    const c = s[0];
    if (!(c === '.' || (c >= '0' && c <= '9'))) return undefined;
    const intMatch = /^[0-9]*/.exec(s)![0];
    s = s.slice(intMatch.length);
    let fracDigits = '';
    if (s.startsWith('.')) {
      s = s.slice(1);
      fracDigits = /^[0-9]*/.exec(s)![0];
      s = s.slice(fracDigits.length);
    }
    if (intMatch === '' && fracDigits === '') return undefined; // "." alone
    const unitMatch = /^[^0-9.]*/.exec(s)![0];
    s = s.slice(unitMatch.length);
    if (unitMatch === '') return undefined; // missing unit
    const unitNs = NS_PER_UNIT[unitMatch];
    if (unitNs === undefined) return undefined; // unknown unit
    const whole = intMatch === '' ? 0 : Number(intMatch);
    const frac = fracDigits === '' ? 0 : Number(`0.${fracDigits}`);
    totalNs += whole * unitNs + frac * unitNs;
    if (totalNs > MAX_DURATION_NS) return undefined; // overflow
  }
  // Go keeps integer nanoseconds; round so "1.0000000001s" behaves the same.
  const ns = Math.trunc(totalNs);
  const ms = ns / 1e6;
  return negative ? -ms : ms;
}

/** Go's time.Duration.String(), e.g. 0s, 500ms, 1.5s, 1m30s, 1h0m0s. */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e9) {
    if (ns < 1e3) return `${sign}${ns}ns`;
    if (ns < 1e6) return `${sign}${trimFraction(ns / 1e3)}µs`;
    return `${sign}${trimFraction(ns / 1e6)}ms`;
  }
  const hours = Math.floor(ns / 3600e9);
  ns -= hours * 3600e9;
  const minutes = Math.floor(ns / 60e9);
  ns -= minutes * 60e9;
  const seconds = `${trimFraction(ns / 1e9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trimFraction(x: number): string {
  // Up to 9 fractional digits like Go, without trailing zeros.
  return x.toFixed(9).replace(/\.?0+$/, '');
}

const GO_DECIMAL_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const GO_SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * strconv.ParseFloat(s, 64) for decimal input plus inf/nan. Hexadecimal float
 * literals ("0x1p-2") are rejected: nobody writes them in an annotation.
 */
export function parseGoFloat(s: string): Parsed<number> {
  const special = GO_SPECIAL_FLOAT.exec(s);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return { ok: true, value: NaN };
    return { ok: true, value: special[1] === '-' ? -Infinity : Infinity };
  }
  if (!GO_DECIMAL_FLOAT.test(s)) return { ok: false, outOfRange: false };
  const v = Number(s);
  if (!Number.isFinite(v)) return { ok: false, outOfRange: true };
  return { ok: true, value: v };
}

const GO_DECIMAL_INT = /^[+-]?[0-9]+$/;

/** strconv.ParseInt(s, 10, bits). */
export function parseGoInt(s: string, bits: 32 | 64 = 32): Parsed<number> {
  if (!GO_DECIMAL_INT.test(s)) return { ok: false, outOfRange: false };
  const v = Number(s);
  const limit = bits === 32 ? 2147483647 : 9223372036854775807;
  if (v > limit || v < -limit - 1) return { ok: false, outOfRange: true };
  return { ok: true, value: v };
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (GO_TRUE.has(s)) return true;
  if (GO_FALSE.has(s)) return false;
  return undefined;
}

/** Go's %v for a float64 (shortest repr, exponent form below 1e-4 like %g). */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mant, exp] = x.toExponential().split('e');
    const e = Number(exp);
    const digits = String(Math.abs(e)).padStart(2, '0');
    return `${mant}e${e < 0 ? '-' : '+'}${digits}`;
  }
  return String(x);
}
