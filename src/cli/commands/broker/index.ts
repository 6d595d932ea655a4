// `skiff broker create|update|describe|list|delete`: Knative Brokers with kn's
// flags and words (`Broker 'broker01' successfully created in namespace 'default'.`).
import type { Command } from '../../command.js';
import { KnError } from '../../knative-format.js';
import { singleName, typed, updateWithRetry } from '../service/serving-client.js';
import { anyDeliveryFlag, applyDeliveryFlags, deliveryFlagSpecs, deliveryFlagValues, type DeliverySpecShape } from '../eventing/delivery.js';
import { BROKER } from '../eventing/resources.js';
import { resolveSinkFlag } from '../eventing/sink.js';
import { because, eventingNow, knVerb, listCommandFor, printObject, waitGone } from '../eventing/verbs.js';
import { BROKER_LIST_HEADERS, brokerListRows, brokerUrl, buildBroker, describeBroker, parseBrokerConfig } from './format.js';

const createCommand: Command = {
  name: 'create',
  summary: 'Create a broker',
  usage: 'broker create NAME [--class CLASS] [--broker-config REF] [delivery flags] [-n NS]',
  examples: [
    '# Create a broker \'mybroker\' in the current namespace',
    'skiff broker create mybroker',
    "# Create a broker 'broker01' of class MTChannelBasedBroker in namespace 'default'",
    'skiff broker create broker01 --namespace default --class MTChannelBasedBroker',
    '# Retry 3 times with exponential backoff, then hand the event to a dead letter sink',
    'skiff broker create mybroker --retry 3 --backoff-policy exponential --backoff-delay PT0.5S --dl-sink ksvc:dls',
  ],
  flags: [
    { name: 'class', type: 'string', description: "Broker class like 'MTChannelBasedBroker', 'SkiffLogBroker' or 'Kafka' (if available)." },
    {
      name: 'broker-config',
      type: 'string',
      placeholder: 'REF',
      description:
        'Reference to the broker configuration, used with --class: NAME (a ConfigMap), KIND:NAME or KIND:NAME:NAMESPACE for cm/configmap, sc/secret, rmq/rabbitmq kinds, or APIVERSION:KIND:NAME[:NAMESPACE].',
    },
    ...deliveryFlagSpecs(),
  ],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'broker create' requires the broker name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      let config;
      if (flags.has('broker-config')) {
        if (!flags.has('class')) throw new KnError('cannot set broker-config without setting class');
        config = parseBrokerConfig(flags.string('broker-config') ?? '');
      }
      try {
        const dls = await resolveSinkFlag(client, flags.string('dl-sink'), ns, 'dl-sink');
        const delivery = applyDeliveryFlags(undefined, deliveryFlagValues(flags), dls);
        await client.create(BROKER, ns, buildBroker(name, ns, { brokerClass: flags.string('class'), config, delivery }));
      } catch (e) {
        throw because('create', 'broker', name, ns, e);
      }
      ctx.out(`Broker '${name}' successfully created in namespace '${ns}'.\n`);
      return 0;
    }),
};

const updateCommand: Command = {
  name: 'update',
  summary: 'Update a broker',
  usage: 'broker update NAME [delivery flags] [-n NS]',
  description: 'Update a broker: only its delivery can change (class and config are immutable).',
  examples: ["skiff broker update mybroker --dl-sink svc1", "skiff broker update mybroker --namespace myproject --retry 2"],
  flags: deliveryFlagSpecs(),
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'broker update' requires the broker name given as single argument");
      if (!anyDeliveryFlag(flags)) throw new KnError("flag(s) not set\nUsage: 'skiff broker update' NAME [--dl-sink SINK] [--retry N] [--timeout D] [--backoff-policy P] [--backoff-delay D] [--retry-after-max D]");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const dls = flags.has('dl-sink') ? await resolveSinkFlag(client, flags.string('dl-sink'), ns, 'dl-sink') : undefined;
      const values = deliveryFlagValues(flags);
      applyDeliveryFlags(undefined, values); // validate before fetching
      await updateWithRetry(client, BROKER, ns, name, (b) => {
        const delivery = applyDeliveryFlags(b.spec?.delivery as DeliverySpecShape | undefined, values, dls);
        b.spec = { ...(b.spec ?? {}) };
        if (delivery) b.spec.delivery = delivery;
        return b;
      });
      ctx.out(`Broker '${name}' updated in namespace '${ns}'.\n`);
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Describe broker',
  usage: 'broker describe NAME [-o url|json|yaml|name] [-v]',
  examples: ['skiff broker describe mybroker', 'skiff broker describe mybroker -o yaml', '# Print only broker URL', 'skiff broker describe mybroker -o url'],
  flags: [{ name: 'verbose', short: 'v', type: 'boolean', description: 'More output.' }],
  outputFormats: ['json', 'yaml', 'name', 'url'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'broker describe' requires the broker name given as single argument");
      const client = await ctx.client();
      const b = typed(BROKER, await client.get(BROKER, ctx.namespace(), name));
      if (ctx.globals.output === 'url') {
        ctx.out(`${brokerUrl(b)}\n`);
        return 0;
      }
      if (printObject(ctx, BROKER, b)) return 0;
      ctx.out(describeBroker(b, eventingNow(), flags.bool('verbose')));
      return 0;
    }),
};

const listCommand = listCommandFor('broker', 'brokers', ['skiff broker list', 'skiff broker list -o json'], { resource: BROKER, empty: 'No brokers found.', headers: BROKER_LIST_HEADERS, rows: brokerListRows, usage: "'broker list' accepts maximum 1 argument" });

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a broker',
  usage: 'broker delete NAME [-n NS] [--wait [--wait-timeout SECONDS]]',
  examples: ['skiff broker delete mybroker', 'skiff broker delete mybroker --namespace myproject --wait'],
  flags: [
    { name: 'wait', type: 'boolean', description: "Wait for 'broker delete' operation to be completed." },
    { name: 'no-wait', type: 'boolean', default: true, description: "Do not wait for 'broker delete' operation to be completed." },
    { name: 'wait-timeout', type: 'int', default: 600, description: 'Seconds to wait before giving up on waiting for broker to be deleted.' },
    { name: 'wait-window', type: 'int', default: 2, description: 'Seconds to wait for broker to be deleted after a false ready condition is returned' },
  ],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'broker delete' requires the broker name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const wait = flags.has('wait') ? flags.bool('wait') : flags.has('no-wait') ? !flags.bool('no-wait') : false;
      try {
        await client.delete(BROKER, ns, name, { propagationPolicy: wait ? 'Foreground' : 'Background' });
        if (wait) await waitGone(client, BROKER, ns, name, (flags.int('wait-timeout') ?? 600) * 1000);
      } catch (e) {
        throw because('delete', 'broker', name, ns, e);
      }
      ctx.out(`Broker '${name}' successfully deleted in namespace '${ns}'.\n`);
      return 0;
    }),
};

export const brokerCommand: Command = {
  name: 'broker',
  aliases: ['brokers'],
  summary: 'Manage message brokers (kn broker)',
  subcommands: [createCommand, describeCommand, deleteCommand, listCommand, updateCommand],
};
