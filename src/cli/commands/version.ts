// `skiff version`: the client's version, and the server's when an API answers.
import { SKIFF_VERSION } from '../../api/version.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { toJson, toYaml } from '../output.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the client and server version information',
  usage: 'version [--client] [-o yaml|json]',
  flags: [{ name: 'client', type: 'boolean', description: 'print the client version only' }],
  async run(ctx, flags) {
    const client = { skiffVersion: SKIFF_VERSION };
    let server: Record<string, unknown> | undefined;
    if (!flags.bool('client')) {
      try {
        server = await (await ctx.client()).version();
      } catch (e) {
        // The server part is optional: an unreachable API still leaves the client version to print.
        if (!(e instanceof CliError)) throw e;
      }
    }
    const fmt = ctx.globals.output;
    if (fmt === 'yaml' || fmt === 'json') {
      const doc: Record<string, unknown> = { clientVersion: client };
      if (server) doc.serverVersion = server;
      ctx.out(fmt === 'yaml' ? toYaml(doc) : toJson(doc));
      return 0;
    }
    ctx.out(`Client Version: v${SKIFF_VERSION}\n`);
    if (server) {
      const skiff = typeof server.skiffVersion === 'string' ? ` (skiff ${server.skiffVersion})` : '';
      ctx.out(`Server Version: ${String(server.gitVersion ?? `${server.major}.${server.minor}`)}${skiff}\n`);
    }
    return 0;
  },
};
