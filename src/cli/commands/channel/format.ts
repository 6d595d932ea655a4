// kn's Channel pieces: `--type` (an alias such as `imc`, or
// `Group:Version:Kind`), the object `channel create` builds, the `channel
// list` table (NAME TYPE URL AGE READY REASON), `channel list-types` (TYPE
// NAME DESCRIPTION, from the channel kinds the server serves) and the
// `channel describe` layout. Pure.
import type { KObject } from '../../../api/meta.js';
import type { ApiResource } from '../../discovery.js';
import { conditionsOf, DescribeWriter, KnError, listAge, nonReadyReason, readyStatus, writeConditions, writeMetadata } from '../../knative-format.js';
import { withNamespaceCell } from '../eventing/resources.js';

export const CHANNEL_LIST_HEADERS = ['NAME', 'TYPE', 'URL', 'AGE', 'READY', 'REASON'];
export const CHANNEL_TYPES_HEADERS = ['TYPE', 'NAME', 'DESCRIPTION'];

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** kn's built-in channel type aliases. */
export const CHANNEL_TYPE_ALIASES: Readonly<Record<string, Gvk>> = Object.freeze({
  imc: { group: 'messaging.knative.dev', version: 'v1', kind: 'InMemoryChannel' },
});

const CHANNEL_TYPE_DESCRIPTIONS: Record<string, string> = {
  InMemoryChannel: 'The events are stored in memory',
  KafkaChannel: 'The events are stored in a Kafka cluster (must be installed separately)',
};

export function apiVersionOfGvk(g: Gvk): string {
  return g.group ? `${g.group}/${g.version}` : g.version;
}

/** `--type imc` or `--type messaging.knative.dev:v1:InMemoryChannel`. */
export function parseChannelType(text: string): Gvk {
  const parts = text.split(':');
  if (parts.length === 1) {
    const alias = CHANNEL_TYPE_ALIASES[text];
    if (alias) return alias;
    throw new KnError(`unknown channel type alias: '${text}' (known: ${Object.keys(CHANNEL_TYPE_ALIASES).join(', ')}; or give Group:Version:Kind)`, 'SKIFF_ERR_CLI_CHANNEL_TYPE_INVALID');
  }
  if (parts.length === 3 && parts.every((p) => p !== '')) return { group: parts[0], version: parts[1], kind: parts[2] };
  throw new KnError(`incorrect value '${text}' for '--type', must be in the format 'Group:Version:Kind' or an alias such as 'imc'`, 'SKIFF_ERR_CLI_CHANNEL_TYPE_INVALID');
}

/** `--channel NAME` (a Channel), `ALIAS:NAME` (`imc:pipe`) or `Group:Version:Kind:Name`. */
export function parseChannelRef(text: string): { apiVersion: string; kind: string; name: string } {
  const parts = text.split(':');
  if (parts.length === 1 && text) return { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: text };
  if (parts.length === 2) {
    const alias = CHANNEL_TYPE_ALIASES[parts[0]];
    if (!alias) throw new KnError(`unknown alias '${parts[0]}' for '--channel', specify the channel in the format '--channel Group:Version:Kind:Name' (known aliases: ${Object.keys(CHANNEL_TYPE_ALIASES).join(', ')})`, 'SKIFF_ERR_CLI_CHANNEL_REF_INVALID');
    if (!parts[1]) throw new KnError(`incorrect value '${text}' for '--channel': no name after '${parts[0]}:'`, 'SKIFF_ERR_CLI_CHANNEL_REF_INVALID');
    return { apiVersion: apiVersionOfGvk(alias), kind: alias.kind, name: parts[1] };
  }
  if (parts.length === 4 && parts.every((p) => p !== '')) return { apiVersion: `${parts[0]}/${parts[1]}`, kind: parts[2], name: parts[3] };
  throw new KnError(`incorrect value '${text}' for '--channel', must be in the format 'Group:Version:Kind:Name' or 'ALIAS:NAME' (e.g. 'imc:mychannel')`, 'SKIFF_ERR_CLI_CHANNEL_REF_INVALID');
}

export function buildChannel(name: string, namespace: string, type?: Gvk): KObject {
  const ch: KObject = { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', metadata: { name, namespace }, spec: {} };
  if (type) ch.spec.channelTemplate = { apiVersion: apiVersionOfGvk(type), kind: type.kind };
  return ch;
}

export function channelUrl(ch: KObject): string {
  return ch.status?.address?.url ?? '';
}

export function channelListRows(items: KObject[], now: number, withNamespace: boolean): string[][] {
  return items.map((ch) => {
    const conds = conditionsOf(ch);
    return withNamespaceCell(ch, [ch.metadata.name ?? '', ch.spec?.channelTemplate?.kind ?? '', channelUrl(ch), listAge(ch.metadata.creationTimestamp, now), readyStatus(conds), nonReadyReason(conds)], withNamespace);
  });
}

/** Channel implementations among the served resources: messaging kinds named `*Channel` other than `Channel` itself. */
export function channelTypes(resources: readonly ApiResource[]): ApiResource[] {
  const seen = new Set<string>();
  return resources
    .filter((r) => r.group === 'messaging.knative.dev' && r.kind !== 'Channel' && r.kind.endsWith('Channel') && r.preferred)
    .filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)))
    .sort((a, b) => (`${a.name}.${a.group}` < `${b.name}.${b.group}` ? -1 : 1));
}

export function channelTypeRows(types: readonly ApiResource[]): string[][] {
  return types.map((r) => [r.kind, `${r.name}.${r.group}`, CHANNEL_TYPE_DESCRIPTIONS[r.kind] ?? '']);
}

/** `-o yaml|json` of list-types: the CRDs kn would print, reduced to names. */
export function channelTypesDocument(types: readonly ApiResource[]): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinitionList',
    metadata: { resourceVersion: '' },
    items: types.map((r) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${r.name}.${r.group}`, labels: { 'duck.knative.dev/addressable': 'true', 'messaging.knative.dev/subscribable': 'true' } },
      spec: { group: r.group, names: { kind: r.kind, plural: r.name }, versions: [{ name: r.version, served: true }] },
    })),
  } as unknown as KObject;
}

export function describeChannel(ch: KObject, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, ch.metadata, now, details);
  const t = ch.spec?.channelTemplate;
  s.attribute('Type', `${t?.kind ?? ''} (${t?.apiVersion ?? ''})`);
  if (ch.status?.address) s.attribute('URL', channelUrl(ch));
  s.blank();
  w.flush();
  writeConditions(s, conditionsOf(ch), now, details);
  return w.text();
}
