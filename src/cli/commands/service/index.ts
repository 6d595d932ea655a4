// `skiff service …`: Knative Services with kn's grammar, flags and output
// (create, update, apply, describe, list, delete, wait).
import type { Command } from '../../command.js';
import { serviceReadCommands } from './read.js';
import { applyCommand, createCommand, updateCommand } from './write.js';

export const serviceCommand: Command = {
  name: 'service',
  aliases: ['ksvc', 'services'],
  summary: 'Manage Knative services (kn service)',
  description: 'Manage Knative services the way `kn service` does: create, update, apply, describe, list, delete, wait.',
  subcommands: [
    serviceReadCommands.listCommand,
    serviceReadCommands.describeCommand,
    createCommand,
    serviceReadCommands.deleteCommand,
    updateCommand,
    applyCommand,
    serviceReadCommands.waitCommand,
  ],
};
