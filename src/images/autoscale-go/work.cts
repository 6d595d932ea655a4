// The work Knative's autoscale-go sample does per request, as pure functions: query parsing with
// the sample's rules and error texts, the prime computation, and the response lines
// ("Allocated 5 Mb of memory.", "The largest prime less than 10000 is 9973.",
// "Slept for 100.13 milliseconds."). Read from knative/docs serving/autoscaling/autoscale-go.
import { goAtoi } from '../lib/go-compat.cjs';

/** What one request asks for; absent fields (or 0 in the query) mean "don't". */
export interface AutoscaleRequest {
  sleepMs?: number;
  prime?: number;
  bloatMb?: number;
}

export type ParseResult = { ok: true; request: AutoscaleRequest } | { ok: false; error: string };

/**
 * Parses `sleep`, `prime` and `bloat` as the sample does: strconv.Atoi (Go's error text on
 * failure), and 0 means absent. The Go sample crashes on a negative prime or bloat; here that is
 * a 400 with the message Knative's newer autoscale test image uses. A negative sleep sleeps 0 ms.
 */
export function parseAutoscaleQuery(query: URLSearchParams): ParseResult {
  const request: AutoscaleRequest = {};
  for (const [param, key] of [['sleep', 'sleepMs'], ['prime', 'prime'], ['bloat', 'bloatMb']] as const) {
    const raw = query.get(param);
    if (raw === null || raw === '') continue;
    const n = goAtoi(raw);
    if (!n.ok) return { ok: false, error: n.error };
    if (n.value === 0) continue;
    if (n.value < 0 && key !== 'sleepMs') return { ok: false, error: 'Negative query params are not supported' };
    request[key] = key === 'sleepMs' ? Math.max(0, n.value) : n.value;
  }
  return { ok: true, request };
}

/**
 * The largest prime strictly below `n`, or undefined when there is none (n <= 2). Burns CPU like
 * the sample (a full sieve over [0, n)) because that load is what the sample exists to create.
 */
export function largestPrimeBelow(n: number): number | undefined {
  if (n <= 2) return undefined;
  const composite = new Uint8Array(n);
  for (let i = 2; i * i < n; i++) {
    if (composite[i]) continue;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  for (let i = n - 1; i >= 2; i--) if (!composite[i]) return i;
  return undefined;
}

export function primeLine(max: number, largest: number | undefined): string {
  return largest === undefined
    ? `There are no primes smaller than ${max}.\n`
    : `The largest prime less than ${max} is ${largest}.\n`;
}

export function bloatLine(mb: number): string {
  return `Allocated ${mb} Mb of memory.\n`;
}

/** Go's `fmt.Sprintf("Slept for %.2f milliseconds.\n", ms)`. */
export function sleptLine(elapsedMs: number): string {
  return `Slept for ${elapsedMs.toFixed(2)} milliseconds.\n`;
}
