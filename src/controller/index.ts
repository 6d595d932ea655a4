// The controller runtime's public surface, for reconcilers to import from one place.
export { realClock, FakeClock, rfc3339, type Clock, type TimerHandle } from './clock.js';
export { consoleLogger, silentLogger, MemoryLogger, type Logger, type LogFields } from './logger.js';
export {
  PermanentError,
  RequeueAfter,
  ReconcileEvent,
  permanent,
  isPermanentError,
  requeueDelayOf,
  isReconcileEvent,
  isConflict,
  isNotFound,
  type EventType,
} from './errors.js';
export {
  WorkQueue,
  ItemExponentialRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
  type WorkQueueOptions,
} from './workqueue.js';
export {
  Informer,
  SharedInformerFactory,
  NAMESPACE_INDEX,
  OWNER_UID_INDEX,
  indexByControllerUid,
  indexByLabel,
  keyOf,
  splitKey,
  type EventHandler,
  type IndexFunc,
  type Lister,
  type InformerOptions,
  type SharedInformerFactoryOptions,
} from './informer.js';
export { ConditionSet, ConditionSeverity, formatMessage, type StatusWithConditions, type ConditionSetOptions } from './conditions.js';
export { ApiEventRecorder, FakeEventRecorder, nopEventRecorder, EVENTS_GR, type EventRecorder, type ApiEventRecorderOptions } from './events.js';
export {
  Controller,
  Tracker,
  handleAll,
  filteringHandler,
  filterControllerGK,
  filterControllerGVK,
  filterWithNamespace,
  filterWithName,
  filterWithLabel,
  filterWithAnnotation,
  allOf,
  anyOf,
  not,
  type Reconciler,
  type ReconcileResult,
  type ControllerOptions,
  type ObjectFilter,
  type TrackedRef,
  type TrackerOptions,
} from './controller.js';
export { kindReconciler, defaultFinalizerName, NEW_OBSERVED_GEN_FAILURE, type KindReconcilerOptions, type KindOutcome } from './reconciler.js';
