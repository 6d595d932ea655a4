// `skiff logs`: a pod's (container's) output, streamed to stdout; -f follows.
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const logsCommand: Command = {
  name: 'logs',
  summary: "Print the logs of a pod's container",
  usage: 'logs POD [-c CONTAINER] [-f] [--tail N] [--previous] [-n NS]',
  examples: ['skiff logs hello-00001-deployment-7f9c-abcde -c user-container', 'skiff logs -f pod/event-display-xyz --tail 20'],
  flags: [
    { name: 'container', short: 'c', type: 'string', description: 'container name (default: the only or first container)' },
    { name: 'follow', short: 'f', type: 'boolean', description: 'keep streaming new output' },
    { name: 'tail', type: 'int', default: -1, placeholder: 'N', description: 'only the last N lines (-1: all)' },
    { name: 'previous', short: 'p', type: 'boolean', description: "the previous (crashed) instance's output" },
  ],
  async run(ctx, flags) {
    const args = flags.positionals;
    if (args.length === 0) throw new UsageError('expected POD (or pod/NAME)');
    if (args.length > 2) throw new UsageError(`expected POD [-c CONTAINER], got ${args.length} arguments`);
    let pod = args[0];
    if (pod.includes('/')) {
      const [kind, name] = pod.split('/', 2);
      if (!['pod', 'pods', 'po'].includes(kind.toLowerCase())) throw new UsageError(`logs supports pods only, got "${kind}"`);
      pod = name;
    }
    // kubectl accepts `logs POD CONTAINER` as well as -c.
    const container = flags.string('container') ?? args[1];
    const tail = flags.int('tail');
    const client = await ctx.client();
    const stream = await client.logs(ctx.namespace(), pod, {
      container,
      follow: flags.bool('follow'),
      tailLines: tail !== undefined && tail >= 0 ? tail : undefined,
      previous: flags.bool('previous'),
      signal: ctx.io.signal,
    });
    try {
      for await (const chunk of stream) ctx.io.stdout.write(chunk as Uint8Array);
    } catch (e) {
      if (!ctx.io.signal?.aborted) throw e;
    }
    return 0;
  },
};
