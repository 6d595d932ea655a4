// EventType reconciler (pkg/reconciler/eventtype/eventtype.go): ReferenceExists
// is True when spec.reference names an existing object (tracked, so a late
// broker flips it), True/ReferenceNotSet without a reference, False/
// ResourceDoesNotExist otherwise.
import type { KObject } from '../../../api/meta.js';
import { GR } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { keyOf } from '../../../controller/informer.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { C, CONDITION_SETS, Wiring, withGone, type EventingControllerDeps } from '../common.js';
import { DestinationResolveError } from '../destination.js';

export function newEventTypeReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.eventTypes);
  const set = CONDITION_SETS.eventType.withClock(deps.clock);
  const inner = kindReconciler<KObject>({
    gr: GR.eventTypes,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(et) {
      const ref = et.spec?.reference;
      let status = et.status as StatusWithConditions;
      if (!ref || (!ref.name && !ref.kind && !ref.apiVersion)) {
        et.status = set.markTrue(status, C.referenceExists, 'ReferenceNotSet', 'spec.reference is not set');
        return;
      }
      try {
        const gr = w.resolver.grFor(ref.apiVersion ?? '', ref.kind ?? '');
        const obj = w.resolver.getTracked(gr, ref.namespace || et.metadata.namespace!, ref.name ?? '', keyOf(et));
        status = obj
          ? set.markTrue(status, C.referenceExists)
          : set.markFalse(status, C.referenceExists, 'ResourceDoesNotExist', 'Resource in spec.reference does not exist');
      } catch (err) {
        status =
          err instanceof DestinationResolveError && !err.transient
            ? set.markFalse(status, C.referenceExists, 'ResourceDoesNotExist', 'Resource in spec.reference does not exist')
            : set.markUnknown(status, C.referenceExists, 'ReferenceGetFailed', 'Failed to get reference: %v', err);
      }
      et.status = status;
    },
  });
  return withGone(lister, inner, (ns, name) => w.tracker.untrackAll(`${ns}/${name}`));
}

export function newEventTypeController(deps: EventingControllerDeps): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind('eventtype-controller', deps, newEventTypeReconciler(deps, w));
  deps.informers.informerFor(GR.eventTypes).addEventHandler(ctrl.handler());
  return ctrl;
}
