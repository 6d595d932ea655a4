// Small helpers shared by the node agent and the workload controllers: the
// controller runtime's Clock and Logger (re-exported), the runtime's error
// class, Kubernetes/Go time formatting, and an abortable sleep.

export { realClock, type Clock, type TimerHandle } from '../controller/clock.js';
export { silentLogger, type Logger, type LogFields } from '../controller/logger.js';
import type { Clock } from '../controller/clock.js';

/** Errors raised by the runtime itself (not API errors), with a stable code. */
export class RuntimeError extends Error {
  constructor(
    readonly code: `SKIFF_ERR_${string}`,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RuntimeError';
  }
}

/** Kubernetes-style timestamp (second precision, `Z`), as metav1.Time serialises. */
export { rfc3339 as kubeTime } from '../api/meta.js';

/** Go's time.Duration String() for whole milliseconds: 10s, 1m20s, 5m0s, 100ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const s = totalS - h * 3600 - m * 60;
  const sStr = `${Number.isInteger(s) ? s : Number(s.toFixed(3))}s`;
  if (h) return `${h}h${m}m${sStr}`;
  if (m) return `${m}m${sStr}`;
  return sStr;
}

/** A promise that resolves after `ms` or when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clock.clearTimeout(t);
      resolve();
    };
    const t = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
