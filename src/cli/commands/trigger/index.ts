// `skiff trigger create|update|describe|list|delete`: Knative Triggers with
// kn's flags and words, plus Skiff's Subscriptions API filter flags
// (--filter-exact/-prefix/-suffix/-cesql) and delivery flags.
import type { Flags } from '../../args.js';
import type { Command } from '../../command.js';
import { KnError } from '../../knative-format.js';
import { singleName, typed, updateWithRetry } from '../service/serving-client.js';
import { applyDeliveryFlags, deliveryFlagSpecs, deliveryFlagValues, type DeliverySpecShape } from '../eventing/delivery.js';
import { BROKER, defaultNamespaceFirst, TRIGGER } from '../eventing/resources.js';
import { resolveSinkFlag, sinkFlag } from '../eventing/sink.js';
import { because, eventingNow, knVerb, listCommandFor, printObject } from '../eventing/verbs.js';
import { createFilterSpec, updateFilterSpec, type FilterFlagValues, type TriggerFilterSpec } from './filters.js';
import { buildTrigger, describeTrigger, TRIGGER_LIST_HEADERS, triggerListRows } from './format.js';

const FILTER_FLAGS = [
  {
    name: 'filter',
    type: 'strings' as const,
    splitCommas: true,
    placeholder: 'KEY=VALUE',
    description: "Key-value pair for exact CloudEvent attribute matching against incoming events, e.g type=dev.knative.foo (spec.filter.attributes; on update 'KEY-' removes a key).",
  },
  { name: 'filter-exact', type: 'strings' as const, placeholder: 'KEY=VALUE', description: "Subscriptions API 'exact' filter: the attribute equals the value (repeatable; spec.filters)." },
  { name: 'filter-prefix', type: 'strings' as const, placeholder: 'KEY=VALUE', description: "Subscriptions API 'prefix' filter: the attribute starts with the value (repeatable)." },
  { name: 'filter-suffix', type: 'strings' as const, placeholder: 'KEY=VALUE', description: "Subscriptions API 'suffix' filter: the attribute ends with the value (repeatable)." },
  {
    name: 'filter-cesql',
    type: 'strings' as const,
    placeholder: 'EXPR',
    description: `CloudEvents SQL expression the event must satisfy, e.g. "type LIKE 'com.example.%' AND source = 'curl'" (repeatable; each is one spec.filters entry, all must match).`,
  },
];

function filterFlagValues(flags: Flags): FilterFlagValues {
  return {
    attributes: flags.strings('filter'),
    exact: flags.strings('filter-exact'),
    prefix: flags.strings('filter-prefix'),
    suffix: flags.strings('filter-suffix'),
    cesql: flags.strings('filter-cesql'),
    clearFilters: flags.has('clear-filters') ? flags.bool('clear-filters') : false,
  };
}

const createCommand: Command = {
  name: 'create',
  summary: 'Create a trigger',
  usage: 'trigger create NAME --sink SINK [--broker NAME] [--filter KEY=VALUE...] [--filter-cesql EXPR] [delivery flags] [-n NS]',
  examples: [
    "# Create a trigger 'mytrigger' to declare a subscription to events from default broker. The subscriber is service 'mysvc'",
    'skiff trigger create mytrigger --broker default --sink ksvc:mysvc',
    "# Create a trigger to filter events with attribute 'type=dev.knative.foo'",
    'skiff trigger create mytrigger --broker default --filter type=dev.knative.foo --sink ksvc:mysvc',
    '# Filter with CloudEvents SQL, retry 3 times, then dead-letter',
    `skiff trigger create push --broker broker01 --filter-cesql "type LIKE 'dev.knative.sources.gitlab.%'" --sink ksvc:event-display --retry 3 --dl-sink ksvc:dls`,
  ],
  flags: [{ name: 'broker', type: 'string', default: 'default', description: 'Name of the Broker which the trigger associates with.' }, ...FILTER_FLAGS, sinkFlag('sink', 's'), ...deliveryFlagSpecs()],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      if (flags.positionals.length !== 1) throw new KnError("'trigger create' requires the name of the trigger");
      const name = flags.positionals[0];
      const ns = ctx.namespace();
      if (!flags.string('sink')) throw new KnError(`required flag(s) "sink" not set`);
      let filters: TriggerFilterSpec;
      try {
        filters = createFilterSpec(filterFlagValues(flags));
      } catch (e) {
        throw new KnError(`cannot create trigger '${name}' because ${(e as Error).message}`, (e as KnError).code);
      }
      const values = deliveryFlagValues(flags);
      applyDeliveryFlags(undefined, values); // validate before any request
      const client = await ctx.client();
      try {
        const subscriber = (await resolveSinkFlag(client, flags.string('sink'), ns, 'sink'))!;
        const dls = await resolveSinkFlag(client, flags.string('dl-sink'), ns, 'dl-sink');
        const delivery = applyDeliveryFlags(undefined, values, dls);
        await client.create(TRIGGER, ns, buildTrigger(name, ns, { broker: flags.string('broker') || 'default', subscriber, filters, delivery }));
      } catch (e) {
        throw because('create', 'trigger', name, ns, e);
      }
      ctx.out(`Trigger '${name}' successfully created in namespace '${ns}'.\n`);
      return 0;
    }),
};

const updateCommand: Command = {
  name: 'update',
  summary: 'Update a trigger',
  usage: 'trigger update NAME [--filter KEY=VALUE|KEY-...] [--filter-cesql EXPR] [--clear-filters] [--sink SINK] [delivery flags] [-n NS]',
  description:
    'Update a trigger. --filter merges into the attributes filter (KEY- removes a key); --filter-exact/-prefix/-suffix/-cesql replace spec.filters as a whole. ' +
    "Delivery flags edit the trigger's own delivery; once a trigger has one, the broker's delivery no longer applies to it.",
  examples: [
    "# Update the filter which key is 'type' to value 'knative.dev.bar' in a trigger 'mytrigger'",
    'skiff trigger update mytrigger --filter type=knative.dev.bar',
    "# Remove the filter which key is 'type' from a trigger 'mytrigger'",
    'skiff trigger update mytrigger --filter type-',
    "# Update the sink of a trigger 'mytrigger' to 'ksvc:new-service'",
    'skiff trigger update mytrigger --sink ksvc:new-service',
  ],
  flags: [
    { name: 'broker', type: 'string', description: 'The broker of a trigger cannot change (given only to report that).' },
    ...FILTER_FLAGS,
    { name: 'clear-filters', type: 'boolean', description: 'Remove spec.filters (the Subscriptions API filters).' },
    sinkFlag('sink', 's'),
    ...deliveryFlagSpecs(),
  ],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      if (flags.positionals.length !== 1) throw new KnError('name of trigger required');
      const name = flags.positionals[0];
      const ns = ctx.namespace();
      if (flags.has('broker')) throw new KnError(`cannot update trigger '${name}' because broker is immutable`);
      const fv = filterFlagValues(flags);
      const changesFilters = fv.attributes.length || fv.exact.length || fv.prefix.length || fv.suffix.length || fv.cesql.length || fv.clearFilters;
      const values = deliveryFlagValues(flags);
      applyDeliveryFlags(undefined, values);
      const client = await ctx.client();
      const subscriber = flags.has('sink') ? await resolveSinkFlag(client, flags.string('sink'), ns, 'sink') : undefined;
      const dls = flags.has('dl-sink') ? await resolveSinkFlag(client, flags.string('dl-sink'), ns, 'dl-sink') : undefined;
      await updateWithRetry(client, TRIGGER, ns, name, (t) => {
        const spec = { ...(t.spec ?? {}) };
        if (changesFilters) {
          let next: TriggerFilterSpec;
          try {
            next = updateFilterSpec({ filter: spec.filter, filters: spec.filters }, fv);
          } catch (e) {
            throw new KnError(`cannot update trigger '${name}' because ${(e as Error).message}`, (e as KnError).code);
          }
          delete spec.filter;
          delete spec.filters;
          if (next.filter) spec.filter = next.filter;
          if (next.filters) spec.filters = next.filters;
        }
        if (subscriber) spec.subscriber = subscriber;
        const delivery = applyDeliveryFlags(spec.delivery as DeliverySpecShape | undefined, values, dls);
        if (delivery) spec.delivery = delivery;
        t.spec = spec;
        return t;
      });
      ctx.out(`Trigger '${name}' updated in namespace '${ns}'.\n`);
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a trigger',
  usage: 'trigger describe NAME [-o json|yaml|name] [-v]',
  examples: ["# Describe a trigger with name 'my-trigger'", 'skiff trigger describe my-trigger', "# Describe a trigger 'my-trigger' in YAML format", 'skiff trigger describe my-trigger -o yaml'],
  flags: [{ name: 'verbose', short: 'v', type: 'boolean', description: 'More output.' }],
  outputFormats: ['json', 'yaml', 'name'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff trigger describe' requires name of the trigger as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      const t = typed(TRIGGER, await client.get(TRIGGER, ns, name));
      if (printObject(ctx, TRIGGER, t)) return 0;
      const broker = t.spec?.broker ? await client.tryGet(BROKER, ns, t.spec.broker) : undefined;
      ctx.out(describeTrigger(t, broker, eventingNow(), flags.bool('verbose')));
      return 0;
    }),
};

const listCommand = listCommandFor('trigger', 'triggers', ['skiff trigger list', 'skiff trigger list -o json'], {
  resource: TRIGGER,
  empty: 'No triggers found.',
  headers: TRIGGER_LIST_HEADERS,
  rows: triggerListRows,
  order: (items, all) => (all ? defaultNamespaceFirst(items) : items),
  usage: "'trigger list' accepts maximum 1 argument",
});

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a trigger',
  usage: 'trigger delete NAME [-n NS]',
  examples: ["# Delete a trigger 'mytrigger' in default namespace", 'skiff trigger delete mytrigger'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'trigger delete' requires the name of the trigger as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      await client.delete(TRIGGER, ns, name);
      ctx.out(`Trigger '${name}' deleted in namespace '${ns}'.\n`);
      return 0;
    }),
};

export const triggerCommand: Command = {
  name: 'trigger',
  aliases: ['triggers'],
  summary: 'Manage event triggers (kn trigger)',
  subcommands: [createCommand, updateCommand, describeCommand, listCommand, deleteCommand],
};
