// kn's sink grammar, shared by every flag that names an event destination
// (`--sink`, `--dl-sink`, `--sink-reply`, `--sink-dead-letter`, `--reference`,
// `event send --to`): `ksvc:NAME[:NS]` (a bare `NAME` is a Knative service),
// `broker:NAME`, `channel:NAME`, `svc:NAME[:NS]` (a Kubernetes Service),
// `GROUP/VERSION/RESOURCE:NAME[:NS]`, or an http(s) URL. Parsing and the list
// text (`ksvc:event-display`) are pure; `resolveSink` checks the object exists
// (as kn does) and turns it into a duck Destination.
import type { KObject } from '../../../api/meta.js';
import type { FlagSpec } from '../../args.js';
import type { ApiResource } from '../../discovery.js';
import { ServerError } from '../../errors.js';
import type { KubeClient } from '../../http.js';
import { KnError } from '../../knative-format.js';
import { BROKER, CHANNEL, K8S_SERVICE, KSERVICE, resourceFromGvr } from './resources.js';

export interface Gvr {
  group: string;
  version: string;
  /** Plural resource name, e.g. `services`. */
  resource: string;
}

export type SinkSpec =
  | { type: 'url'; url: string }
  | { type: 'ref'; gvr: Gvr; name: string; namespace: string };

/** duckv1.KReference as the CLI writes it. */
export interface KReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** duckv1.Destination. */
export interface Destination {
  ref?: KReference;
  uri?: string;
}

const KSVC_GVR: Gvr = { group: 'serving.knative.dev', version: 'v1', resource: 'services' };
const BROKER_GVR: Gvr = { group: 'eventing.knative.dev', version: 'v1', resource: 'brokers' };
const CHANNEL_GVR: Gvr = { group: 'messaging.knative.dev', version: 'v1', resource: 'channels' };
const SVC_GVR: Gvr = { group: '', version: 'v1', resource: 'services' };

/** kn's default sink prefixes (pkg/flags/sink DefaultMappings with its aliases). */
export const SINK_MAPPINGS: Readonly<Record<string, Gvr>> = Object.freeze({
  ksvc: KSVC_GVR,
  kservice: KSVC_GVR,
  broker: BROKER_GVR,
  channel: CHANNEL_GVR,
  svc: SVC_GVR,
  service: SVC_GVR,
});

/** `eventtype create --reference` accepts only brokers and channels (kn's referenceMappings). */
export const REFERENCE_MAPPINGS: Readonly<Record<string, Gvr>> = Object.freeze({ broker: BROKER_GVR, channel: CHANNEL_GVR });

/** The short name list output uses for a GVR (ksvc before kservice, svc before service). */
const PREFERRED_ALIASES: ReadonlyArray<[string, Gvr]> = [
  ['ksvc', KSVC_GVR],
  ['broker', BROKER_GVR],
  ['channel', CHANNEL_GVR],
  ['svc', SVC_GVR],
];

export const SINK_EXAMPLES = "ksvc:NAME[:NS], broker:NAME, channel:NAME, svc:NAME[:NS], GROUP/VERSION/RESOURCE:NAME[:NS] or an http(s):// URL";

/** A sink text that does not parse; names the flag and says what is accepted. */
export class SinkParseError extends KnError {
  constructor(
    readonly flag: string,
    readonly input: string,
    reason: string,
  ) {
    super(`invalid value '${input}' for '--${flag}': ${reason}`, 'SKIFF_ERR_CLI_SINK_INVALID');
    this.name = 'SinkParseError';
  }
}

function sameGvr(a: Gvr, b: Gvr): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource;
}

export interface ParseSinkOptions {
  /** Flag name for error messages (default `sink`). */
  flag?: string;
  mappings?: Readonly<Record<string, Gvr>>;
  /** Allow `GROUP/VERSION/RESOURCE:NAME` (default true). */
  allowGvr?: boolean;
}

function parseUrl(text: string, flag: string): SinkSpec {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new SinkParseError(flag, text, 'not a valid URL');
  }
  if (!u.hostname) throw new SinkParseError(flag, text, 'the URL has no host');
  return { type: 'url', url: text };
}

/**
 * Parse a sink as kn does: split on ':' into at most three parts (prefix,
 * name, namespace); one part is a Knative service; `http`/`https` start a URL;
 * an unknown prefix must be `GROUP/VERSION/RESOURCE` (`v1/RESOURCE` for the
 * core group; a singular resource gets an `s`). `namespace` is the current one.
 */
export function parseSink(text: string, namespace: string, opts: ParseSinkOptions = {}): SinkSpec {
  const flag = opts.flag ?? 'sink';
  const mappings = opts.mappings ?? SINK_MAPPINGS;
  if (text === '') throw new SinkParseError(flag, text, `a sink is required (${SINK_EXAMPLES})`);
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  const parts = first < 0 ? [text] : second < 0 ? [text.slice(0, first), text.slice(first + 1)] : [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (parts.length === 1) {
    if (!mappings.ksvc) throw new SinkParseError(flag, text, `a prefix is required: ${Object.keys(mappings).map((k) => `${k}:NAME`).join(' or ')}`);
    return { type: 'ref', gvr: mappings.ksvc, name: text, namespace };
  }
  const prefix = parts[0];
  if (prefix === 'http' || prefix === 'https') return parseUrl(text, flag);
  if (/^[A-Za-z][A-Za-z0-9+.-]*$/.test(prefix) && parts[1].startsWith('//')) throw new SinkParseError(flag, text, 'only http and https URLs are supported');
  const name = parts[1];
  if (!prefix) throw new SinkParseError(flag, text, `the prefix before ':' is empty (${SINK_EXAMPLES})`);
  if (!name) throw new SinkParseError(flag, text, `no name after '${prefix}:'`);
  if (parts.length === 3 && !parts[2]) throw new SinkParseError(flag, text, `no namespace after '${prefix}:${name}:'`);
  const ns = parts.length === 3 ? parts[2] : namespace;
  const mapped = mappings[prefix] ?? mappings[prefix.toLowerCase()];
  if (mapped) return { type: 'ref', gvr: mapped, name, namespace: ns };
  if (opts.allowGvr === false || !prefix.includes('/'))
    throw new SinkParseError(
      flag,
      text,
      `unknown prefix '${prefix}' (use ${Object.keys(mappings).map((k) => `${k}:NAME`).join(', ')}${opts.allowGvr === false ? '' : ', GROUP/VERSION/RESOURCE:NAME'}${mappings.ksvc ? ' or an http(s):// URL' : ''})`,
    );
  const slash = prefix.lastIndexOf('/');
  const gv = prefix.slice(0, slash);
  let res = prefix.slice(slash + 1);
  if (!res) throw new SinkParseError(flag, text, `no resource after '${gv}/' (expected GROUP/VERSION/RESOURCE:NAME)`);
  const gvParts = gv.split('/');
  if (gvParts.length > 2 || gvParts.some((p) => !p))
    throw new SinkParseError(flag, text, `'${gv}' is not a GROUP/VERSION (expected GROUP/VERSION/RESOURCE:NAME, e.g. messaging.knative.dev/v1/inmemorychannels:NAME)`);
  const gvr = gvParts.length === 2 ? { group: gvParts[0], version: gvParts[1] } : { group: '', version: gvParts[0] };
  res = res.toLowerCase();
  if (!res.endsWith('s')) res += 's';
  return { type: 'ref', gvr: { ...gvr, resource: res }, name, namespace: ns };
}

/** Kubernetes' UnsafeGuessKindToResource: `Service` → `services`, `Policy` → `policies`. */
export function guessResource(kind: string): string {
  const k = kind.toLowerCase();
  if (!k) return k;
  if (k.endsWith('s')) return `${k}es`;
  if (k.endsWith('y')) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

function gvrOfRef(ref: KReference): Gvr {
  const i = ref.apiVersion.indexOf('/');
  const group = i < 0 ? '' : ref.apiVersion.slice(0, i);
  const version = i < 0 ? ref.apiVersion : ref.apiVersion.slice(i + 1);
  return { group, version, resource: guessResource(ref.kind) };
}

/** The prefix a GVR is written with: its alias, else `resource.group/version`. */
export function gvrText(gvr: Gvr): string {
  for (const [alias, g] of PREFERRED_ALIASES) if (sameGvr(g, gvr)) return alias;
  return gvr.group ? `${gvr.resource}.${gvr.group}/${gvr.version}` : `${gvr.resource}/${gvr.version}`;
}

/** A parsed sink as text again (`ksvc:hello`, `broker:b1:other-ns`, a URL). */
export function sinkSpecText(spec: SinkSpec, currentNamespace: string): string {
  if (spec.type === 'url') return spec.url;
  const ns = spec.namespace && spec.namespace !== currentNamespace ? `:${spec.namespace}` : '';
  return `${gvrText(spec.gvr)}:${spec.name}${ns}`;
}

/**
 * A Destination in list output (kn's SinkToString): `ksvc:event-display`,
 * `broker:default`, the URI; the namespace only when it is not the owner's.
 * A ref with a relative `uri` shows both (`ksvc:hello/path`).
 */
export function destinationText(dest: Destination | undefined | null, ownerNamespace: string | undefined): string {
  if (!dest) return '';
  if (!dest.ref) return dest.uri ?? '';
  const ref = dest.ref;
  const ns = ref.namespace && ref.namespace !== (ownerNamespace ?? '') ? `:${ref.namespace}` : '';
  return `${gvrText(gvrOfRef(ref))}:${ref.name}${ns}${dest.uri ?? ''}`;
}

/** The API resource a GVR names (the known ones carry their kind). */
export function resourceForGvr(gvr: Gvr): ApiResource {
  for (const r of [KSERVICE, BROKER, CHANNEL, K8S_SERVICE]) if (r.group === gvr.group && r.version === gvr.version && r.name === gvr.resource) return r;
  return resourceFromGvr(gvr.group, gvr.version, gvr.resource);
}

function isUnknownResource(e: unknown): boolean {
  return e instanceof ServerError && e.status === 404 && /could not find the requested resource/.test(e.message);
}

/** GET the object a ref sink names; a missing object is kn's `… not found` error. */
export async function fetchSinkObject(client: KubeClient, spec: Extract<SinkSpec, { type: 'ref' }>, flag = 'sink'): Promise<{ obj: KObject; resource: ApiResource }> {
  const r = resourceForGvr(spec.gvr);
  try {
    return { obj: await client.get(r, spec.namespace, spec.name), resource: r };
  } catch (e) {
    if (isUnknownResource(e))
      throw new KnError(`cannot resolve '--${flag}': the server has no resource type '${gvrText(spec.gvr)}' (${spec.gvr.group ? `${spec.gvr.group}/` : ''}${spec.gvr.version}, ${spec.gvr.resource})`, 'SKIFF_ERR_CLI_SINK_UNKNOWN_TYPE');
    throw e;
  }
}

/** Resolve a sink to a Destination (checks a referenced object exists, as kn does). */
export async function resolveSink(client: KubeClient, spec: SinkSpec, flag = 'sink'): Promise<Destination> {
  if (spec.type === 'url') return { uri: spec.url };
  const { obj, resource } = await fetchSinkObject(client, spec, flag);
  const apiVersion = obj.apiVersion || (spec.gvr.group ? `${spec.gvr.group}/${spec.gvr.version}` : spec.gvr.version);
  return { ref: { apiVersion, kind: obj.kind || resource.kind, name: obj.metadata.name ?? spec.name, namespace: spec.namespace } };
}

/** Parse and resolve a sink flag's value (undefined when the flag is empty). */
export async function resolveSinkFlag(client: KubeClient, value: string | undefined, namespace: string, flag: string, opts: ParseSinkOptions = {}): Promise<Destination | undefined> {
  if (value === undefined || value === '') return undefined;
  return resolveSink(client, parseSink(value, namespace, { ...opts, flag }), flag);
}

/** kn's usage text for a sink-like flag. */
export function sinkUsage(flagName: string): string {
  const f = `--${flagName}`;
  return (
    `Addressable sink for events. You can specify a broker, channel, Knative service, Kubernetes service or URI. ` +
    `Examples: '${f} broker:nest' for a broker 'nest', '${f} channel:pipe' for a channel 'pipe', ` +
    `'${f} ksvc:mysvc:mynamespace' for a Knative service 'mysvc' in another namespace 'mynamespace', ` +
    `'${f} https://event.receiver.uri' for an HTTP URI, '${f} ksvc:receiver' or simply '${f} receiver' for a Knative service 'receiver' in the current namespace, ` +
    `'${f} svc:receiver:mynamespace' for a Kubernetes service 'receiver' in the 'mynamespace' namespace, ` +
    `'${f} special.eventing.dev/v1alpha1/channels:pipe' for GroupVersionResource of v1alpha1 'pipe'. ` +
    `If a prefix is not provided, it is considered as a Knative service in the current namespace.`
  );
}

export function sinkFlag(name = 'sink', short?: string, description?: string): FlagSpec {
  return { name, short, type: 'string', placeholder: 'SINK', description: description ?? sinkUsage(name) };
}
