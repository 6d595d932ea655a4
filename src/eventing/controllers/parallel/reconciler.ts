// Parallel reconciler (pkg/reconciler/parallel): an ingress channel
// `{p}-kn-parallel` (the Parallel's address) and per branch i a channel
// `{p}-kn-parallel-{i}`, a filter Subscription `{p}-kn-parallel-filter-{i}` on the
// ingress channel (subscriber = the branch filter with reply = the branch
// channel, or — no filter — subscriber = the branch channel itself; no
// delivery), and a Subscription `{p}-kn-parallel-{i}` on the branch channel
// (subscriber = branches[i].subscriber, delivery = branches[i].delivery, reply
// = branches[i].reply, else spec.reply). Status: ingressChannelStatus,
// branchStatuses[] {filterSubscriptionStatus, filterChannelStatus,
// subscriberSubscriptionStatus}, address; conditions ChannelsReady,
// SubscriptionsReady, Addressable (False, as Knative, when not ready).
import type { Condition, KObject } from '../../../api/meta.js';
import { GR } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { C, CONDITION_SETS, errText, withGone, type EventingControllerDeps, type Wiring } from '../common.js';
import { childReady, ensureChannel, ensureSubscription, makeFlowSubscription, newFlowController, refOf, removeUnwanted, rethrowUnlessPermanent } from '../flows.js';
import { parallelBranchChannelName, parallelChannelName, parallelFilterSubscriptionName, parallelSubscriptionName } from '../names.js';

function channelRef(p: KObject, name: string, withNamespace: boolean): Record<string, string> {
  const t = p.spec.channelTemplate;
  const ref: Record<string, string> = { apiVersion: t.apiVersion, kind: t.kind, name };
  if (withNamespace) ref.namespace = p.metadata.namespace!;
  return ref;
}

/** resources.NewFilterSubscription. */
export function makeFilterSubscription(p: KObject, i: number): KObject {
  const branch = p.spec.branches[i];
  const branchChannel = { ref: channelRef(p, parallelBranchChannelName(p.metadata.name!, i), true) };
  const spec: Record<string, unknown> = { channel: channelRef(p, parallelChannelName(p.metadata.name!), false) };
  if (!branch.filter) spec.subscriber = branchChannel;
  else {
    spec.subscriber = structuredClone(branch.filter);
    spec.reply = branchChannel;
  }
  return makeFlowSubscription(p, parallelFilterSubscriptionName(p.metadata.name!, i), spec);
}

/** resources.NewSubscription. */
export function makeBranchSubscription(p: KObject, i: number): KObject {
  const branch = p.spec.branches[i];
  const spec: Record<string, unknown> = { channel: channelRef(p, parallelBranchChannelName(p.metadata.name!, i), false), subscriber: structuredClone(branch.subscriber) };
  if (branch.delivery) spec.delivery = structuredClone(branch.delivery);
  if (branch.reply) spec.reply = structuredClone(branch.reply);
  else if (p.spec.reply) spec.reply = structuredClone(p.spec.reply);
  return makeFlowSubscription(p, parallelSubscriptionName(p.metadata.name!, i), spec);
}

function addressReady(c: KObject): Condition {
  return c.status?.address ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', reason: 'NotAddressable', message: 'Channel is not addressable' };
}

export function newParallelReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.parallels);
  w.resolver.watch(GR.subscriptions);
  const set = CONDITION_SETS.parallel.withClock(deps.clock);

  const inner = kindReconciler<KObject>({
    gr: GR.parallels,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(p) {
      let status = p.status as StatusWithConditions;
      const done = () => {
        p.status = status;
      };
      const name = p.metadata.name!;
      const branches: unknown[] = Array.isArray(p.spec?.branches) ? p.spec.branches : [];
      const prev: Array<Record<string, { ready?: Condition }>> = (status.branchStatuses as never) ?? [];

      // Channels: ingress, then one per branch.
      const channels: KObject[] = [];
      for (let i = -1; i < branches.length; i++) {
        const cn = i === -1 ? parallelChannelName(name) : parallelBranchChannelName(name, i);
        try {
          channels.push(await ensureChannel(deps, w, p, cn));
        } catch (err) {
          status = set.markFalse(status, C.channelsReady, 'ChannelsNotReady', 'failed to reconcile channel %s at step %d: %v', cn, i, err);
          done();
          rethrowUnlessPermanent(err);
          return;
        }
      }
      const [ingress, ...branchChannels] = channels;
      const ingressStatus = { channel: refOf(ingress), ready: addressReady(ingress) };
      let allReady = ingressStatus.ready.status === 'True';
      status = { ...status, ingressChannelStatus: ingressStatus };
      if (ingress.status?.address) status = set.markTrue({ ...status, address: structuredClone(ingress.status.address) }, C.addressable);
      else {
        const { address: _drop, ...rest } = status;
        status = set.markFalse(rest as StatusWithConditions, C.addressable, 'emptyAddress', 'addressable is nil');
      }
      const branchStatuses: Array<Record<string, unknown>> = branchChannels.map((c) => {
        const ready = addressReady(c);
        if (ready.status !== 'True') allReady = false;
        return { filterChannelStatus: { channel: refOf(c), ready } };
      });
      status = allReady ? set.markTrue(status, C.channelsReady) : set.markFalse(status, C.channelsReady, 'ChannelsNotReady', 'Channels are not ready yet, or there are none');

      // Subscriptions: filter + subscriber per branch.
      let subsReady = branches.length > 0;
      for (let i = 0; i < branches.length; i++) {
        let filterSub: KObject;
        let sub: KObject;
        try {
          filterSub = await ensureSubscription(deps, p, makeFilterSubscription(p, i));
          sub = await ensureSubscription(deps, p, makeBranchSubscription(p, i));
        } catch (err) {
          status = { ...status, branchStatuses };
          status = set.markFalse(status, C.subscriptionsReady, 'SubscriptionsNotReady', 'failed to reconcile Subscription Objects for branch: %d : %s', i, errText(err));
          done();
          rethrowUnlessPermanent(err);
          return;
        }
        const fr = childReady(filterSub, 'Subscription', prev[i]?.filterSubscriptionStatus?.ready, deps.clock);
        const sr = childReady(sub, 'Subscription', prev[i]?.subscriberSubscriptionStatus?.ready, deps.clock);
        if (fr.status !== 'True' || sr.status !== 'True') subsReady = false;
        branchStatuses[i] = {
          filterSubscriptionStatus: { subscription: refOf(filterSub), ready: fr },
          filterChannelStatus: branchStatuses[i].filterChannelStatus,
          subscriberSubscriptionStatus: { subscription: refOf(sub), ready: sr },
        };
      }
      status = { ...status, branchStatuses };
      status = subsReady ? set.markTrue(status, C.subscriptionsReady) : set.markFalse(status, C.subscriptionsReady, 'SubscriptionsNotReady', 'Subscriptions are not ready yet, or there are none');
      done();

      const wantedChannels = new Set([parallelChannelName(name), ...branches.map((_, i) => parallelBranchChannelName(name, i))]);
      const wantedSubs = new Set(branches.flatMap((_, i) => [parallelFilterSubscriptionName(name, i), parallelSubscriptionName(name, i)]));
      await removeUnwanted(deps, w, p, wantedChannels, wantedSubs);
    },
  });
  return withGone(lister, inner, (ns, n) => w.tracker.untrackAll(`${ns}/${n}`));
}

export function newParallelController(deps: EventingControllerDeps): Controller {
  return newFlowController(deps, 'parallel-controller', GR.parallels, 'Parallel', newParallelReconciler);
}
