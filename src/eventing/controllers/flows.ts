// What the Sequence and Parallel reconcilers share: making their owned
// channels (of the channelTemplate kind, via NewPhysicalChannel) and
// subscriptions converge, reporting each child's readiness the way
// pkg/apis/flows/v1 does, deleting children a shrunk spec no longer needs, and the
// controller wiring (own kind + owned Subscriptions).
import type { Condition, KObject } from '../../api/meta.js';
import { makeOwnerRef } from '../../api/meta.js';
import { API_VERSION, GR } from '../../api/eventing/constants.js';
import { stableJson } from '../../api/eventing/duck.js';
import type { Clock } from '../../controller/clock.js';
import { rfc3339 } from '../../controller/clock.js';
import { filterControllerGK, filteringHandler, type Controller, type Reconciler } from '../../controller/controller.js';
import { keyOf } from '../../controller/informer.js';
import { Wiring, condition, objectRef, ownedBy, type EventingControllerDeps } from './common.js';

/** A child we could not converge (not ours, or the API refused). */
export class FlowChildError extends Error {
  readonly code = 'SKIFF_ERR_FLOW_CHILD';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'FlowChildError';
  }
}

/** After a failed child write has been recorded in the status: retry (rethrow) unless the failure is permanent. */
export function rethrowUnlessPermanent(err: unknown): void {
  if (err instanceof FlowChildError && !err.retryable) return;
  throw err;
}

/** The controller of a flows.knative.dev kind: its own events, plus those of the Subscriptions it owns. */
export function newFlowController(
  deps: EventingControllerDeps,
  name: string,
  gr: string,
  kind: 'Sequence' | 'Parallel',
  newReconciler: (deps: EventingControllerDeps, w: Wiring) => Reconciler,
): Controller {
  const w = new Wiring(deps);
  const ctrl = w.bind(name, deps, newReconciler(deps, w));
  deps.informers.informerFor(gr).addEventHandler(ctrl.handler());
  deps.informers
    .informerFor(GR.subscriptions)
    .addEventHandler(filteringHandler(filterControllerGK('flows.knative.dev', kind), ctrl.ownerHandler({ apiVersion: 'flows.knative.dev/v1', kind })));
  return ctrl;
}

export function makeFlowChannel(parent: KObject, name: string): KObject {
  const t = parent.spec.channelTemplate;
  return {
    apiVersion: t.apiVersion,
    kind: t.kind,
    metadata: { name, namespace: parent.metadata.namespace, ownerReferences: [makeOwnerRef(parent)] },
    spec: structuredClone(t.spec ?? {}),
  };
}

/** The owned channel `name` of the template kind: found (tracked) or created. */
export async function ensureChannel(deps: EventingControllerDeps, w: Wiring, parent: KObject, name: string): Promise<KObject> {
  const t = parent.spec.channelTemplate;
  const gr = w.resolver.grFor(t.apiVersion, t.kind);
  const existing = w.resolver.getTracked(gr, parent.metadata.namespace!, name, keyOf(parent));
  if (existing) {
    if (!ownedBy(existing, parent)) throw new FlowChildError(`${t.kind} ${JSON.stringify(name)} already exists and is not owned by ${parent.kind} ${JSON.stringify(parent.metadata.name)}`, false);
    return existing;
  }
  try {
    return await deps.client.create(gr, makeFlowChannel(parent, name));
  } catch (err) {
    throw new FlowChildError(`failed to create channel ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}

/** Subscription `expected` converged: created, updated, or (channel changed: immutable) re-created. */
export async function ensureSubscription(deps: EventingControllerDeps, parent: KObject, expected: KObject): Promise<KObject> {
  const subs = deps.informers.lister(GR.subscriptions);
  const ns = parent.metadata.namespace!;
  const name = expected.metadata.name!;
  const existing = subs.get(ns, name);
  try {
    if (!existing) return await deps.client.create(GR.subscriptions, expected);
    if (!ownedBy(existing, parent)) throw new FlowChildError(`Subscription ${JSON.stringify(name)} already exists and is not owned by ${parent.kind} ${JSON.stringify(parent.metadata.name)}`, false);
    if (stableJson(existing.spec?.channel) !== stableJson(expected.spec.channel)) {
      await deps.client.delete(GR.subscriptions, ns, name);
      return await deps.client.create(GR.subscriptions, expected);
    }
    if (stableJson(existing.spec) !== stableJson(expected.spec)) {
      const next = structuredClone(existing) as KObject;
      next.spec = expected.spec;
      return await deps.client.update(GR.subscriptions, next);
    }
    return existing;
  } catch (err) {
    if (err instanceof FlowChildError) throw err;
    throw new FlowChildError(`failed to reconcile subscription ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}

export function makeFlowSubscription(parent: KObject, name: string, spec: Record<string, unknown>): KObject {
  return {
    apiVersion: API_VERSION.messaging,
    kind: 'Subscription',
    metadata: { name, namespace: parent.metadata.namespace, ownerReferences: [makeOwnerRef(parent)] },
    spec,
  };
}

/** Delete owned channels and subscriptions whose names are not wanted any more. */
export async function removeUnwanted(deps: EventingControllerDeps, w: Wiring, parent: KObject, wantedChannels: Set<string>, wantedSubs: Set<string>): Promise<void> {
  const t = parent.spec.channelTemplate;
  const ns = parent.metadata.namespace!;
  const gr = w.resolver.grFor(t.apiVersion, t.kind);
  for (const ch of w.resolver.watch(gr).list({ namespace: ns })) {
    if (!ch.metadata.deletionTimestamp && ownedBy(ch, parent) && !wantedChannels.has(ch.metadata.name!)) await deps.client.delete(gr, ns, ch.metadata.name!);
  }
  for (const s of deps.informers.lister(GR.subscriptions).list({ namespace: ns })) {
    if (!s.metadata.deletionTimestamp && ownedBy(s, parent) && !wantedSubs.has(s.metadata.name!)) await deps.client.delete(GR.subscriptions, ns, s.metadata.name!);
  }
}

/**
 * A child's Ready condition for `channelStatuses[].ready` / `subscriptionStatuses[].ready`, or
 * Knative's NoReady placeholder. The placeholder keeps the time it was first written (`previous`)
 * so an unchanged world does not rewrite the parent's status on every pass.
 */
export function childReady(child: KObject, what: 'Channel' | 'Subscription', previous: Condition | undefined, clock: Clock): Condition {
  const c = condition(child, 'Ready');
  if (c) return { ...c };
  const at = previous?.reason === 'NoReady' && previous.lastTransitionTime ? previous.lastTransitionTime : rfc3339(clock.now());
  return { type: 'Ready', status: 'Unknown', reason: 'NoReady', message: `${what} does not have Ready condition`, lastTransitionTime: at };
}

/** `{apiVersion, kind, name, namespace}` for a child (created objects carry their own). */
export const refOf = objectRef;
