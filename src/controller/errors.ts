// Errors a reconciler throws to tell the controller what to do with the key
// (after knative.dev/pkg/controller: NewPermanentError, NewRequeueAfter, and
// reconciler.NewEvent). Every class has a stable `code`; `is*` helpers use a
// brand so they work across duplicated module copies and on wrapped causes.

const BRAND = Symbol.for('skiff.controller.error');

type Branded = { [BRAND]?: string };

function brandOf(e: unknown): string | undefined {
  return e && typeof e === 'object' ? (e as Branded)[BRAND] : undefined;
}

/** Don't retry: the input is wrong and only a new version of the object can fix it. Logged, key forgotten. */
export class PermanentError extends Error {
  readonly code = 'SKIFF_ERR_PERMANENT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
    Object.defineProperty(this, BRAND, { value: 'permanent' });
  }
}

/** Wrap any error as permanent, keeping it as `cause`. */
export function permanent(err: unknown): PermanentError {
  if (isPermanentError(err)) return err as PermanentError;
  const msg = err instanceof Error ? err.message : String(err);
  return new PermanentError(msg, { cause: err });
}

/**
 * Not a failure: "look at this key again in `delayMs`". The key's failure
 * count is reset, as for a success.
 */
export class RequeueAfter extends Error {
  readonly code = 'SKIFF_ERR_REQUEUE_AFTER';
  readonly delayMs: number;
  constructor(delayMs: number) {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`RequeueAfter: delayMs must be a finite number >= 0, got ${delayMs}`);
    super(`requeue after ${delayMs}ms`);
    this.name = 'RequeueAfter';
    this.delayMs = delayMs;
    Object.defineProperty(this, BRAND, { value: 'requeue' });
  }
}

export type EventType = 'Normal' | 'Warning';

/**
 * A reconcile outcome that should surface as a Kubernetes Event on the object
 * (knative's reconciler.NewEvent). From `reconcileKind`: *returned* = success
 * (event recorded, key forgotten); *thrown* = failure (event recorded, key
 * retried with backoff), like Knative's bare vs wrapped ReconcilerEvent.
 */
export class ReconcileEvent extends Error {
  readonly code = 'SKIFF_ERR_RECONCILE_EVENT';
  readonly eventType: EventType;
  readonly reason: string;
  constructor(eventType: EventType, reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReconcileEvent';
    this.eventType = eventType;
    this.reason = reason;
    Object.defineProperty(this, BRAND, { value: 'event' });
  }
}

export function isPermanentError(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (brandOf(cur) === 'permanent') return true;
  }
  return false;
}

/** The requeue delay when `e` is a RequeueAfter, else undefined. */
export function requeueDelayOf(e: unknown): number | undefined {
  return brandOf(e) === 'requeue' ? (e as RequeueAfter).delayMs : undefined;
}

export function isReconcileEvent(e: unknown): e is ReconcileEvent {
  return brandOf(e) === 'event';
}

/** True for a 409 from the API (stale resourceVersion or already exists); expected under contention, logged quietly. */
export function isConflict(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { status?: number }).status === 409;
}

export function isNotFound(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { status?: number }).status === 404;
}
