// The channel data plane: one request handler for every channel (Knative's imc-dispatcher), routed
// by Host `{name}-kn-channel.{namespace}.svc.cluster.local` (any port) — or, as Knative's TLS
// addresses do, by path `/{namespace}/{name}` — and a backend per channel:
//   memory — InMemoryChannel semantics (volatile; the producer waits for the fan-out unless
//            asyncHandler, Knative's `messaging.knative.dev/async-handler` annotation)
//   log    — the durable embedded event log (202 = committed; per-subscription cursors)
// Controllers call upsertChannel with the channel's resolved `spec.subscribers` (Knative's
// SubscriberSpec: uid, subscriberUri, replyUri, delivery with a resolved DLS) whenever they change.
// A subscription without `delivery` uses the channel's `delivery` as a whole (Knative).
// Unknown host/path → 404; the rest of the HTTP rules come from createCloudEventIngress.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { createCloudEventIngress, type IngressResponse } from '../cloudevents/ingress.js';
import type { DeliveryPolicy } from '../delivery/delivery-spec.js';
import type { Clock, SendFn } from '../delivery/dispatcher.js';
import type { ChannelBackend, ChannelDeps, ChannelStats, DeliveryOrdering, SubscriberSpec } from './channel.js';
import type { EventLogOptions, RetentionPolicy } from './log/event-log.js';
import { LazyEventLog, createChannelBackend, planeDeps, replyPlainText } from './plane-support.js';

export type ChannelBackendKind = 'memory' | 'log';

export interface ChannelSubscriberConfig {
  /** Subscription uid. */
  uid: string;
  /** `physicalSubscription.subscriberUri`; absent → events go straight to the reply. */
  subscriberUri?: string;
  /** `physicalSubscription.replyUri`; absent → replies are dropped. */
  replyUri?: string;
  /** Compiled subscription `delivery`; absent → the channel's. */
  delivery?: DeliveryPolicy;
  /** Resolved `deadLetterSinkUri`; overrides the DLS inside `delivery`. */
  deadLetterUri?: string;
  /** log backend only. Default `unordered`. */
  ordering?: DeliveryOrdering;
}

export interface ChannelConfig {
  backend: ChannelBackendKind;
  subscribers?: readonly ChannelSubscriberConfig[];
  /** The channel's compiled `spec.delivery`: default for subscriptions without one. */
  delivery?: DeliveryPolicy;
  /** The channel's resolved dead-letter sink. */
  deadLetterUri?: string;
  /** memory backend: answer before fanning out. */
  asyncHandler?: boolean;
  /** log backend: retention. */
  retention?: RetentionPolicy;
}

export interface ChannelPlaneOptions {
  /** Skiff data directory; log-backed channels live in `{dataDir}/eventing/channel-log.db`. */
  dataDir: string;
  send?: SendFn;
  clock?: Clock;
  sleep?: ChannelDeps['sleep'];
  log?: Omit<EventLogOptions, 'file' | 'clock'>;
  window?: number;
  maxBodyBytes?: number;
}

export class ChannelPlaneError extends Error {
  constructor(
    readonly code: 'SKIFF_ERR_CHANNEL_BACKEND' | 'SKIFF_ERR_CHANNEL_PLANE_CLOSED',
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'ChannelPlaneError';
  }
}

/** The host a channel is addressed by, as Knative writes it into `status.address.url`. */
export function channelHost(ns: string, name: string): string {
  return `${name}-kn-channel.${ns}.svc.cluster.local`;
}

const HOST_PATTERN = /^(.+)-kn-channel\.([^.]+)\.svc(?:\.cluster\.local)?\.?$/;

/** Namespace and name from a Host header (`imc1-kn-channel.default.svc.cluster.local:8080`). */
export function parseChannelHost(host: string | undefined): { ns: string; name: string } | undefined {
  if (host === undefined) return undefined;
  let h = host.trim().toLowerCase();
  const colon = h.lastIndexOf(':');
  if (colon !== -1 && !h.includes(']')) h = h.slice(0, colon);
  const m = HOST_PATTERN.exec(h);
  return m === null ? undefined : { ns: m[2]!, name: m[1]! };
}

interface ChannelEntry {
  readonly ns: string;
  readonly name: string;
  config: ChannelConfig;
  readonly backend: ChannelBackend;
  readonly ingress: (req: IncomingMessage, res: ServerResponse) => void;
  readonly headers: Record<string, string>;
}

const keyOf = (ns: string, name: string): string => `${ns}/${name}`;
const streamKeyOf = (ns: string, name: string): string => `channel/${ns}/${name}`;

// Knative's channel receiver sets `Allow: POST, OPTIONS` on its answers (the seed's curl -v shows
// it on the 202); one shared response object, so accepting an event allocates nothing more.
const ACCEPTED: IngressResponse = Object.freeze({ status: 202, headers: Object.freeze({ allow: 'POST, OPTIONS' }) as Record<string, string> });
const acceptedByChannel = (): IngressResponse => ACCEPTED;

export class ChannelPlane {
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly deps: ChannelDeps;
  private readonly ownedSender: { close(): Promise<void> } | undefined;
  private readonly eventLog: LazyEventLog;
  private closed = false;
  private readonly nonPostIngress: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(private readonly options: ChannelPlaneOptions) {
    ({ deps: this.deps, ownedSender: this.ownedSender } = planeDeps(options));
    this.eventLog = new LazyEventLog(join(options.dataDir, 'eventing', 'channel-log.db'), options.log, this.deps.clock);
    this.nonPostIngress = createCloudEventIngress({
      onEvents: () => {
        throw new ChannelPlaneError('SKIFF_ERR_CHANNEL_BACKEND', 404, 'not found');
      },
    });
  }

  /** Create the channel or update its subscribers / delivery. The backend cannot change. */
  upsertChannel(ns: string, name: string, config: ChannelConfig): void {
    if (this.closed) throw new ChannelPlaneError('SKIFF_ERR_CHANNEL_PLANE_CLOSED', 503, 'the channel plane is closed');
    if (config.backend !== 'memory' && config.backend !== 'log') {
      throw new ChannelPlaneError('SKIFF_ERR_CHANNEL_BACKEND', 400, `unknown channel backend ${JSON.stringify(config.backend)}: use "memory" or "log"`);
    }
    const key = keyOf(ns, name);
    let entry = this.channels.get(key);
    if (entry !== undefined && entry.config.backend !== config.backend) {
      throw new ChannelPlaneError('SKIFF_ERR_CHANNEL_BACKEND', 400, `channel ${key} uses the ${entry.config.backend} backend; it cannot change (delete and re-create the channel)`);
    }
    if (entry === undefined) {
      const label = `channel ${key}`;
      const backend: ChannelBackend = createChannelBackend(
        { durable: config.backend === 'log', key: streamKeyOf(ns, name), name: label, deps: this.deps, retention: config.retention, window: this.options.window, asyncHandler: config.asyncHandler },
        this.eventLog,
      );
      const created: ChannelEntry = {
        ns,
        name,
        config,
        backend,
        headers: { 'kn-namespace': ns },
        ingress: createCloudEventIngress({
          maxBodyBytes: this.options.maxBodyBytes,
          onEvents: (events: CloudEventRecord[]) => backend.publish(events).then(acceptedByChannel),
        }),
      };
      entry = created;
      this.channels.set(key, entry);
    } else {
      entry.config = config;
      if (config.retention !== undefined && config.backend === 'log') this.eventLog.get().stream(streamKeyOf(ns, name), config.retention);
    }
    entry.backend.setSubscribers((config.subscribers ?? []).map((s) => this.subscriberFor(entry!, s)));
  }

  private subscriberFor(entry: ChannelEntry, s: ChannelSubscriberConfig): SubscriberSpec {
    const ch = entry.config;
    const delivery = s.delivery ?? ch.delivery;
    const deadLetterUri = s.deadLetterUri ?? (s.delivery !== undefined ? s.delivery.deadLetterSinkUri : (ch.deadLetterUri ?? ch.delivery?.deadLetterSinkUri));
    const spec: SubscriberSpec = { uid: s.uid, headers: entry.headers, nonEventReply: 'ignore' };
    if (s.subscriberUri !== undefined) spec.subscriberUri = s.subscriberUri;
    if (s.replyUri !== undefined) spec.replyUri = s.replyUri;
    if (delivery !== undefined) spec.delivery = delivery;
    if (deadLetterUri !== undefined) spec.deadLetterUri = deadLetterUri;
    if (s.ordering !== undefined) spec.ordering = s.ordering;
    return spec;
  }

  async deleteChannel(ns: string, name: string): Promise<void> {
    const key = keyOf(ns, name);
    const entry = this.channels.get(key);
    if (entry !== undefined) {
      this.channels.delete(key);
      await entry.backend.destroy();
      return;
    }
    this.eventLog.dropLeftoverStream(streamKeyOf(ns, name));
  }

  /** The channel request handler (route by Host, or by `/{namespace}/{name}`). */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      this.nonPostIngress(req, res);
      return;
    }
    let target = parseChannelHost(req.headers.host);
    if (target === undefined) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const parts = (q === -1 ? url : url.slice(0, q)).replace(/\/$/, '').split('/');
      if (parts.length === 3 && parts[1] !== '' && parts[2] !== '') target = { ns: parts[1]!, name: parts[2]! };
    }
    const entry = target === undefined ? undefined : this.channels.get(keyOf(target.ns, target.name));
    if (entry === undefined) {
      const what = target === undefined ? `host ${JSON.stringify(req.headers.host ?? '')}` : `channel ${target.ns}/${target.name}`;
      replyPlainText(req, res, 404, `no channel for ${what}: address channels as {name}-kn-channel.{namespace}.svc.cluster.local`);
      return;
    }
    entry.ingress(req, res);
  };

  stats(ns: string, name: string): ChannelStats | undefined {
    return this.channels.get(keyOf(ns, name))?.backend.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const entries = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(entries.map((e) => e.backend.close()));
    await this.eventLog.close();
    await this.ownedSender?.close();
  }
}
