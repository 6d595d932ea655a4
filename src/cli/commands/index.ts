// Every top-level command, in the order `skiff --help` lists them, as a small
// index: name, aliases and summary here; the command's module is imported
// only when that command runs (or its help is asked for). Importing all of
// them eagerly cost most of the CLI's start-up (HTTP client, YAML, every
// noun's formatting code) even for `skiff --help`. Nouns with kn-style verbs
// (`service`, `broker`, …) add a folder under commands/ and an entry here;
// index.test.ts checks each entry against the module it loads.
import type { Command } from '../command.js';

function lazy(name: string, summary: string, aliases: string[] | undefined, load: () => Promise<Command>): Command {
  let pending: Promise<Command> | undefined;
  return { name, summary, ...(aliases ? { aliases } : {}), load: () => (pending ??= load()) };
}

export const commands: Command[] = [
  lazy('get', 'Display one or many resources', undefined, async () => (await import('./get.js')).getCommand),
  lazy('describe', 'Show details of a resource or group of resources', undefined, async () => (await import('./describe.js')).describeCommand),
  lazy('apply', 'Create or update resources from files or stdin', undefined, async () => (await import('./apply.js')).applyCommand),
  lazy('delete', 'Delete resources by kind and name, by label, or from files', undefined, async () => (await import('./delete.js')).deleteCommand),
  lazy('logs', "Print the logs of a pod's container", undefined, async () => (await import('./logs.js')).logsCommand),
  lazy('api-resources', 'List the resource types the server serves, with short names', undefined, async () => (await import('./api-resources.js')).apiResourcesCommand),
  lazy('kubeconfig', 'Print a kubeconfig for kubectl and kn pointing at the Skiff API', undefined, async () => (await import('./kubeconfig.js')).kubeconfigCommand),
  lazy('version', 'Print the client and server version information', undefined, async () => (await import('./version.js')).versionCommand),
  lazy('service', 'Manage Knative services (kn service)', ['ksvc', 'services'], async () => (await import('./service/index.js')).serviceCommand),
  lazy('revision', 'Manage Knative revisions (kn revision)', ['revisions'], async () => (await import('./revision/index.js')).revisionCommand),
  lazy('route', 'Manage Knative routes (kn route)', ['routes'], async () => (await import('./route/index.js')).routeCommand),
  lazy('domain', 'Manage domain mappings (kn domain)', ['domains'], async () => (await import('./domain/index.js')).domainCommand),
  lazy('broker', 'Manage message brokers (kn broker)', ['brokers'], async () => (await import('./broker/index.js')).brokerCommand),
  lazy('trigger', 'Manage event triggers (kn trigger)', ['triggers'], async () => (await import('./trigger/index.js')).triggerCommand),
  lazy('channel', 'Manage event channels (kn channel)', ['channels'], async () => (await import('./channel/index.js')).channelCommand),
  lazy('subscription', 'Manage event subscriptions (kn subscription)', ['subscriptions', 'sub'], async () => (await import('./subscription/index.js')).subscriptionCommand),
  lazy('eventtype', 'Manage eventtypes (kn eventtype)', ['eventtypes'], async () => (await import('./eventtype/index.js')).eventtypeCommand),
  lazy('event', 'Build and send CloudEvents (kn event)', ['events'], async () => (await import('./event/index.js')).eventCommand),
];
