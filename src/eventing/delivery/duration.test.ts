import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DurationParseError, formatIsoDuration, parseIsoDuration } from './duration.js';

describe('parseIsoDuration', () => {
  test('time components, fractions and calendar units', () => {
    assert.equal(parseIsoDuration('PT0.2S'), 200);
    assert.equal(parseIsoDuration('PT0,5S'), 500);
    assert.equal(parseIsoDuration('PT1S'), 1000);
    assert.equal(parseIsoDuration('PT1M'), 60_000);
    assert.equal(parseIsoDuration('PT1H30M'), 5_400_000);
    assert.equal(parseIsoDuration('PT1.5H'), 5_400_000);
    assert.equal(parseIsoDuration('P1D'), 86_400_000);
    assert.equal(parseIsoDuration('P1W'), 7 * 86_400_000);
    assert.equal(parseIsoDuration('P1DT2H'), 93_600_000);
    assert.equal(parseIsoDuration('P1M'), (365.2425 / 12) * 86_400_000, 'M before T means months');
    assert.equal(parseIsoDuration('P1Y'), 365.2425 * 86_400_000);
    assert.equal(parseIsoDuration('PT0S'), 0);
    assert.equal(parseIsoDuration('-PT5S'), -5000);
    assert.equal(parseIsoDuration(' pt10s '), 10_000);
  });

  test('clear errors for common mistakes', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['5s', /Go\/kubectl-style durations are not accepted/],
      ['10', /must start with "P"/],
      ['P', /no amount given/],
      ['PT', /no amount given/],
      ['P1S', /must come after "T"/],
      ['P1DT', /"T" must be followed by/],
      ['PT1S2M', /expected a form like PT0.2S/],
      ['PT-1S', /expected a form like/],
    ];
    for (const [input, re] of cases) {
      assert.throws(
        () => parseIsoDuration(input),
        (err: unknown) => {
          assert.ok(err instanceof DurationParseError, input);
          assert.equal(err.code, 'SKIFF_ERR_DURATION_INVALID');
          assert.equal(err.input, input);
          assert.match(err.message, /^invalid ISO-8601 duration /);
          assert.match(err.message, re, input);
          return true;
        },
      );
    }
  });

  test('formatIsoDuration round-trips', () => {
    for (const ms of [0, 200, 1000, 60_000, 90_500, 3_600_000, 5_400_000]) assert.equal(parseIsoDuration(formatIsoDuration(ms)), ms);
    assert.equal(formatIsoDuration(200), 'PT0.2S');
    assert.equal(formatIsoDuration(90_000), 'PT1M30S');
  });
});
