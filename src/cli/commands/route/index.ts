// `skiff route list|describe`: Knative Routes in kn's words.
import type { Command } from '../../command.js';
import { renderListTable } from '../../knative-format.js';
import { listObjects, NO_HEADERS_FLAG, printMachineReadable, VERBOSE_FLAG } from '../service/read.js';
import { knRun, ROUTE, singleName, typed } from '../service/serving-client.js';
import { describeRoute, ROUTE_LIST_HEADERS, routeListRows } from './format.js';

const listCommand: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List routes',
  usage: 'route list [NAME] [-n NS | -A] [-o json|yaml|name] [--no-headers]',
  examples: ['skiff route list', 'skiff route list hello -n dev', 'skiff route list -o yaml'],
  flags: [NO_HEADERS_FLAG],
  run: (ctx, flags) =>
    knRun(async () => {
      const client = await ctx.client();
      const list = await listObjects(ctx, client, ROUTE, flags.positionals, "'skiff route list' accepts only one additional argument");
      if (printMachineReadable(ctx, ROUTE, list.items, list)) return 0;
      if (list.items.length === 0) {
        ctx.out('No routes found.\n');
        return 0;
      }
      ctx.out(renderListTable(ROUTE_LIST_HEADERS, routeListRows(list.items), { noHeaders: flags.bool('no-headers') }));
      return 0;
    }),
};

const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a route',
  usage: 'route describe NAME [-o json|yaml|name] [-v]',
  flags: [VERBOSE_FLAG],
  outputFormats: ['json', 'yaml', 'name'],
  run: (ctx, flags) =>
    knRun(async () => {
      const name = singleName(flags.positionals, "'skiff route describe' requires name of the route as single argument");
      const client = await ctx.client();
      const route = typed(ROUTE, await client.get(ROUTE, ctx.namespace(), name));
      if (printMachineReadable(ctx, ROUTE, [route], undefined)) return 0;
      ctx.out(describeRoute(route, Date.now(), flags.bool('verbose')));
      return 0;
    }),
};

export const routeCommand: Command = {
  name: 'route',
  aliases: ['routes'],
  summary: 'Manage Knative routes (kn route)',
  subcommands: [listCommand, describeCommand],
};
