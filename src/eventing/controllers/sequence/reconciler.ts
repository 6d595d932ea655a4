// Sequence reconciler (pkg/reconciler/sequence): per step i a channel
// `{seq}-kn-sequence-{i}` of the channelTemplate kind and a Subscription of the
// same name on it — subscriber = steps[i], delivery = steps[i].delivery, reply
// = the next step's channel, or spec.reply for the last step (none: replies
// dropped). `status.address` is channel 0's; `channelStatuses[]` /
// `subscriptionStatuses[]` carry each child's Ready; conditions ChannelsReady,
// SubscriptionsReady, Addressable. Children a shorter spec no longer needs are deleted.
import type { Condition, KObject } from '../../../api/meta.js';
import { GR } from '../../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../../controller/conditions.js';
import type { Controller, Reconciler } from '../../../controller/controller.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { C, CONDITION_SETS, errText, withGone, type EventingControllerDeps, type Wiring } from '../common.js';
import { childReady, ensureChannel, ensureSubscription, makeFlowSubscription, newFlowController, refOf, removeUnwanted, rethrowUnlessPermanent } from '../flows.js';
import { sequenceChannelName, sequenceSubscriptionName } from '../names.js';

function destinationOf(d: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['ref', 'uri', 'CACerts', 'audience']) if (d?.[k] !== undefined && d[k] !== null) out[k] = structuredClone(d[k]);
  return out;
}

/** resources.NewSubscription for step `i`. */
export function makeSequenceSubscription(seq: KObject, i: number): KObject {
  const t = seq.spec.channelTemplate;
  const steps: Array<Record<string, any>> = seq.spec.steps;
  const spec: Record<string, unknown> = {
    channel: { apiVersion: t.apiVersion, kind: t.kind, name: sequenceChannelName(seq.metadata.name!, i) },
    subscriber: destinationOf(steps[i]),
  };
  if (steps[i].delivery) spec.delivery = structuredClone(steps[i].delivery);
  if (i < steps.length - 1) spec.reply = { ref: { apiVersion: t.apiVersion, kind: t.kind, name: sequenceChannelName(seq.metadata.name!, i + 1), namespace: seq.metadata.namespace } };
  else if (seq.spec.reply) spec.reply = destinationOf(seq.spec.reply);
  return makeFlowSubscription(seq, sequenceSubscriptionName(seq.metadata.name!, i), spec);
}

export function newSequenceReconciler(deps: EventingControllerDeps, w: Wiring): Reconciler {
  const lister = deps.informers.lister(GR.sequences);
  w.resolver.watch(GR.subscriptions);
  const set = CONDITION_SETS.sequence.withClock(deps.clock);

  const inner = kindReconciler<KObject>({
    gr: GR.sequences,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(seq) {
      let status = seq.status as StatusWithConditions;
      const done = () => {
        seq.status = status;
      };
      const steps: unknown[] = Array.isArray(seq.spec?.steps) ? seq.spec.steps : [];
      const prevCh: Array<{ ready?: Condition }> = (status.channelStatuses as never) ?? [];
      const prevSub: Array<{ ready?: Condition }> = (status.subscriptionStatuses as never) ?? [];

      // Channels.
      const channels: KObject[] = [];
      for (let i = 0; i < steps.length; i++) {
        const name = sequenceChannelName(seq.metadata.name!, i);
        try {
          channels.push(await ensureChannel(deps, w, seq, name));
        } catch (err) {
          status = set.markUnknown(status, C.channelsReady, 'ChannelsNotReady', 'failed to reconcile channel %s at step %d: %v', name, i, err);
          done();
          rethrowUnlessPermanent(err);
          return;
        }
      }
      const channelStatuses = channels.map((c, i) => ({ channel: refOf(c), ready: childReady(c, 'Channel', prevCh[i]?.ready, deps.clock) }));
      status = { ...status, channelStatuses };
      const address = channels[0]?.status?.address;
      if (address?.url) {
        const a: Record<string, string> = { url: address.url };
        if (address.CACerts) a.CACerts = address.CACerts;
        if (address.audience) a.audience = address.audience;
        status = set.markTrue({ ...status, address: a }, C.addressable);
      } else {
        const { address: _drop, ...rest } = status;
        status = set.markUnknown(rest as StatusWithConditions, C.addressable, 'emptyAddress', 'addressable is nil');
      }
      status =
        channels.length && channelStatuses.every((c) => c.ready.status === 'True')
          ? set.markTrue(status, C.channelsReady)
          : set.markUnknown(status, C.channelsReady, 'ChannelsNotReady', 'Channels are not ready yet, or there are none');

      // Subscriptions.
      const subs: KObject[] = [];
      for (let i = 0; i < steps.length; i++) {
        try {
          subs.push(await ensureSubscription(deps, seq, makeSequenceSubscription(seq, i)));
        } catch (err) {
          status = set.markUnknown(status, C.subscriptionsReady, 'SubscriptionsNotReady', 'failed to reconcile subscription resource for step: %d : %s', i, errText(err));
          done();
          rethrowUnlessPermanent(err);
          return;
        }
      }
      const subscriptionStatuses = subs.map((s, i) => ({ subscription: refOf(s), ready: childReady(s, 'Subscription', prevSub[i]?.ready, deps.clock) }));
      status = { ...status, subscriptionStatuses };
      status =
        subs.length && subscriptionStatuses.every((s) => s.ready.status === 'True')
          ? set.markTrue(status, C.subscriptionsReady)
          : set.markUnknown(status, C.subscriptionsReady, 'SubscriptionsNotReady', 'Subscriptions are not ready yet, or there are none');
      done();

      const wanted = new Set(steps.map((_, i) => sequenceChannelName(seq.metadata.name!, i)));
      await removeUnwanted(deps, w, seq, wanted, wanted);
    },
  });
  return withGone(lister, inner, (ns, name) => w.tracker.untrackAll(`${ns}/${name}`));
}

export function newSequenceController(deps: EventingControllerDeps): Controller {
  return newFlowController(deps, 'sequence-controller', GR.sequences, 'Sequence', newSequenceReconciler);
}
