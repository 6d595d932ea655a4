// Built-in image `autoscale-go`: Knative's autoscaling sample (gcr.io/knative-samples/autoscale-go).
// Query `sleep` (ms, a timer — thousands of concurrent sleeps cost nothing), `prime` (largest prime
// below N: CPU), `bloat` (allocate and touch N MB, held until the response ends: memory). Lines are
// written in completion order like the sample's goroutines; here bloat and prime run on the event
// loop, so they always finish before the sleep. `VALIDATION` answers GET /<token>/ with the token.
import { bloatLine, largestPrimeBelow, parseAutoscaleQuery, primeLine, sleptLine } from './work.cjs';
import { serveHttp } from '../lib/runtime.cjs';

const TEXT = 'text/plain; charset=utf-8';
const validationToken = process.env.VALIDATION;

serveHttp((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (validationToken && url.pathname.startsWith(`/${validationToken}/`)) {
    res.writeHead(200, { 'Content-Type': TEXT }).end(`${validationToken}\n`);
    return;
  }
  const parsed = parseAutoscaleQuery(url.searchParams);
  if (!parsed.ok) {
    res.writeHead(400, { 'Content-Type': TEXT, 'X-Content-Type-Options': 'nosniff' }).end(`${parsed.error}\n`);
    return;
  }
  const { sleepMs, prime, bloatMb } = parsed.request;
  const started = performance.now();
  let out = '';
  let ballast: Buffer | undefined;
  try {
    if (bloatMb !== undefined) {
      ballast = Buffer.alloc(bloatMb * 1024 * 1024, 1); // filled, so the memory is really resident
      out += bloatLine(bloatMb);
    }
    if (prime !== undefined) out += primeLine(prime, largestPrimeBelow(prime));
  } catch (err) {
    // The Go sample dies here (out of memory); answering 500 keeps the other requests alive.
    res.writeHead(500, { 'Content-Type': TEXT }).end(`${(err as Error).message}\n`);
    return;
  }
  const finish = (): void => {
    ballast = undefined;
    res.writeHead(200, { 'Content-Type': TEXT }).end(out);
  };
  if (sleepMs === undefined) {
    finish();
    return;
  }
  // Node timers run off a cached loop clock and can fire a fraction of a millisecond early; like
  // Go's time.Sleep, never report (or return) less than what was asked for.
  const wake = (): void => {
    const elapsed = performance.now() - started;
    if (elapsed < sleepMs) {
      setTimeout(wake, Math.ceil(sleepMs - elapsed));
      return;
    }
    out += sleptLine(elapsed);
    finish();
  };
  setTimeout(wake, Math.max(0, Math.ceil(sleepMs - (performance.now() - started))));
});
