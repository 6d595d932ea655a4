// messaging.knative.dev/v1 kinds: Channel (generic, backed by a channel of
// its channelTemplate kind), InMemoryChannel (`imc`) and Subscription
// (`sub`). Defaulting/validation as pkg/apis/messaging/v1/*_{defaults,validation}.go;
// printer columns as config/core/resources/{channel,subscription}.yaml and
// config/channels/in-memory-channel/resources/in-memory-channel.yaml.
//
// Deliberate differences: a Channel without channelTemplate on update keeps the stored one;
// InMemoryChannel spec.delivery is validated (Knative only checks its subscribers); who may
// change an InMemoryChannel's spec.subscribers is decided by `internal` (Skiff's own
// controllers) instead of the eventing-controller service account.
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import type { AdmissionContext, ResourceType } from '../registry.js';
import { channelDefaultsFrom, channelTemplateFor, featuresFrom } from './config.js';
import { A, MESSAGING_GROUP } from './constants.js';
import type { EventingAdmissionDeps } from './deps.js';
import {
  COL,
  defaultDelivery,
  defaultDestination,
  diffSummary,
  disallowed,
  immutable,
  isEmptyDestination,
  isObject,
  missing,
  validateDelivery,
  validateDestination,
  validateKReference,
  without,
} from './duck.js';

const CHANNEL_CATEGORIES = ['all', 'knative', 'messaging', 'channel'];

function nsOf(o: KObject): string {
  return o.metadata.namespace || 'default';
}

function defaultSubscribableAnnotation(o: KObject): void {
  const a = (o.metadata.annotations ??= {});
  a[A.subscribableDuckVersion] ??= 'v1';
}

/** IsValidChannelTemplate: kind and apiVersion required. */
export function validateChannelTemplate(t: unknown, path: string): FieldError[] {
  if (t === undefined || t === null) return [missing(path)];
  if (!isObject(t)) return [{ path, message: 'invalid value: must be an object', type: 'FieldValueInvalid' }];
  const errs: FieldError[] = [];
  if (!t.kind) errs.push(missing(`${path}.kind`));
  if (!t.apiVersion) errs.push(missing(`${path}.apiVersion`));
  if (t.spec !== undefined && t.spec !== null && !isObject(t.spec)) errs.push({ path: `${path}.spec`, message: 'invalid value: must be an object', type: 'FieldValueInvalid' });
  return errs;
}

/** ChannelTemplateSpec default from default-ch-webhook (namespace default, else cluster default). */
export function defaultChannelTemplate(holder: Record<string, any>, ns: string, ctx: AdmissionContext, oldTemplate?: unknown): void {
  if (holder.channelTemplate !== undefined && holder.channelTemplate !== null) return;
  if (isObject(oldTemplate)) {
    holder.channelTemplate = structuredClone(oldTemplate);
    return;
  }
  const t = channelTemplateFor(channelDefaultsFrom(ctx.get), ns);
  if (t) holder.channelTemplate = t;
}

// ---------------------------------------------------------------- Channel

export function channelType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: MESSAGING_GROUP,
    version: 'v1',
    kind: 'Channel',
    plural: 'channels',
    singular: 'channel',
    shortNames: ['ch'],
    namespaced: true,
    categories: CHANNEL_CATEGORIES,
    subresources: { status: true },
    default(o, ctx, old) {
      defaultSubscribableAnnotation(o);
      if (!isObject(o.spec)) o.spec = {};
      defaultChannelTemplate(o.spec, nsOf(o), ctx, old?.spec?.channelTemplate);
      defaultDelivery(o.spec.delivery, nsOf(o));
    },
    validate(o, old, ctx) {
      const ns = nsOf(o);
      const features = featuresFrom(ctx.get);
      const spec = isObject(o.spec) ? o.spec : {};
      const errs = validateChannelTemplate(spec.channelTemplate, 'spec.channelTemplate');
      if (Array.isArray(spec.subscribers) && spec.subscribers.length > 0)
        errs.push(disallowed('spec.subscribers', 'subscribers are managed on the backing channel by Subscriptions'));
      errs.push(...validateDelivery(spec.delivery, 'spec.delivery', deps.validateDeliverySpec, features, { parentNamespace: ns, allowGroup: features.kreferenceGroup }));
      if (old) errs.push(...immutable('spec', without(old.spec, 'subscribers'), without(spec, 'subscribers')));
      return errs;
    },
    printerColumns: [COL.url, COL.age, COL.ready, COL.reason],
  };
}

// ---------------------------------------------------------------- InMemoryChannel

function validateSubscribers(subs: unknown, path: string): FieldError[] {
  if (subs === undefined || subs === null) return [];
  if (!Array.isArray(subs)) return [{ path, message: 'invalid value: must be a list', type: 'FieldValueInvalid' }];
  const errs: FieldError[] = [];
  subs.forEach((s, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(s)) {
      errs.push({ path: p, message: 'invalid value: must be an object', type: 'FieldValueInvalid' });
      return;
    }
    if (!s.replyUri && !s.subscriberUri) errs.push({ path: `${p}.replyUri, ${p}.subscriberUri`, message: 'missing field(s): expected at least one of, got none', type: 'FieldValueRequired' });
    if (!s.uid) errs.push(missing(`${p}.uid`));
  });
  return errs;
}

export function inMemoryChannelType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: MESSAGING_GROUP,
    version: 'v1',
    kind: 'InMemoryChannel',
    plural: 'inmemorychannels',
    singular: 'inmemorychannel',
    shortNames: ['imc'],
    namespaced: true,
    categories: CHANNEL_CATEGORIES,
    subresources: { status: true },
    default(o) {
      defaultSubscribableAnnotation(o);
      if (!isObject(o.spec)) o.spec = {};
      defaultDelivery(o.spec.delivery, nsOf(o));
    },
    validate(o, old, ctx) {
      const ns = nsOf(o);
      const features = featuresFrom(ctx.get);
      const spec = isObject(o.spec) ? o.spec : {};
      const errs = validateSubscribers(spec.subscribers, 'spec.subscribers');
      errs.push(...validateDelivery(spec.delivery, 'spec.delivery', deps.validateDeliverySpec, features, { parentNamespace: ns, allowGroup: features.kreferenceGroup }));
      const scope = o.metadata.annotations?.[A.scope];
      if (scope !== undefined && scope !== 'cluster' && scope !== 'namespace')
        errs.push({ path: `metadata.annotations[${A.scope}]`, message: `invalid value: ${scope}: expected either 'cluster' or 'namespace'`, type: 'FieldValueInvalid' });
      if (old && !ctx.internal) {
        const d = diffSummary(old.spec?.subscribers ?? [], spec.subscribers ?? []);
        if (d)
          errs.push({
            path: 'spec.subscribers',
            message: `Channel.Spec.Subscribers changed by a user: subscribers are managed by the eventing controller from Subscriptions (-old +new): ${d}`,
            type: 'FieldValueForbidden',
          });
      }
      return errs;
    },
    printerColumns: [COL.url, COL.age, COL.ready, COL.reason],
  };
}

// ---------------------------------------------------------------- Subscription

export function subscriptionType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: MESSAGING_GROUP,
    version: 'v1',
    kind: 'Subscription',
    plural: 'subscriptions',
    singular: 'subscription',
    shortNames: ['sub'],
    namespaced: true,
    categories: ['all', 'knative', 'messaging'],
    subresources: { status: true },
    default(o) {
      if (!isObject(o.spec)) o.spec = {};
      const ns = nsOf(o);
      defaultDestination(o.spec.subscriber, ns);
      defaultDestination(o.spec.reply, ns);
      defaultDelivery(o.spec.delivery, ns);
    },
    validate(o, old, ctx) {
      const ns = nsOf(o);
      const features = featuresFrom(ctx.get);
      const rules = { parentNamespace: ns, allowGroup: features.kreferenceGroup };
      const spec = isObject(o.spec) ? o.spec : {};
      const errs: FieldError[] = [];
      const ch = spec.channel;
      if (!isObject(ch) || Object.values(ch).every((v) => v === undefined || v === null || v === '')) {
        errs.push({ path: 'spec.channel', message: 'missing field(s): the Subscription must reference a channel', type: 'FieldValueRequired' });
      } else {
        errs.push(...validateKReference(ch, 'spec.channel', { ...rules, allowDifferentNamespace: features.crossNamespaceEventLinks }));
        if (!features.crossNamespaceEventLinks && ch.namespace && ch.namespace !== ns)
          errs.push(disallowed('spec.channel.namespace', 'only name, apiVersion and kind are supported fields when feature.CrossNamespaceEventLinks is disabled'));
      }
      if (isEmptyDestination(spec.subscriber)) errs.push({ path: 'spec.subscriber', message: 'missing field(s): the Subscription must reference a subscriber', type: 'FieldValueRequired' });
      else errs.push(...validateDestination(spec.subscriber, 'spec.subscriber', rules));
      if (!isEmptyDestination(spec.reply)) errs.push(...validateDestination(spec.reply, 'spec.reply', rules));
      errs.push(...validateDelivery(spec.delivery, 'spec.delivery', deps.validateDeliverySpec, features, rules));
      if (old) errs.push(...immutable('spec', without(old.spec, 'subscriber', 'reply', 'delivery'), without(spec, 'subscriber', 'reply', 'delivery')));
      return errs;
    },
    printerColumns: [COL.age, COL.ready, COL.reason],
  };
}
