// Where `event send` delivers and how: the `--to` target (kn's sink grammar,
// or kn-plugin-event's `Kind:apiVersion:name[:ns]`), the object's address
// (`status.address.url`; a Kubernetes Service is `http://NAME.NS.svc.cluster.local`),
// the route (Knative addresses such as
// http://broker-ingress.knative-eventing.svc.cluster.local/default/b1 resolve
// nowhere on a laptop, so the request goes to Skiff's gateway with that Host
// header, as workloads' traffic does; loopback and https URLs go direct), and
// the POST itself over undici (fetch() may not set Host).
import { request } from 'undici';
import type { KObject } from '../../../api/meta.js';
import { isLoopbackHostname } from '../../../eventing/delivery/gateway-sender.js';
import { KnError } from '../../knative-format.js';
import { guessResource, parseSink, type Gvr, type SinkSpec } from '../eventing/sink.js';

/** kn-plugin-event's `--to Kind:apiVersion:name` (e.g. `Service:serving.knative.dev/v1:event-display`). */
const PLUGIN_TARGET = /^([A-Z][A-Za-z0-9]*):((?:[a-z0-9.-]+\/)?v\d+(?:(?:alpha|beta)\d+)?):([^:]+)(?::([^:]+))?$/;

/** Parse `--to`: the plugin's Kind:apiVersion:name[:ns], else kn's sink grammar. */
export function parseEventTarget(text: string, namespace: string): SinkSpec {
  const m = PLUGIN_TARGET.exec(text);
  if (m) {
    const [, kind, apiVersion, name, ns] = m;
    const slash = apiVersion.indexOf('/');
    const gvr: Gvr = slash < 0 ? { group: '', version: apiVersion, resource: guessResource(kind) } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), resource: guessResource(kind) };
    return { type: 'ref', gvr, name, namespace: ns ?? namespace };
  }
  return parseSink(text, namespace, { flag: 'to' });
}

/** The URL an Addressable is reached at (undefined when it has none yet). */
export function addressOf(obj: KObject, gvr: Gvr): string | undefined {
  if (gvr.group === '' && gvr.resource === 'services') return `http://${obj.metadata.name}.${obj.metadata.namespace}.svc.cluster.local`;
  const st = obj.status ?? {};
  const url = st.address?.url ?? (Array.isArray(st.addresses) ? st.addresses.find((a: { url?: string }) => a?.url)?.url : undefined);
  return typeof url === 'string' && url ? url : undefined;
}

export interface SendPlan {
  /** Where the TCP connection goes. */
  url: string;
  /** Host header to send (the target's), when going through the gateway. */
  host?: string;
  via: 'direct' | 'gateway';
}

function clusterHost(hostname: string): boolean {
  return hostname.endsWith('.cluster.local') || hostname.endsWith('.svc') || !hostname.includes('.');
}

/**
 * Route a target URL: loopback and https go direct; other http URLs go to the
 * gateway (when one is known) with the target's Host; without a gateway a
 * cluster-local name is an error that says how to name one.
 */
export function planDelivery(target: string, gateway: string | undefined): SendPlan {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    throw new KnError(`cannot send to '${target}': not a valid URL`, 'SKIFF_ERR_CLI_EVENT_TARGET');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new KnError(`cannot send to '${target}': only http and https URLs are supported`, 'SKIFF_ERR_CLI_EVENT_TARGET');
  if (isLoopbackHostname(u.hostname) || u.protocol === 'https:') return { url: target, via: 'direct' };
  if (gateway) {
    const gw = new URL(gateway);
    return { url: `${gw.protocol}//${gw.host}${u.pathname}${u.search}`, host: u.host, via: 'gateway' };
  }
  if (clusterHost(u.hostname))
    throw new KnError(
      `cannot reach '${target}': it is a cluster address and no Skiff gateway is known (pass --gateway URL, set SKIFF_GATEWAY, or start \`skiff up\`, which records it in <data-dir>/api.json)`,
      'SKIFF_ERR_CLI_NO_GATEWAY',
    );
  return { url: target, via: 'direct' };
}

export interface SendResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;
}

/** POST one encoded event; network failures become a KnError naming the address. */
export async function postEvent(plan: SendPlan, message: { headers: Record<string, string>; body: Buffer }, timeoutMs: number, signal?: AbortSignal): Promise<SendResult> {
  const headers: Record<string, string> = { ...message.headers, 'user-agent': 'skiff-cli' };
  if (plan.host) headers.host = plan.host;
  try {
    const res = await request(plan.url, { method: 'POST', headers, body: message.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal });
    const body = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { cause?: { code?: string } };
    const code = err.code ?? err.cause?.code;
    const where = plan.via === 'gateway' ? `the Skiff gateway at ${new URL(plan.url).origin}` : new URL(plan.url).origin;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') throw new KnError(`can't send event: no answer from ${where} within ${Math.round(timeoutMs / 1000)}s`, 'SKIFF_ERR_CLI_EVENT_TIMEOUT');
    throw new KnError(`can't send event: cannot connect to ${where}${code ? ` (${code})` : `: ${err.message}`}`, 'SKIFF_ERR_CLI_EVENT_UNREACHABLE');
  }
}
