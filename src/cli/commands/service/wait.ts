// Waiting for a Knative object to become Ready, as kn does after create and
// update: follow a watch, skip events until status.observedGeneration catches
// up with metadata.generation, report each Ready-condition message with the
// elapsed time (`  0.034s The Configuration is still working…`, a repeated
// message prints `...`), succeed on Ready=True, fail on Ready=False once it
// has stayed False for the error window (already False when the wait begins
// counts too), and give up after the timeout.
// Clock and timers are injected so tests drive it without sleeping; the watch
// is any function that streams events (the CLI passes the API client's watch).
import type { Condition, KObject } from '../../../api/meta.js';
import { KnError } from '../../knative-format.js';

export interface Clock {
  now(): number;
}

export interface WaitTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: WaitTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface WatchEventLike {
  type: string;
  object: KObject;
}

/**
 * Streams watch events for one object from `fromVersion` until the stream
 * ends (resolve) or `signal` aborts. Errors reject.
 */
export type WatchSource = (fromVersion: string | undefined, onEvent: (ev: WatchEventLike) => void, signal: AbortSignal) => Promise<void>;

export interface ReadyWaitOptions {
  /** `service`, used in the timeout message. */
  kind: string;
  name: string;
  timeoutMs: number;
  /** How long Ready=False must last to count as failure (kn --wait-window, default 2 s). */
  errorWindowMs: number;
  /** Called for every Ready message seen while waiting (elapsed since the wait began). */
  onMessage(elapsedMs: number, message: string): void;
  clock?: Clock;
  timers?: WaitTimers;
  /** Pause before re-opening a watch the server closed. */
  retryPauseMs?: number;
  /** Stops waiting (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /**
   * The object as read when the wait began. Embedded controllers can fail a
   * revision within milliseconds, before the watch opens: a Ready=False it
   * already carries starts the error window at once instead of waiting for
   * the next change.
   */
  initial?: KObject;
  /**
   * The condition that explains a Ready=False better than Ready itself (for a
   * Service: ConfigurationsReady, so a failed revision's message wins over the
   * route's "does not have any ready Revision").
   */
  rootCause?(o: KObject): Condition | undefined;
}

function readyOf(o: KObject): Condition | undefined {
  const cs = o?.status?.conditions;
  return Array.isArray(cs) ? cs.find((c: Condition) => c.type === 'Ready') : undefined;
}

/** kn's IsReady: the status describes the current generation and Ready is True. */
export function isReady(o: KObject): boolean {
  return o?.status?.observedGeneration === o?.metadata?.generation && readyOf(o)?.status === 'True';
}

/** `%7.3f` seconds of a duration rounded to the millisecond: `  1.231`. */
export function formatElapsed(ms: number): string {
  return (Math.round(ms) / 1000).toFixed(3).padStart(7);
}

/** kn's SimpleMessageCallback: `<elapsed>s <message>`, `...` when the message repeats. */
export function progressPrinter(write: (s: string) => void): (elapsedMs: number, message: string) => void {
  let last = '';
  return (elapsedMs, message) => {
    write(`${formatElapsed(elapsedMs)}s ${message === last ? '...' : message}\n`);
    last = message;
  };
}

/**
 * Resolve with the elapsed ms once the object is Ready; reject with kn's
 * `Reason: message` error (Ready=False past the error window) or timeout text.
 */
export function waitForReady(source: WatchSource, initialVersion: string | undefined, opts: ReadyWaitOptions): Promise<number> {
  const clock = opts.clock ?? { now: Date.now };
  const timers = opts.timers ?? realTimers;
  const start = clock.now();
  return new Promise<number>((resolve, reject) => {
    const abort = new AbortController();
    let settled = false;
    let errorTimer: unknown;
    let version = initialVersion;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timeoutTimer);
      if (errorTimer !== undefined) timers.clearTimeout(errorTimer);
      abort.abort();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(clock.now() - start);
    };
    const timeoutTimer = timers.setTimeout(
      () => finish(new KnError(`timeout: ${opts.kind} '${opts.name}' not ready after ${Math.trunc(opts.timeoutMs / 1000)} seconds`, 'SKIFF_ERR_KN_TIMEOUT')),
      opts.timeoutMs,
    );
    const onAbort = () => finish(new KnError(`interrupted while waiting for ${opts.kind} '${opts.name}'`, 'SKIFF_ERR_KN_INTERRUPTED'));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const consider = (o: KObject) => {
      const observed = o?.status?.observedGeneration;
      if (observed === undefined || observed !== o.metadata?.generation) return;
      const ready = readyOf(o);
      if (!ready) return;
      if (ready.status === 'True') {
        finish();
        return;
      }
      if (ready.status === 'False') {
        if (errorTimer === undefined) {
          const cause = opts.rootCause?.(o);
          const why = cause?.status === 'False' ? cause : ready;
          const err = new KnError(`${why.reason ?? ''}: ${why.message ?? ''}`, 'SKIFF_ERR_KN_NOT_READY');
          errorTimer = timers.setTimeout(() => finish(err), opts.errorWindowMs);
        }
      } else if (errorTimer !== undefined) {
        // Back to Unknown inside the window: reconciliation is still going.
        timers.clearTimeout(errorTimer);
        errorTimer = undefined;
      }
      if (ready.message) opts.onMessage(clock.now() - start, ready.message);
    };
    const onEvent = (ev: WatchEventLike) => {
      if (settled) return;
      version = ev.object?.metadata?.resourceVersion ?? version;
      // ADDED events are the watch's initial state, not a change.
      if (ev.type === 'MODIFIED') consider(ev.object);
    };
    if (!settled && opts.initial && readyOf(opts.initial)?.status === 'False') consider(opts.initial);
    void (async () => {
      while (!settled) {
        try {
          await source(version, onEvent, abort.signal);
        } catch (e) {
          if (!settled) finish(e);
          return;
        }
        if (settled) return;
        await new Promise<void>((r) => {
          const h = timers.setTimeout(r, opts.retryPauseMs ?? 200);
          abort.signal.addEventListener('abort', () => (timers.clearTimeout(h), r()), { once: true });
        });
      }
    })();
  });
}
