// `skiff eventtype list|describe|create|delete`: the EventType registry in
// kn's words (`Eventtype 'x' successfully created in namespace 'default'.`).
import type { Command } from '../../command.js';
import { KnError } from '../../knative-format.js';
import { singleName, typed } from '../service/serving-client.js';
import { EVENTTYPE } from '../eventing/resources.js';
import { REFERENCE_MAPPINGS, resolveSinkFlag, type KReference } from '../eventing/sink.js';
import { because, eventingNow, knVerb, listCommandFor, printObject } from '../eventing/verbs.js';
import { buildEventType, describeEventType, EVENTTYPE_LIST_HEADERS, eventTypeListRows } from './format.js';

const listCommand = listCommandFor('eventtype', 'eventtypes', ['skiff eventtype list', 'skiff eventtype list -o json'], { resource: EVENTTYPE, empty: 'No eventtypes found.', headers: EVENTTYPE_LIST_HEADERS, rows: eventTypeListRows, usage: "'eventtype list' accepts maximum 1 argument" });

const describeCommand: Command = {
  name: 'describe',
  summary: 'Describe eventtype',
  usage: 'eventtype describe NAME [-o json|yaml|name]',
  examples: ['skiff eventtype describe myeventtype', 'skiff eventtype describe myeventtype --namespace myproject', 'skiff eventtype describe myeventtype -o yaml'],
  outputFormats: ['json', 'yaml', 'name'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'eventtype describe' requires the eventtype name given as single argument");
      const client = await ctx.client();
      const et = typed(EVENTTYPE, await client.get(EVENTTYPE, ctx.namespace(), name));
      if (printObject(ctx, EVENTTYPE, et)) return 0;
      ctx.out(describeEventType(et, eventingNow(), false));
      return 0;
    }),
};

const createCommand: Command = {
  name: 'create',
  summary: 'Create eventtype',
  usage: 'eventtype create NAME --type TYPE [--source SOURCE] [--broker NAME | --reference broker:NAME|channel:NAME] [-n NS]',
  examples: [
    "# Create eventtype 'myeventtype' of type example.type in the current namespace",
    'skiff eventtype create myeventtype --type example.type',
    "# Create eventtype 'myeventtype' of type example.type in the 'myproject' namespace, produced by broker 'default'",
    'skiff eventtype create myeventtype --namespace myproject -t example.type --source /my/source -b default',
  ],
  flags: [
    { name: 'type', short: 't', type: 'string', description: 'Cloud Event type' },
    { name: 'source', type: 'string', description: 'Cloud Event source' },
    { name: 'broker', short: 'b', type: 'string', description: 'Cloud Event Broker' },
    {
      name: 'reference',
      short: 'r',
      type: 'string',
      placeholder: 'REF',
      description: "Addressable Reference producing events. You can specify a broker, channel, or fully qualified GroupVersionResource (GVR). Examples: '--reference broker:nest' for a broker 'nest', '--reference channel:pipe' for a channel 'pipe', '--reference special.eventing.dev/v1alpha1/refs:sref' for GroupVersionResource of v1alpha1 'sref'.",
    },
  ],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'eventtype create' requires the eventtype name given as single argument");
      const type = flags.string('type');
      if (!type) throw new KnError('required flag(s) "type" not set');
      const broker = flags.string('broker');
      const refText = flags.string('reference');
      if (broker && refText) throw new KnError("use only one of '--broker' or '--reference' flags");
      const ns = ctx.namespace();
      const client = await ctx.client();
      try {
        let reference: KReference | undefined;
        if (broker) reference = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: broker, namespace: ns };
        if (refText) reference = (await resolveSinkFlag(client, refText, ns, 'reference', { mappings: REFERENCE_MAPPINGS }))!.ref;
        await client.create(EVENTTYPE, ns, buildEventType(name, ns, { type, source: flags.string('source') || undefined, reference }));
      } catch (e) {
        throw because('create', 'eventtype', name, ns, e);
      }
      ctx.out(`Eventtype '${name}' successfully created in namespace '${ns}'.\n`);
      return 0;
    }),
};

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete eventtype',
  usage: 'eventtype delete NAME [-n NS]',
  examples: ['skiff eventtype delete myeventtype', 'skiff eventtype delete myeventtype --namespace myproject'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'eventtype delete' requires the eventtype name given as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      try {
        await client.delete(EVENTTYPE, ns, name);
      } catch (e) {
        throw because('delete', 'eventtype', name, ns, e);
      }
      ctx.out(`Eventtype '${name}' successfully deleted in namespace '${ns}'.\n`);
      return 0;
    }),
};

export const eventtypeCommand: Command = {
  name: 'eventtype',
  aliases: ['eventtypes'],
  summary: 'Manage eventtypes (kn eventtype)',
  subcommands: [listCommand, describeCommand, createCommand, deleteCommand],
};
