// `skiff channel create|list|list-types|describe|delete`: Knative Channels in
// kn's words (`Channel 'imc01' created in namespace 'default'.`).
import type { Command } from '../../command.js';
import { KnError, renderListTable } from '../../knative-format.js';
import { toJson, toYaml } from '../../output.js';
import { NO_HEADERS_FLAG } from '../service/read.js';
import { singleName, typed } from '../service/serving-client.js';
import { CHANNEL, defaultNamespaceFirst, sortByName } from '../eventing/resources.js';
import { eventingNow, knVerb, listCommandFor, printObject } from '../eventing/verbs.js';
import {
  buildChannel,
  CHANNEL_LIST_HEADERS,
  CHANNEL_TYPES_HEADERS,
  channelListRows,
  channelTypeRows,
  channelTypes,
  channelTypesDocument,
  channelUrl,
  describeChannel,
  parseChannelType,
} from './format.js';

const createCommand: Command = {
  name: 'create',
  summary: 'Create an event channel',
  usage: 'channel create NAME [--type imc|Group:Version:Kind] [-n NS]',
  examples: [
    "# Create a channel 'pipe' with default setting for channel configuration",
    'skiff channel create pipe',
    "# Create a channel 'imc1' of type InMemoryChannel using inbuilt alias 'imc'",
    'skiff channel create imc1 --type imc',
    '# same as above without using inbuilt alias but providing explicit GVK',
    'skiff channel create imc1 --type messaging.knative.dev:v1:InMemoryChannel',
  ],
  flags: [
    {
      name: 'type',
      type: 'string',
      placeholder: 'TYPE',
      description:
        "Override channel type to create, in the format '--type Group:Version:Kind'. If flag is not specified, it uses default messaging layer settings for channel type (default-ch-webhook), cluster wide or specific namespace. " +
        "You can refer inbuilt channel type InMemoryChannel using an alias 'imc' like '--type imc'.",
    },
  ],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff channel create' requires the channel name given as single argument");
      const ns = ctx.namespace();
      const type = flags.has('type') ? parseChannelType(flags.string('type') ?? '') : undefined;
      const client = await ctx.client();
      await client.create(CHANNEL, ns, buildChannel(name, ns, type));
      ctx.out(`Channel '${name}' created in namespace '${ns}'.\n`);
      return 0;
    }),
};

const listCommand = listCommandFor('channel', 'channels', ['skiff channel list', 'skiff channel list imc01', 'skiff channel list -o yaml'], {
  resource: CHANNEL,
  empty: 'No channels found.',
  headers: CHANNEL_LIST_HEADERS,
  rows: channelListRows,
  order: (items, all) => (all ? defaultNamespaceFirst(items) : sortByName(items)),
  usage: "'skiff channel list' accepts maximum 1 argument",
});

const listTypesCommand: Command = {
  name: 'list-types',
  summary: 'List channel types',
  usage: 'channel list-types [-o json|yaml] [--no-headers]',
  examples: ['skiff channel list-types', 'skiff channel list-types -o yaml'],
  flags: [NO_HEADERS_FLAG],
  outputFormats: ['json', 'yaml'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const client = await ctx.client();
      const types = channelTypes((await client.discovery()).resources);
      const fmt = ctx.globals.output;
      if (fmt === 'json' || fmt === 'yaml') {
        const doc = channelTypesDocument(types);
        ctx.out(fmt === 'json' ? toJson(doc) : toYaml(doc));
        return 0;
      }
      if (types.length === 0) throw new KnError("no or newer Knative Channels API found on the backend, please verify the installation or update the 'skiff' client");
      ctx.out(renderListTable(CHANNEL_TYPES_HEADERS, channelTypeRows(types), { noHeaders: flags.bool('no-headers') }));
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a channel',
  usage: 'channel describe NAME [-o url|json|yaml|name] [-v]',
  examples: ["# Describe a channel 'pipe'", 'skiff channel describe pipe', '# Print only channel URL', 'skiff channel describe pipe -o url'],
  flags: [{ name: 'verbose', short: 'v', type: 'boolean', description: 'More output.' }],
  outputFormats: ['json', 'yaml', 'name', 'url'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff channel describe' requires the channel name given as single argument");
      const client = await ctx.client();
      const ch = typed(CHANNEL, await client.get(CHANNEL, ctx.namespace(), name));
      if (ctx.globals.output === 'url') {
        ctx.out(`${channelUrl(ch)}\n`);
        return 0;
      }
      if (printObject(ctx, CHANNEL, ch)) return 0;
      ctx.out(describeChannel(ch, eventingNow(), flags.bool('verbose')));
      return 0;
    }),
};

const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a channel',
  usage: 'channel delete NAME [-n NS]',
  examples: ["# Delete a channel 'pipe'", 'skiff channel delete pipe'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const name = singleName(flags.positionals, "'skiff channel delete' requires the channel name as single argument");
      const ns = ctx.namespace();
      const client = await ctx.client();
      await client.delete(CHANNEL, ns, name);
      ctx.out(`Channel '${name}' deleted in namespace '${ns}'.\n`);
      return 0;
    }),
};

export const channelCommand: Command = {
  name: 'channel',
  aliases: ['channels'],
  summary: 'Manage event channels (kn channel)',
  subcommands: [createCommand, listCommand, deleteCommand, describeCommand, listTypesCommand],
};
