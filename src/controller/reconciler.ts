// The generic "kind" reconciler that wraps a per-kind `reconcileKind(obj)`
// (what knative's generated `pkg/client/injection/reconciler/...` does):
// read the key from the informer cache, hand the reconciler a mutable clone,
// manage a finalizer, initialise conditions and observedGeneration, write the
// status back only when it changed (retrying 409 conflicts against the latest
// object), and turn errors and ReconcileEvents into Kubernetes Events.
import { isDeepStrictEqual } from 'node:util';
import type { ApiClient } from '../client/client.js';
import { clone, type KObject } from '../api/meta.js';
import type { ConditionSet, StatusWithConditions } from './conditions.js';
import type { Reconciler, ReconcileResult } from './controller.js';
import { isConflict, isReconcileEvent, requeueDelayOf, ReconcileEvent } from './errors.js';
import type { EventRecorder } from './events.js';
import type { Lister } from './informer.js';
import { silentLogger, type Logger } from './logger.js';

/** Reason Knative uses when a new generation was seen but the reconciler did not set the happy condition. */
export const NEW_OBSERVED_GEN_FAILURE = 'NewObservedGenFailure';
/** How many times a status update is retried on 409 Conflict (client-go's retry.DefaultRetry has 5 steps). */
const STATUS_UPDATE_ATTEMPTS = 5;

export type KindOutcome = ReconcileResult | ReconcileEvent | void;

export interface KindReconcilerOptions<T extends KObject> {
  /** Group-resource of the reconciled kind, e.g. `serving.knative.dev/revisions`. */
  gr: string;
  client: ApiClient;
  lister: Lister;
  recorder: EventRecorder;
  logger?: Logger;
  /**
   * When given: conditions are initialised before `reconcileKind`, the happy
   * condition is reset to Unknown on a new generation, and
   * status.observedGeneration is set afterwards (knative PreProcess/PostProcessReconcile).
   */
  conditionSet?: ConditionSet;
  /** Only reconcile objects this returns true for (e.g. a class annotation). */
  filter?: (obj: T) => boolean;
  /**
   * Reconcile a mutable clone of the cached object. Edit `obj.status`; it is
   * persisted if it changed. Spec/metadata edits are NOT persisted (write
   * them yourself). Return a ReconcileEvent to record a success event.
   */
  reconcileKind(obj: T): Promise<KindOutcome>;
  /**
   * Clean-up before deletion. When given, the finalizer `finalizerName` is
   * added to live objects and removed after this succeeds on deleted ones.
   */
  finalizeKind?(obj: T): Promise<KindOutcome>;
  /** Default: the gr with `/` → `.` flipped to `resource.group`, e.g. `revisions.serving.knative.dev`. */
  finalizerName?: string;
}

export function defaultFinalizerName(gr: string): string {
  const [group, resource] = gr.split('/');
  return group === 'core' ? resource : `${resource}.${group}`;
}

/** Build a key-level Reconciler from a per-object one. */
export function kindReconciler<T extends KObject>(opts: KindReconcilerOptions<T>): Reconciler {
  const log = opts.logger ?? silentLogger;
  const finalizer = opts.finalizerName ?? defaultFinalizerName(opts.gr);

  async function setFinalizers(obj: T, finalizers: string[]): Promise<T> {
    // Merge patch with resourceVersion: the precondition stops us clobbering a concurrent finalizer edit.
    const patched = await opts.client.patch(
      opts.gr,
      obj.metadata.namespace ?? '',
      obj.metadata.name!,
      { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
      { type: 'merge' },
    );
    return patched as T;
  }

  async function updateStatus(original: T, desired: T): Promise<void> {
    let existing: KObject | undefined = original;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        existing = await opts.client.get(opts.gr, original.metadata.namespace ?? '', original.metadata.name!);
        if (!existing) return; // deleted meanwhile: nothing to report on
      }
      if (isDeepStrictEqual(existing.status, desired.status)) return;
      // Only status and the identifying metadata are read by a status write; no need to copy the rest.
      const next = { ...existing, status: desired.status } as KObject;
      try {
        await opts.client.updateStatus(opts.gr, next);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt + 1 >= STATUS_UPDATE_ATTEMPTS) throw err;
      }
    }
  }

  return {
    async reconcile(key: string): Promise<ReconcileResult | void> {
      const original = opts.lister.getByKey(key) as T | undefined;
      if (!original) {
        log.debug('object in work queue no longer exists', { gr: opts.gr, key });
        return;
      }
      if (opts.filter && !opts.filter(original)) return;
      let obj = clone(original) as T;

      // ---- deletion ----
      if (obj.metadata.deletionTimestamp) {
        if (!opts.finalizeKind || !obj.metadata.finalizers?.includes(finalizer)) return;
        let outcome: KindOutcome;
        try {
          outcome = await opts.finalizeKind(obj);
        } catch (err) {
          report(obj, err);
          throw err;
        }
        if (outcome instanceof ReconcileEvent) opts.recorder.event(obj, outcome.eventType, outcome.reason, outcome.message);
        await setFinalizers(obj, obj.metadata.finalizers.filter((f) => f !== finalizer));
        return outcome instanceof ReconcileEvent ? undefined : outcome;
      }
      // The object status is written against: the cached one, or the patched one once we add our finalizer.
      let base: T = original;
      if (opts.finalizeKind && !obj.metadata.finalizers?.includes(finalizer)) {
        base = await setFinalizers(obj, [...(obj.metadata.finalizers ?? []), finalizer]);
        obj = clone(base);
      }

      // ---- reconcile ----
      const set = opts.conditionSet;
      if (set) {
        let status = set.initialize((obj.status ?? {}) as StatusWithConditions);
        if (status.observedGeneration !== obj.metadata.generation) {
          status = set.markUnknown(status, set.happy, NEW_OBSERVED_GEN_FAILURE, 'unsuccessfully observed a new generation');
        }
        (obj as KObject).status = status;
      }
      let outcome: KindOutcome = undefined;
      let error: unknown;
      try {
        outcome = await opts.reconcileKind(obj);
      } catch (err) {
        error = err;
      }
      if (set) {
        const status = keepTransitionTimes(original.status as StatusWithConditions | undefined, obj.status as StatusWithConditions);
        (obj as KObject).status = obj.metadata.generation !== undefined ? { ...status, observedGeneration: obj.metadata.generation } : status;
        if (set.getTopLevelCondition(obj.status)?.reason === NEW_OBSERVED_GEN_FAILURE) {
          log.warn('reconciler observed a new generation without updating the happy condition', { gr: opts.gr, key });
        }
      }

      // Status is written whether or not reconcile failed: a failure usually sets a condition saying why.
      if (!isDeepStrictEqual(base.status, obj.status)) {
        try {
          await updateStatus(base, obj);
        } catch (err) {
          opts.recorder.eventf(obj, 'Warning', 'UpdateFailed', 'Failed to update status for %q: %v', obj.metadata.name, err);
          throw err;
        }
      }

      if (error !== undefined) {
        report(obj, error);
        throw error;
      }
      if (outcome instanceof ReconcileEvent) {
        opts.recorder.event(obj, outcome.eventType, outcome.reason, outcome.message);
        return;
      }
      return outcome as ReconcileResult | void;
    },
  };

  function report(obj: KObject, err: unknown): void {
    if (requeueDelayOf(err) !== undefined) return;
    if (isReconcileEvent(err)) {
      opts.recorder.event(obj, err.eventType, err.reason, err.message);
      return;
    }
    opts.recorder.event(obj, 'Warning', 'InternalError', err instanceof Error ? err.message : String(err));
  }
}

/**
 * A condition whose status ends where it started keeps its stored
 * lastTransitionTime, even if it flipped in between (e.g. Ready reset to
 * Unknown for a new generation, then back to True): only persisted flips count.
 */
function keepTransitionTimes(before: StatusWithConditions | undefined, after: StatusWithConditions): StatusWithConditions {
  if (!before?.conditions?.length || !after.conditions?.length) return after;
  let changed = false;
  const conditions = after.conditions.map((c) => {
    const prev = before.conditions!.find((p) => p.type === c.type);
    if (!prev || prev.status !== c.status || !prev.lastTransitionTime || prev.lastTransitionTime === c.lastTransitionTime) return c;
    changed = true;
    return { ...c, lastTransitionTime: prev.lastTransitionTime };
  });
  return changed ? { ...after, conditions } : after;
}
