// Every top-level command, in the order `skiff --help` lists them. Nouns with
// kn-style verbs (`service`, `broker`, …) add a folder under commands/ and an
// entry here.
import type { Command } from '../command.js';
import { apiResourcesCommand } from './api-resources.js';
import { applyCommand } from './apply.js';
import { brokerCommand } from './broker/index.js';
import { channelCommand } from './channel/index.js';
import { deleteCommand } from './delete.js';
import { domainCommand } from './domain/index.js';
import { describeCommand } from './describe.js';
import { eventCommand } from './event/index.js';
import { eventtypeCommand } from './eventtype/index.js';
import { getCommand } from './get.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { logsCommand } from './logs.js';
import { revisionCommand } from './revision/index.js';
import { routeCommand } from './route/index.js';
import { serviceCommand } from './service/index.js';
import { subscriptionCommand } from './subscription/index.js';
import { triggerCommand } from './trigger/index.js';
import { versionCommand } from './version.js';

export const commands: Command[] = [
  getCommand,
  describeCommand,
  applyCommand,
  deleteCommand,
  logsCommand,
  apiResourcesCommand,
  kubeconfigCommand,
  versionCommand,
  serviceCommand,
  revisionCommand,
  routeCommand,
  domainCommand,
  brokerCommand,
  triggerCommand,
  channelCommand,
  subscriptionCommand,
  eventtypeCommand,
  eventCommand,
];
