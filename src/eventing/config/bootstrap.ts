// The knative-eventing config maps Skiff creates on first start, with Knative's
// defaults except where embedded Skiff differs on purpose (documented beside
// each). Existing maps are never overwritten: they are the user's to edit
// (`kubectl edit cm config-br-defaults -n knative-eventing`), and every reader
// picks edits up live — admission reads the store on each write, controllers
// watch config maps through their informers.
import type { KObject } from '../../api/meta.js';
import type { ApiClient } from '../../client/client.js';
import {
  CONFIG_BR_DEFAULT_CHANNEL,
  CONFIG_BR_DEFAULTS,
  CONFIG_FEATURES,
  CONFIG_KREFERENCE_MAPPING,
  CONFIG_PING_DEFAULTS,
  CONFIG_SUGAR,
  DEFAULT_BR_CONFIG,
  DEFAULT_CH_CONFIG,
  DEFAULT_CH_WEBHOOK,
  DEFAULT_CHANNEL_TEMPLATE_SPEC,
  DEFAULT_FEATURES,
  DEFAULT_SUGAR,
} from '../../api/eventing/config.js';
import { SYSTEM_NAMESPACE } from '../../api/eventing/constants.js';

function example(body: string): string {
  return `################################\n#                              #\n#    EXAMPLE CONFIGURATION     #\n#                              #\n################################\n\n# This block is not actually functional configuration,\n# but serves to illustrate the available configuration\n# options and document them in a way that is accessible\n# to users that \`kubectl edit\` this config map.\n#\n# These sample configuration options may be copied out of\n# this example block and unindented to be in the data block\n# to actually change the configuration.\n\n${body}`;
}

export const EVENTING_CONFIG_MAPS: Readonly<Record<string, Record<string, string>>> = {
  // Skiff: SkiffLogBroker (durable, on disk) is the default class; MTChannelBasedBroker keeps
  // Knative's config (spec.config → config-br-default-channel) under brokerClasses.
  [CONFIG_BR_DEFAULTS]: { 'default-br-config': DEFAULT_BR_CONFIG },
  [CONFIG_BR_DEFAULT_CHANNEL]: { 'channel-template-spec': DEFAULT_CHANNEL_TEMPLATE_SPEC },
  [DEFAULT_CH_WEBHOOK]: { 'default-ch-config': DEFAULT_CH_CONFIG },
  [CONFIG_FEATURES]: { ...DEFAULT_FEATURES },
  // Skiff: injection on by label (the seed's `eventing.knative.dev/injection=enabled`); Knative ships it off.
  [CONFIG_SUGAR]: {
    ...DEFAULT_SUGAR,
    _example: example(
      '# namespace-selector: which namespaces get a "default" Broker.\n# An empty value turns the feature off; "{}" selects every namespace.\nnamespace-selector: ""\n\n# trigger-selector: which Triggers get the Broker they name created.\n# An empty value turns the feature off; "{}" selects every trigger.\ntrigger-selector: ""\n',
    ),
  },
  [CONFIG_PING_DEFAULTS]: {
    _example: example('# Max number of bytes allowed to be sent for message excluding any\n# base64 decoding. Default is no limit set for data\ndata-max-size: -1\n'),
  },
  [CONFIG_KREFERENCE_MAPPING]: {
    _example: example(
      '# Map a KReference onto a templated URI (feature flag kreference-mapping).\n# The data key must be of the form "kind.version.group"; valid template data are\n# Name, Namespace, SystemNamespace and UID.\n#\n# Pod.v1: https://addressable-pod.{{ .SystemNamespace }}.svc.cluster.local/{{ .Name }}\n',
    ),
  },
};

export function eventingConfigMaps(): KObject[] {
  return Object.entries(EVENTING_CONFIG_MAPS).map(([name, data]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: SYSTEM_NAMESPACE, labels: { 'app.kubernetes.io/name': 'knative-eventing' } },
    data: { ...data },
  }));
}

/** Create the config maps that do not exist yet (idempotent; existing maps are left alone). */
export async function bootstrapEventingConfig(client: ApiClient): Promise<string[]> {
  const created: string[] = [];
  for (const cm of eventingConfigMaps()) {
    if (await client.get('core/configmaps', SYSTEM_NAMESPACE, cm.metadata.name!)) continue;
    try {
      await client.create('core/configmaps', cm);
      created.push(cm.metadata.name!);
    } catch (err) {
      // Someone else created it meanwhile: theirs stands.
      if ((err as { status?: number } | null)?.status !== 409) throw err;
    }
  }
  return created;
}
