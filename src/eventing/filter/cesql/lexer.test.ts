import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CesqlError } from './errors.js';
import { tokenize } from './lexer.js';

const kinds = (src: string): string[] => tokenize(src).map((t) => `${t.kind}:${t.text}`);

function assertParseError(src: string, position: number, message: RegExp): void {
  assert.throws(
    () => tokenize(src),
    (e: unknown) => e instanceof CesqlError && e.kind === 'parse' && e.position === position && message.test(e.message),
  );
}

describe('CESQL lexer', () => {
  test('operators, including two-character ones, and positions', () => {
    const tokens = tokenize('a<=b <> c!=d>=e<f>g');
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.text, t.position]),
      [
        ['word', 'a', 0], ['operator', '<=', 1], ['word', 'b', 3], ['operator', '<>', 5], ['word', 'c', 8],
        ['operator', '!=', 9], ['word', 'd', 11], ['operator', '>=', 12], ['word', 'e', 14], ['operator', '<', 15],
        ['word', 'f', 16], ['operator', '>', 17], ['word', 'g', 18], ['eof', '', 19],
      ],
    );
  });

  test('a sign is never part of an integer token (the parser folds it)', () => {
    assert.deepEqual(kinds('4-1'), ['integer:4', 'operator:-', 'integer:1', 'eof:']);
    assert.deepEqual(kinds('-10'), ['operator:-', 'integer:10', 'eof:']);
  });

  test('words: identifiers may start with digits, all-digit runs are integers', () => {
    assert.deepEqual(kinds('123abc 123 CONCAT_WS'), ['word:123abc', 'integer:123', 'word:CONCAT_WS', 'eof:']);
  });

  test('whitespace: space, tab, CR, LF are skipped', () => {
    assert.deepEqual(kinds(' \t\r\n1\n'), ['integer:1', 'eof:']);
  });

  test('string literals: both quote styles, backslash and doubled-quote escapes', () => {
    assert.equal(tokenize(`'a"b\\'c'`)[0].text, `a"b'c`);
    assert.equal(tokenize(`"a'b\\"c"`)[0].text, `a'b"c`);
    assert.equal(tokenize(`'it''s'`)[0].text, `it's`);
    assert.equal(tokenize(`"say ""hi"""`)[0].text, `say "hi"`);
    assert.equal(tokenize(`'a\\\\b'`)[0].text, 'a\\b');
    assert.equal(tokenize(`''`)[0].text, '');
  });

  test('other backslash sequences are kept verbatim for LIKE patterns', () => {
    assert.equal(tokenize(`'a\\_b\\%c\\d'`)[0].text, 'a\\_b\\%c\\d');
  });

  test('errors carry the offending position', () => {
    assertParseError(`x = 'abc`, 4, /unterminated string literal/);
    assertParseError(`'abc\\'`, 0, /unterminated/);
    assertParseError('a ! b', 2, /'!'/);
    assertParseError('a & b', 2, /unexpected character '&'/);
    assertParseError('é', 0, /U\+00E9/);
  });
});
