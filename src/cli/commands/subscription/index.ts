// `skiff subscription create|update|describe|list|delete`: channel
// Subscriptions in kn's words (`Subscription 'sub01' created in namespace 'default'.`).
import type { Command } from '../../command.js';
import { KnError } from '../../knative-format.js';
import { singleName, typed, updateWithRetry } from '../service/serving-client.js';
import { defaultNamespaceFirst, sortByName, SUBSCRIPTION } from '../eventing/resources.js';
import { resolveSinkFlag, sinkFlag } from '../eventing/sink.js';
import { eventingNow, knVerb, listCommandFor, printObject } from '../eventing/verbs.js';
import { parseChannelRef } from '../channel/format.js';
import { buildSubscription, describeSubscription, SUBSCRIPTION_LIST_HEADERS, subscriptionListRows } from './format.js';

const SINK_FLAGS = [sinkFlag('sink', 's'), sinkFlag('sink-reply'), sinkFlag('sink-dead-letter')];

const createCommand: Command = {
  name: 'create',
  summary: 'Create a subscription',
  usage: 'subscription create NAME --channel [ALIAS:]NAME|G:V:K:NAME [--sink SINK] [--sink-reply SINK] [--sink-dead-letter SINK] [-n NS]',
  examples: [
    "# Create a subscription 'sub01' from channel 'imc01' to the Knative service 'event-display'",
    'skiff subscription create sub01 --channel imc01 --sink ksvc:event-display',
    "# Subscribe ksvc 'mirror' to InMemoryChannel 'pipe', reply to broker 'nest', dead letters to ksvc 'bucket'",
    'skiff subscription create sub1 --channel imc:pipe --sink mirror --sink-reply broker:nest --sink-dead-letter bucket',
  ],
  flags: [
    {
      name: 'channel',
      type: 'string',
      placeholder: 'CHANNEL',
      description:
        "Specify the channel to subscribe to. For the default channel, just use the name (e.g. 'mychannel'). A mapped channel type like 'imc' can be used as a prefix (e.g. 'imc:mychannel'). " +
        "Finally you can specify the full coordinates to the referenced channel with Group:Version:Kind:Name (e.g. 'messaging.knative.dev:v1:InMemoryChannel:mychannel').",
    },
    ...SINK_FLAGS,
  ],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff subscription create' requires the subscription name given as single argument");
      if (!flags.string('channel')) throw new KnError("'skiff subscription create' requires the channel reference provided with --channel flag");
      const channel = parseChannelRef(flags.string('channel')!);
      const ns = ctx.namespace();
      const client = await ctx.client();
      const subscriber = await resolveSinkFlag(client, flags.string('sink'), ns, 'sink');
      const reply = await resolveSinkFlag(client, flags.string('sink-reply'), ns, 'sink-reply');
      const deadLetterSink = await resolveSinkFlag(client, flags.string('sink-dead-letter'), ns, 'sink-dead-letter');
      await client.create(SUBSCRIPTION, ns, buildSubscription(name, ns, { channel, subscriber, reply, deadLetterSink }));
      ctx.out(`Subscription '${name}' created in namespace '${ns}'.\n`);
      return 0;
    }),
};

const updateCommand: Command = {
  name: 'update',
  summary: 'Update an event subscription',
  usage: 'subscription update NAME [--sink SINK] [--sink-reply SINK] [--sink-dead-letter SINK] [-n NS]',
  examples: ["skiff subscription update sub0 --sink ksvc:receiver", "skiff subscription update sub1 --sink mirror --sink-reply broker:nest --sink-dead-letter bucket"],
  flags: SINK_FLAGS,
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff subscription update' requires the subscription name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const subscriber = await resolveSinkFlag(client, flags.string('sink'), ns, 'sink');
      const reply = await resolveSinkFlag(client, flags.string('sink-reply'), ns, 'sink-reply');
      const dls = await resolveSinkFlag(client, flags.string('sink-dead-letter'), ns, 'sink-dead-letter');
      await updateWithRetry(client, SUBSCRIPTION, ns, name, (sub) => {
        const spec = { ...(sub.spec ?? {}) };
        if (subscriber) spec.subscriber = subscriber;
        if (reply) spec.reply = reply;
        if (dls) spec.delivery = { ...(spec.delivery ?? {}), deadLetterSink: dls };
        sub.spec = spec;
        return sub;
      });
      ctx.out(`Subscription '${name}' updated in namespace '${ns}'.\n`);
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a subscription',
  usage: 'subscription describe NAME [-o json|yaml|name] [-v]',
  examples: ["# Describe a subscription 'pipe'", 'skiff subscription describe pipe'],
  flags: [{ name: 'verbose', short: 'v', type: 'boolean', description: 'More output.' }],
  outputFormats: ['json', 'yaml', 'name'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff subscription describe' requires the subscription name given as single argument");
      const client = await ctx.client();
      const sub = typed(SUBSCRIPTION, await client.get(SUBSCRIPTION, ctx.namespace(), name));
      if (printObject(ctx, SUBSCRIPTION, sub)) return 0;
      ctx.out(describeSubscription(sub, eventingNow(), flags.bool('verbose')));
      return 0;
    }),
};

const listCommand = listCommandFor('subscription', 'subscriptions', ['skiff subscription list', 'skiff subscription list -o yaml'], {
  resource: SUBSCRIPTION,
  empty: 'No subscriptions found.',
  headers: SUBSCRIPTION_LIST_HEADERS,
  rows: subscriptionListRows,
  order: (items, all) => (all ? defaultNamespaceFirst(items) : sortByName(items)),
  usage: "'skiff subscription list' accepts maximum 1 argument",
});

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a subscription',
  usage: 'subscription delete NAME [-n NS]',
  examples: ["# Delete a subscription 'sub0'", 'skiff subscription delete sub0'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff subscription delete' requires the subscription name as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      await client.delete(SUBSCRIPTION, ns, name);
      ctx.out(`Subscription '${name}' deleted in namespace '${ns}'.\n`);
      return 0;
    }),
};

export const subscriptionCommand: Command = {
  name: 'subscription',
  aliases: ['subscriptions', 'sub'],
  summary: 'Manage event subscriptions (kn subscription)',
  subcommands: [createCommand, updateCommand, deleteCommand, describeCommand, listCommand],
};
