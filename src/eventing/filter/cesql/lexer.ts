// CESQL tokenizer: turns expression source into tokens with their source offsets.
// Keywords are not decided here (they are case-insensitive words; the parser classifies them),
// and a leading sign is never part of an integer token: the parser folds `-`/`+` into a following
// literal so that `4-1` means subtraction (the spec's ANTLR lexer would read it as `4` `-1`).

import { CesqlError } from './errors.js';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'operator' // one of * / % + - = != <> < <= > >=
  | 'string' // value already unescaped
  | 'integer' // text is the digit run, value not yet range-checked
  | 'word' // identifier, keyword or function name: [A-Za-z0-9_]+ that is not all digits
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Raw text for operators, words and integers; the unescaped value for strings. */
  readonly text: string;
  /** 0-based offset of the token's first character. */
  readonly position: number;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x5f // _
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return cp < 0x20 || cp > 0x7e ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}

/**
 * String literal bodies: `\'` and `\"` give the quote, `\\` gives one backslash, a doubled
 * delimiter (`''` inside '…', `""` inside "…") gives the delimiter (SQL style, accepted by the
 * spec's ANTLR grammar). Any other backslash is kept verbatim so LIKE patterns still see `\%`/`\_`.
 */
function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start];
  let i = start + 1;
  let out = '';
  let runStart = i;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\' && i + 1 < src.length) {
      const next = src[i + 1];
      if (next === "'" || next === '"' || next === '\\') {
        out += src.slice(runStart, i) + next;
        i += 2;
        runStart = i;
        continue;
      }
      i += 2; // keep `\x` as written
      continue;
    }
    if (ch === quote) {
      if (src[i + 1] === quote) {
        out += src.slice(runStart, i) + quote;
        i += 2;
        runStart = i;
        continue;
      }
      return { value: out + src.slice(runStart, i), end: i + 1 };
    }
    i++;
  }
  throw new CesqlError('parse', `unterminated string literal starting with ${quote}`, start);
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    const ch = src[i];
    switch (ch) {
      case '(':
        tokens.push({ kind: 'lparen', text: ch, position: start });
        i++;
        continue;
      case ')':
        tokens.push({ kind: 'rparen', text: ch, position: start });
        i++;
        continue;
      case ',':
        tokens.push({ kind: 'comma', text: ch, position: start });
        i++;
        continue;
      case '*':
      case '/':
      case '%':
      case '+':
      case '-':
      case '=':
        tokens.push({ kind: 'operator', text: ch, position: start });
        i++;
        continue;
      case '!':
        if (src[i + 1] === '=') {
          tokens.push({ kind: 'operator', text: '!=', position: start });
          i += 2;
          continue;
        }
        throw new CesqlError('parse', "unexpected character '!' (did you mean '!=' or NOT?)", start);
      case '<':
        if (src[i + 1] === '=' || src[i + 1] === '>') {
          tokens.push({ kind: 'operator', text: src.slice(i, i + 2), position: start });
          i += 2;
        } else {
          tokens.push({ kind: 'operator', text: '<', position: start });
          i++;
        }
        continue;
      case '>':
        if (src[i + 1] === '=') {
          tokens.push({ kind: 'operator', text: '>=', position: start });
          i += 2;
        } else {
          tokens.push({ kind: 'operator', text: '>', position: start });
          i++;
        }
        continue;
      case "'":
      case '"': {
        const { value, end } = readString(src, start);
        tokens.push({ kind: 'string', text: value, position: start });
        i = end;
        continue;
      }
      default:
        break;
    }
    if (isWordChar(c)) {
      let allDigits = true;
      while (i < src.length && isWordChar(src.charCodeAt(i))) {
        const d = src.charCodeAt(i);
        if (d < 0x30 || d > 0x39) allDigits = false;
        i++;
      }
      tokens.push({ kind: allDigits ? 'integer' : 'word', text: src.slice(start, i), position: start });
      continue;
    }
    const cp = String.fromCodePoint(src.codePointAt(i) ?? c);
    throw new CesqlError('parse', `unexpected character ${describeChar(cp)}`, start);
  }
  tokens.push({ kind: 'eof', text: '', position: src.length });
  return tokens;
}
