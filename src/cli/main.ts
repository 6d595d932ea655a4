// Entry point of the `skiff` binary (bin/skiff.js imports this file): run the
// CLI on process.argv and set the exit code. Also registers `skiff up`, whose
// implementation lives with the daemon (src/daemon/up.ts).
import type { Command } from './command.js';
import { processIO, runCli } from './cli.js';
import { UserError } from './errors.js';

export const upCommand: Command = {
  name: 'up',
  summary: 'Start Skiff here: API server, controllers, gateway (Ctrl-C stops)',
  usage: 'up [flags]',
  rawArgs: true,
  async run(_ctx, _flags, argv) {
    // A variable specifier: the daemon is its own module, and the CLI compiles without it.
    const daemonModule = '../daemon/up.js';
    let mod: { runUp(argv: string[]): Promise<number | void> | number | void };
    try {
      mod = await import(daemonModule);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('daemon/up.js')) throw new UserError('`skiff up` is not available in this build (src/daemon/up.ts is missing)', 'SKIFF_ERR_CLI_NO_DAEMON');
      throw e;
    }
    return (await mod.runUp(argv)) ?? 0;
  },
};

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // `skiff get pods | head`: the reader left; that is not an error.
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2), processIO(), { extraCommands: [upCommand] });
