// Go-compatible formatting for the built-in sample images. The samples Skiff imitates are Go
// programs, and users compare their output byte for byte (`kubectl logs` of event-display, the
// autoscale-go response text), so a few Go library behaviours are re-implemented here:
//   - encoding/json.Indent: re-indents JSON while keeping every token's original text
//     (`\u0026` stays escaped, `1.0` stays `1.0`, key order is kept) — JSON.parse/stringify can't;
//   - encoding/json.Marshal's string escaping (HTML-safe `\u003c` `\u003e` `\u0026`);
//   - time.Parse/Format with RFC3339Nano (nanosecond precision, which JS Date lacks);
//   - time.ParseDuration and strconv.Atoi with Go's error texts.
// Hand-written because no dependency offers Go's exact formatting; everything here is pure.

const WS_SPACE = 0x20;
const WS_TAB = 0x09;
const WS_LF = 0x0a;
const WS_CR = 0x0d;

function isJsonSpace(c: number): boolean {
  return c === WS_SPACE || c === WS_LF || c === WS_CR || c === WS_TAB;
}

/** Thrown inside the scanner on malformed JSON; never escapes this module. */
class JsonSyntax extends Error {}

/**
 * A minimal JSON scanner that validates the grammar and reports token boundaries. It copies the
 * source text of strings, numbers and literals verbatim (what Go's json.Indent does).
 */
class JsonScanner {
  pos = 0;
  constructor(readonly src: string) {}

  skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length && isJsonSpace(s.charCodeAt(this.pos))) this.pos++;
  }

  peek(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  /** Scans a string token starting at `pos` (which must be `"`); returns its end (exclusive). */
  scanString(): number {
    const s = this.src;
    let i = this.pos + 1;
    for (;;) {
      if (i >= s.length) throw new JsonSyntax('unterminated string');
      const c = s.charCodeAt(i);
      if (c === 0x22) return (this.pos = i + 1);
      if (c < 0x20) throw new JsonSyntax('control character in string');
      if (c === 0x5c) {
        const e = s.charCodeAt(i + 1);
        if (e === 0x75) {
          // \uXXXX
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) throw new JsonSyntax('bad \\u escape');
          i += 6;
          continue;
        }
        // " \ / b f n r t
        if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          i += 2;
          continue;
        }
        throw new JsonSyntax('bad escape');
      }
      i++;
    }
  }

  /** Scans a number or a literal (true/false/null); returns its end (exclusive). */
  scanScalar(): number {
    const rest = this.src.slice(this.pos, this.pos + 400);
    const m = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)/.exec(rest);
    if (!m) throw new JsonSyntax('invalid value');
    let end = this.pos + m[0].length;
    // A number can be longer than the look-ahead window; extend over remaining digits.
    if (m[0].length === rest.length && /^[-0-9]/.test(m[0])) {
      while (end < this.src.length && /[0-9.eE+-]/.test(this.src[end]!)) end++;
      if (!/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(this.src.slice(this.pos, end))) {
        throw new JsonSyntax('invalid number');
      }
    }
    // A literal must not run straight into letters/digits ("truex", "01").
    const next = this.src.charCodeAt(end);
    if (end < this.src.length && !isJsonSpace(next) && next !== 0x2c && next !== 0x5d && next !== 0x7d && next !== 0x3a) {
      throw new JsonSyntax('invalid character after value');
    }
    return (this.pos = end);
  }
}

/**
 * Go's `json.Indent(dst, src, prefix, indent)`: returns the re-indented text, or undefined when
 * `src` is not valid JSON (Go then returns an error and callers print the raw bytes). Leading
 * whitespace is dropped, trailing whitespace after the top-level value is kept (as Go does), empty
 * objects/arrays stay `{}`/`[]`, and `:` is followed by one space.
 */
export function goJsonIndent(src: string, prefix: string, indent: string): string | undefined {
  const sc = new JsonScanner(src);
  let out = '';
  const newline = (depth: number): void => {
    out += '\n' + prefix + indent.repeat(depth);
  };
  const value = (depth: number): void => {
    sc.skipSpace();
    const c = sc.peek();
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      out += src[sc.pos];
      sc.pos++;
      sc.skipSpace();
      if (sc.peek() === close) {
        out += src[sc.pos];
        sc.pos++;
        return;
      }
      for (;;) {
        newline(depth + 1);
        if (close === 0x7d) {
          sc.skipSpace();
          if (sc.peek() !== 0x22) throw new JsonSyntax('expected object key');
          const start = sc.pos;
          out += src.slice(start, sc.scanString());
          sc.skipSpace();
          if (sc.peek() !== 0x3a) throw new JsonSyntax('expected colon');
          sc.pos++;
          out += ': ';
        }
        value(depth + 1);
        sc.skipSpace();
        const d = sc.peek();
        if (d === 0x2c) {
          out += ',';
          sc.pos++;
          continue;
        }
        if (d === close) {
          newline(depth);
          out += src[sc.pos];
          sc.pos++;
          return;
        }
        throw new JsonSyntax('expected comma or close');
      }
    }
    const start = sc.pos;
    const end = c === 0x22 ? sc.scanString() : sc.scanScalar();
    out += src.slice(start, end);
  };
  try {
    value(0);
  } catch (e) {
    if (e instanceof JsonSyntax || e instanceof RangeError) return undefined; // RangeError: absurd nesting
    throw e;
  }
  const rest = src.slice(sc.pos);
  for (let i = 0; i < rest.length; i++) if (!isJsonSpace(rest.charCodeAt(i))) return undefined;
  return out + rest;
}

/** Source spans of the members of a top-level JSON object: key (decoded) → [start, end). */
export type JsonMemberSpans = Map<string, readonly [number, number]>;

/**
 * Finds the raw text span of each top-level member value of a JSON object, so a structured-mode
 * CloudEvent's `data` can be kept byte-exact (as Go's SDK keeps it). Undefined when `src` is not a
 * valid JSON object. Later duplicates win, like most JSON decoders.
 */
export function jsonObjectMemberSpans(src: string): JsonMemberSpans | undefined {
  const sc = new JsonScanner(src);
  const spans: JsonMemberSpans = new Map();
  // Skips one value of any kind, validating it.
  const skip = (): void => {
    sc.skipSpace();
    const c = sc.peek();
    if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      sc.pos++;
      sc.skipSpace();
      if (sc.peek() === close) {
        sc.pos++;
        return;
      }
      for (;;) {
        if (close === 0x7d) {
          sc.skipSpace();
          if (sc.peek() !== 0x22) throw new JsonSyntax('expected object key');
          sc.scanString();
          sc.skipSpace();
          if (sc.peek() !== 0x3a) throw new JsonSyntax('expected colon');
          sc.pos++;
        }
        skip();
        sc.skipSpace();
        const d = sc.peek();
        sc.pos++;
        if (d === 0x2c) continue;
        if (d === close) return;
        throw new JsonSyntax('expected comma or close');
      }
    }
    if (c === 0x22) sc.scanString();
    else sc.scanScalar();
  };
  try {
    sc.skipSpace();
    if (sc.peek() !== 0x7b) return undefined;
    sc.pos++;
    sc.skipSpace();
    if (sc.peek() === 0x7d) {
      sc.pos++;
    } else {
      for (;;) {
        sc.skipSpace();
        if (sc.peek() !== 0x22) throw new JsonSyntax('expected object key');
        const ks = sc.pos;
        const key = JSON.parse(src.slice(ks, sc.scanString())) as string;
        sc.skipSpace();
        if (sc.peek() !== 0x3a) throw new JsonSyntax('expected colon');
        sc.pos++;
        sc.skipSpace();
        const vs = sc.pos;
        skip();
        spans.set(key, [vs, sc.pos]);
        sc.skipSpace();
        const d = sc.peek();
        sc.pos++;
        if (d === 0x2c) continue;
        if (d === 0x7d) break;
        throw new JsonSyntax('expected comma or close');
      }
    }
    sc.skipSpace();
    if (sc.pos !== src.length) return undefined;
  } catch (e) {
    if (e instanceof JsonSyntax || e instanceof RangeError || e instanceof SyntaxError) return undefined;
    throw e;
  }
  return spans;
}

/** Go's json.Marshal of a string: like JSON.stringify, plus Go's HTML-safe escapes. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** An instant with nanosecond precision: whole seconds since the Unix epoch plus nanoseconds. */
export interface GoTime {
  readonly seconds: number;
  readonly nanos: number;
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Go's time.Parse(time.RFC3339Nano, s); undefined when Go would return an error. */
export function parseRfc3339(s: string): GoTime | undefined {
  const m = RFC3339_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  let offsetSeconds = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  // Go keeps at most nine fractional digits (nanoseconds) and truncates the rest.
  const frac = (m[7] ?? '').slice(0, 9).padEnd(9, '0');
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0..99 to 1900..1999; correct for them.
  const fixedMs = year < 100 ? new Date(utcMs).setUTCFullYear(year) : utcMs;
  return { seconds: fixedMs / 1000 - offsetSeconds, nanos: Number(frac) };
}

/** `t.UTC().Format(time.RFC3339Nano)`: trailing zeros of the fraction trimmed, `Z` zone. */
export function formatRfc3339Nano(t: GoTime): string {
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  if (t.nanos === 0) return base + 'Z';
  return base + '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '') + 'Z';
}

/** Go's `time.Time.String()` in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function formatGoTimeString(t: GoTime): string {
  const iso = new Date(t.seconds * 1000).toISOString();
  const frac = t.nanos === 0 ? '' : '.' + String(t.nanos).padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

/** Converts a wall-clock reading in (fractional) milliseconds to a GoTime with µs precision. */
export function goTimeFromMillis(ms: number): GoTime {
  const micros = Math.round(ms * 1000);
  const seconds = Math.floor(micros / 1e6);
  return { seconds, nanos: (micros - seconds * 1e6) * 1000 };
}

const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in milliseconds; undefined on a syntax error. "0" is valid. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let totalNs = 0;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const value = Number(`${m[1] || '0'}.${m[2] ?? '0'}`);
    totalNs += value * DURATION_UNITS_NS[m[3]!]!;
    rest = rest.slice(m[0].length);
  }
  return (sign * totalNs) / 1e6;
}

/** Result of Go's strconv.Atoi: the value, or Go's error text. */
export type AtoiResult = { ok: true; value: number } | { ok: false; error: string };

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Go's strconv.Atoi (64-bit int) with its error messages. */
export function goAtoi(s: string): AtoiResult {
  if (!/^[+-]?[0-9]+$/.test(s)) return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) {
    return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  }
  return { ok: true, value: Number(big) };
}

/** Go's strconv.ParseBool. */
export function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Approximates Go's %q / strconv.Quote for printable text (JSON string syntax is close enough). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's strconv.Unquote for double-quoted strings; undefined when malformed. */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
