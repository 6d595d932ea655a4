// ISO-8601 durations as Knative's DeliverySpec uses them (`backoffDelay: PT0.2S`, `timeout: PT30S`,
// `retryAfterMax: PT2M`), parsed to milliseconds. Hand-written: the format is small and the
// available libraries either pull in a whole date library or reject fractions like PT0.2S.
// Calendar units are converted as Knative's period library does (mean year of 365.2425 days,
// month = year / 12, week = 7 days, day = 24 hours).

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const MS_PER_YEAR = 365.2425 * MS_PER_DAY;
const MS_PER_MONTH = MS_PER_YEAR / 12;

/** A duration string that is not ISO-8601. */
export class DurationParseError extends Error {
  readonly code = 'SKIFF_ERR_DURATION_INVALID';
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid ISO-8601 duration ${JSON.stringify(input)}: ${reason}`);
    this.name = 'DurationParseError';
  }
}

const NUM = '(\\d+(?:[.,]\\d+)?)';
const ISO_DURATION = new RegExp(`^([+-])?P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`, 'i');
const UNIT_MS = [MS_PER_YEAR, MS_PER_MONTH, 7 * MS_PER_DAY, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND];
const EXAMPLES = 'expected a form like PT0.2S, PT30S, PT1M, PT1H30M or P1D';

/**
 * Parse an ISO-8601 duration (`[±]P[nY][nM][nW][nD][T[nH][nM][nS]]`, fractions with `.` or `,`)
 * to milliseconds (may be negative or fractional). Throws DurationParseError with a hint.
 */
export function parseIsoDuration(text: string): number {
  if (typeof text !== 'string') throw new DurationParseError(String(text), `must be a string; ${EXAMPLES}`);
  const input = text.trim();
  const m = ISO_DURATION.exec(input);
  if (m === null) throw new DurationParseError(text, diagnose(input));
  let ms = 0;
  let components = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const value = m[i + 2];
    if (value === undefined) continue;
    components++;
    ms += Number(value.replace(',', '.')) * UNIT_MS[i]!;
  }
  if (components === 0) throw new DurationParseError(text, `no amount given; ${EXAMPLES}`);
  if (/T$/i.test(input)) throw new DurationParseError(text, `"T" must be followed by hours, minutes or seconds; ${EXAMPLES}`);
  return m[1] === '-' ? -ms : ms;
}

function diagnose(input: string): string {
  if (input === '') return `empty; ${EXAMPLES}`;
  if (!/^[+-]?P/i.test(input)) {
    if (/^\d+(\.\d+)?(ms|s|m|h)$/.test(input)) return `Go/kubectl-style durations are not accepted here; ${EXAMPLES}`;
    return `must start with "P"; ${EXAMPLES}`;
  }
  if (/^[+-]?P[^T]*\d(H|S)/i.test(input)) return `hours, minutes and seconds must come after "T" (e.g. PT1S); ${EXAMPLES}`;
  return EXAMPLES;
}

/** Format milliseconds as a compact ISO-8601 duration (`PT0.2S`, `PT1M30S`, `PT0S`). */
export function formatIsoDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const hours = Math.floor(rest / MS_PER_HOUR);
  rest -= hours * MS_PER_HOUR;
  const minutes = Math.floor(rest / MS_PER_MINUTE);
  rest -= minutes * MS_PER_MINUTE;
  const seconds = Math.round(rest) / MS_PER_SECOND;
  let out = `${sign}PT`;
  if (hours > 0) out += `${hours}H`;
  if (minutes > 0) out += `${minutes}M`;
  if (seconds > 0 || (hours === 0 && minutes === 0)) out += `${seconds}S`;
  return out;
}
