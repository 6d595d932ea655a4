// LIKE pattern compilation and matching (CESQL v1 §3.4.3), compiled once per expression.
// Hand-written instead of translating to a RegExp: a backtracking regex on `%a%a%a%b` can take
// super-linear time on hostile attribute values; this matcher is O(pattern × value) worst case and
// has fast paths for the shapes filters actually use (exact, prefix%, %suffix, %infix%).
//
// Pattern syntax: `%` any run of characters, `_` exactly one character (a Unicode code point),
// `\%` `\_` `\\` the literal character; a backslash before anything else is a literal backslash.
// Matching is case-sensitive.

type LikeToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'one' }
  | { readonly kind: 'many' };

type Shape = 'exact' | 'prefix' | 'suffix' | 'contains' | 'anything' | 'general';

function codePointLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

export class LikePattern {
  readonly source: string;
  private readonly tokens: readonly LikeToken[];
  private readonly shape: Shape;
  /** The literal used by the fast paths (exact / prefix / suffix / contains). */
  private readonly literal: string;

  constructor(pattern: string) {
    this.source = pattern;
    const tokens: LikeToken[] = [];
    let lit = '';
    const flush = (): void => {
      if (lit !== '') tokens.push({ kind: 'literal', text: lit });
      lit = '';
    };
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === '\\') {
        const next = pattern[i + 1];
        if (next === '%' || next === '_' || next === '\\') {
          lit += next;
          i++;
        } else {
          lit += '\\';
        }
      } else if (ch === '%') {
        flush();
        if (tokens.length === 0 || tokens[tokens.length - 1].kind !== 'many') tokens.push({ kind: 'many' });
      } else if (ch === '_') {
        flush();
        tokens.push({ kind: 'one' });
      } else {
        lit += ch;
      }
    }
    flush();
    this.tokens = tokens;

    const kinds = tokens.map((t) => t.kind).join(',');
    const lits = tokens.filter((t): t is { kind: 'literal'; text: string } => t.kind === 'literal');
    this.literal = lits.length === 1 ? lits[0].text : '';
    switch (kinds) {
      case '':
        this.shape = 'exact';
        break;
      case 'literal':
        this.shape = 'exact';
        break;
      case 'literal,many':
        this.shape = 'prefix';
        break;
      case 'many,literal':
        this.shape = 'suffix';
        break;
      case 'many,literal,many':
        this.shape = 'contains';
        break;
      case 'many':
        this.shape = 'anything';
        break;
      default:
        this.shape = 'general';
    }
  }

  matches(value: string): boolean {
    switch (this.shape) {
      case 'exact':
        return value === this.literal;
      case 'prefix':
        return value.startsWith(this.literal);
      case 'suffix':
        return value.endsWith(this.literal);
      case 'contains':
        return value.includes(this.literal);
      case 'anything':
        return true;
      case 'general':
        return this.matchGeneral(value);
    }
  }

  // Classic wildcard matching that only ever backtracks to the most recent `%`: the part of the
  // pattern before that `%` is already matched at its leftmost position, which is never worse.
  private matchGeneral(s: string): boolean {
    const tokens = this.tokens;
    let ti = 0;
    let si = 0;
    let starTi = -1;
    let starSi = 0;
    for (;;) {
      if (ti < tokens.length) {
        const tok = tokens[ti];
        if (tok.kind === 'many') {
          starTi = ti;
          starSi = si;
          ti++;
          continue;
        }
        if (tok.kind === 'one') {
          if (si < s.length) {
            si += codePointLength(s, si);
            ti++;
            continue;
          }
        } else if (s.startsWith(tok.text, si)) {
          si += tok.text.length;
          ti++;
          continue;
        }
      } else if (si === s.length) {
        return true;
      }
      if (starTi < 0 || starSi >= s.length) return false;
      starSi += codePointLength(s, starSi);
      si = starSi;
      ti = starTi + 1;
    }
  }
}
