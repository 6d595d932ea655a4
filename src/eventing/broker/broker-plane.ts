// The broker data plane: the broker-ingress HTTP handler (`POST /{namespace}/{broker}`) and, per
// broker, one channel backend whose subscribers are the broker's triggers. Controllers drive it
// through upsertBroker / deleteBroker / upsertTrigger / deleteTrigger; they compile filters and
// delivery specs and resolve URIs, this module only moves events (eventing.md §1.4–1.5, §1.8).
//
// Broker classes (the `eventing.knative.dev/broker.class` annotation; what `kn broker create
// --class` takes and `kn broker describe` shows):
//   MTChannelBasedBroker — Knative's default class, backed (as in Knative) by an in-memory channel:
//                          fast, volatile, and the producer's POST waits for the fan-out
//                          (Knative's InMemoryChannel sync handler) unless asyncHandler is set.
//   SkiffLogBroker       — Skiff's durable class, backed by the embedded SQLite event log: 202
//                          means the event is committed to disk; triggers deliver independently
//                          from durable cursors (at-least-once across crashes). Named after the
//                          vendor-prefixed pattern of RabbitMQBroker / NatsJetStreamBroker so it
//                          can never collide with an upstream class.
//
// Per trigger, like Knative's broker filter: the filter runs per event (no match → nothing sent),
// the subscriber gets the event without `knativebrokerttl` and with `Prefer: reply` and
// `Kn-Namespace`; a reply gets the TTL back and re-enters the SAME broker (evaluated against every
// trigger, including the one that produced it); a 2xx answer whose non-empty body is not a
// CloudEvent is an error (502), retried and then dead-lettered, as Knative's MT broker filter
// answers 502 for it. Dead-lettered events carry knativeerrordest (the subscriber URL, or the
// broker address when the reply could not re-enter, e.g. TTL exhausted) / knativeerrorcode /
// knativeerrordata. Trigger delivery: the trigger's `delivery` if set, else the broker's, as a
// whole; the dead-letter sink falls back from trigger to broker.
//
// Not carried through the log: HTTP headers of the producer's request other than the CloudEvent
// itself (trace context travels as the `traceparent` extension when the producer sets it).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { createCloudEventIngress } from '../cloudevents/ingress.js';
import type { DeliveryPolicy } from '../delivery/delivery-spec.js';
import type { Clock, SendFn } from '../delivery/dispatcher.js';
import type { EventFilter } from '../filter/attributes.js';
import type { ChannelBackend, ChannelDeps, ChannelStats, DeliveryOrdering, SubscriberSpec } from '../channel/channel.js';
import type { EventLogOptions, RetentionPolicy } from '../channel/log/event-log.js';
import { LogChannel } from '../channel/log/log-channel.js';
import { LazyEventLog, createChannelBackend, planeDeps, replyPlainText } from '../channel/plane-support.js';
import { DEFAULT_BROKER_TTL, carryTtlToReply, stampIngressEvent, stripTtl } from './ttl.js';

export const BROKER_CLASS_MT = 'MTChannelBasedBroker';
export const BROKER_CLASS_LOG = 'SkiffLogBroker';
export type BrokerClass = typeof BROKER_CLASS_MT | typeof BROKER_CLASS_LOG;
export const BROKER_CLASSES: readonly BrokerClass[] = [BROKER_CLASS_MT, BROKER_CLASS_LOG];

/** Knative's broker ingress address prefix; the broker URL is `{base}/{ns}/{name}`. */
export const DEFAULT_BROKER_INGRESS_BASE = 'http://broker-ingress.knative-eventing.svc.cluster.local';

export interface BrokerConfig {
  class: BrokerClass;
  /** The broker's compiled `spec.delivery`: default for triggers without their own. */
  delivery?: DeliveryPolicy;
  /** The broker's resolved dead-letter sink (`status.deadLetterSinkUri`). */
  deadLetterUri?: string;
  /** SkiffLogBroker: retention of the broker's log (default 7 days / 1,000,000 events). */
  retention?: RetentionPolicy;
  /** MTChannelBasedBroker: answer producers before fanning out (`messaging.knative.dev/async-handler`). */
  asyncHandler?: boolean;
}

export interface TriggerConfig {
  name: string;
  uid: string;
  /** Compiled `spec.filter` / `spec.filters` (see filter/compileTriggerFilter). Absent = all events. */
  filter?: EventFilter;
  /** Resolved `status.subscriberUri`. */
  subscriberUri: string;
  /** The trigger's compiled `spec.delivery`; absent → the broker's delivery. */
  delivery?: DeliveryPolicy;
  /** Resolved `status.deadLetterSinkUri`; absent → trigger delivery's DLS, then the broker's. */
  deadLetterUri?: string;
  /** SkiffLogBroker: per-trigger event order (`ordered` = one in flight). Default `unordered`. */
  ordering?: DeliveryOrdering;
}

export interface BrokerPlaneOptions {
  /** Skiff data directory; the durable class keeps its log in `{dataDir}/eventing/broker-log.db`. */
  dataDir: string;
  /** Transport to subscribers; default an undici sender owned (and closed) by the plane. */
  send?: SendFn;
  clock?: Clock;
  sleep?: ChannelDeps['sleep'];
  /** Broker address prefix (used as knativeerrordest when a reply cannot re-enter). */
  ingressBaseUrl?: string;
  /** TTL given to events that arrive without one. Default 255 (Knative `MAX_TTL`). */
  maxTtl?: number;
  /** Event log settings (durability, tail cache, retention interval). */
  log?: Omit<EventLogOptions, 'file' | 'clock'>;
  /** In-flight events per unordered trigger (SkiffLogBroker). Default 100. */
  window?: number;
  /** Largest accepted request body. Default 4 MiB. */
  maxBodyBytes?: number;
}

export type BrokerErrorCode = 'SKIFF_ERR_BROKER_NOT_FOUND' | 'SKIFF_ERR_BROKER_PATH' | 'SKIFF_ERR_BROKER_CLASS' | 'SKIFF_ERR_BROKER_CLOSED';

export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

interface BrokerEntry {
  readonly ns: string;
  readonly name: string;
  readonly address: string;
  config: BrokerConfig;
  readonly backend: ChannelBackend;
  readonly ingress: (req: IncomingMessage, res: ServerResponse) => void;
  readonly headers: Record<string, string>;
  readonly replySink: (reply: CloudEventRecord, original: CloudEventRecord) => Promise<void>;
}

const keyOf = (ns: string, name: string): string => `${ns}/${name}`;
const streamKeyOf = (ns: string, name: string): string => `broker/${ns}/${name}`;

export class BrokerPlane {
  private readonly brokers = new Map<string, BrokerEntry>();
  /** Triggers by broker key; kept even while their broker does not exist (Knative: not ready). */
  private readonly triggers = new Map<string, Map<string, TriggerConfig>>();
  private readonly deps: ChannelDeps;
  private readonly ownedSender: { close(): Promise<void> } | undefined;
  private readonly baseUrl: string;
  private readonly maxTtl: number;
  private readonly eventLog: LazyEventLog;
  private closed = false;
  /** Answers OPTIONS (webhook handshake) and 405 for methods other than POST. */
  private readonly nonPostIngress: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(private readonly options: BrokerPlaneOptions) {
    ({ deps: this.deps, ownedSender: this.ownedSender } = planeDeps(options));
    this.eventLog = new LazyEventLog(join(options.dataDir, 'eventing', 'broker-log.db'), options.log, this.deps.clock);
    this.baseUrl = (options.ingressBaseUrl ?? DEFAULT_BROKER_INGRESS_BASE).replace(/\/+$/, '');
    this.maxTtl = options.maxTtl ?? DEFAULT_BROKER_TTL;
    this.nonPostIngress = createCloudEventIngress({
      onEvents: () => {
        throw new BrokerError('SKIFF_ERR_BROKER_PATH', 404, 'not found');
      },
    });
  }

  /** The broker's address as Knative writes it to `status.address.url`. */
  brokerAddress(ns: string, name: string): string {
    return `${this.baseUrl}/${ns}/${name}`;
  }

  /** Create the broker's data plane, or update its delivery defaults. The class cannot change. */
  upsertBroker(ns: string, name: string, config: BrokerConfig): void {
    this.assertOpen();
    if (!BROKER_CLASSES.includes(config.class)) {
      throw new BrokerError('SKIFF_ERR_BROKER_CLASS', 400, `unknown broker class ${JSON.stringify(config.class)}: use one of ${BROKER_CLASSES.join(', ')}`);
    }
    const key = keyOf(ns, name);
    const existing = this.brokers.get(key);
    if (existing !== undefined) {
      if (existing.config.class !== config.class) {
        throw new BrokerError('SKIFF_ERR_BROKER_CLASS', 400, `broker ${key} is of class ${existing.config.class}; the class is immutable (delete and re-create the broker)`);
      }
      existing.config = config;
      if (config.retention !== undefined && existing.backend instanceof LogChannel) {
        this.eventLog.get().stream(streamKeyOf(ns, name), config.retention);
      }
      this.syncTriggers(existing);
      return;
    }
    const entry = this.createEntry(ns, name, config);
    this.brokers.set(key, entry);
    this.syncTriggers(entry);
  }

  private createEntry(ns: string, name: string, config: BrokerConfig): BrokerEntry {
    const label = `broker ${ns}/${name}`;
    const backend: ChannelBackend = createChannelBackend(
      { durable: config.class === BROKER_CLASS_LOG, key: streamKeyOf(ns, name), name: label, deps: this.deps, retention: config.retention, window: this.options.window, asyncHandler: config.asyncHandler },
      this.eventLog,
    );
    const entry: BrokerEntry = {
      ns,
      name,
      address: this.brokerAddress(ns, name),
      config,
      backend,
      headers: { 'kn-namespace': ns },
      ingress: createCloudEventIngress({
        maxBodyBytes: this.options.maxBodyBytes,
        onEvents: (events) => this.ingest(entry, events),
      }),
      replySink: (reply, original) => this.ingest(entry, [carryTtlToReply(reply, original)]),
    };
    return entry;
  }

  /** Stamp arrival time and TTL, then hand the events to the broker's backend (202 once accepted). */
  private async ingest(entry: BrokerEntry, events: CloudEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    if (this.brokers.get(keyOf(entry.ns, entry.name)) !== entry) {
      throw new BrokerError('SKIFF_ERR_BROKER_NOT_FOUND', 404, `broker ${entry.ns}/${entry.name} not found`);
    }
    const arrival = new Date(this.deps.clock.now()).toISOString();
    // All-or-nothing for a batch: check every TTL before publishing any event.
    for (const event of events) stampIngressEvent(event, arrival, this.maxTtl);
    await entry.backend.publish(events);
  }

  /** Remove the broker: its ingress answers 404 and (durable class) its stored events are deleted. */
  async deleteBroker(ns: string, name: string): Promise<void> {
    const key = keyOf(ns, name);
    const entry = this.brokers.get(key);
    if (entry !== undefined) {
      this.brokers.delete(key);
      await entry.backend.destroy();
      return;
    }
    // A durable broker deleted while Skiff was down: drop what is left of its log.
    this.eventLog.dropLeftoverStream(streamKeyOf(ns, name));
  }

  /** Add or replace a trigger (by name) on broker `ns/broker`. The broker may not exist yet. */
  upsertTrigger(ns: string, broker: string, trigger: TriggerConfig): void {
    this.assertOpen();
    const key = keyOf(ns, broker);
    let set = this.triggers.get(key);
    if (set === undefined) {
      set = new Map();
      this.triggers.set(key, set);
    }
    set.set(trigger.name, trigger);
    const entry = this.brokers.get(key);
    if (entry !== undefined) this.syncTriggers(entry);
  }

  deleteTrigger(ns: string, broker: string, name: string): void {
    const key = keyOf(ns, broker);
    const set = this.triggers.get(key);
    if (set === undefined || !set.delete(name)) return;
    if (set.size === 0) this.triggers.delete(key);
    const entry = this.brokers.get(key);
    if (entry !== undefined && !this.closed) this.syncTriggers(entry);
  }

  private syncTriggers(entry: BrokerEntry): void {
    const set = this.triggers.get(keyOf(entry.ns, entry.name));
    const specs: SubscriberSpec[] = [];
    if (set !== undefined) for (const t of set.values()) specs.push(this.subscriberFor(entry, t));
    entry.backend.setSubscribers(specs);
  }

  private subscriberFor(entry: BrokerEntry, t: TriggerConfig): SubscriberSpec {
    const broker = entry.config;
    const delivery = t.delivery ?? broker.delivery;
    const deadLetterUri = t.deadLetterUri ?? t.delivery?.deadLetterSinkUri ?? broker.deadLetterUri ?? broker.delivery?.deadLetterSinkUri;
    const spec: SubscriberSpec = {
      uid: t.uid,
      subscriberUri: t.subscriberUri,
      headers: entry.headers,
      prepareEvent: stripTtl,
      replySink: entry.replySink,
      replyAddress: entry.address,
      nonEventReply: 'error',
    };
    if (t.filter !== undefined) spec.filter = t.filter;
    if (delivery !== undefined) spec.delivery = delivery;
    if (deadLetterUri !== undefined) spec.deadLetterUri = deadLetterUri;
    if (t.ordering !== undefined) spec.ordering = t.ordering;
    return spec;
  }

  /** The broker-ingress request handler: `POST /{namespace}/{broker}` with a CloudEvent. */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      this.nonPostIngress(req, res);
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    if (path === '/' || path === '') {
      replyPlainText(req, res, 404, 'not found: POST events to /{namespace}/{broker}');
      return;
    }
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const parts = path.split('/');
    if (parts.length !== 3 || parts[1] === '' || parts[2] === '') {
      replyPlainText(req, res, 400, `malformed request path ${JSON.stringify(path)}: expected /{namespace}/{broker}`);
      return;
    }
    const entry = this.brokers.get(keyOf(parts[1]!, parts[2]!));
    if (entry === undefined) {
      replyPlainText(req, res, 404, `broker ${parts[1]}/${parts[2]} not found`);
      return;
    }
    entry.ingress(req, res);
  };

  /** Delivery counters of a broker's triggers (subscriber uid = trigger uid). */
  stats(ns: string, name: string): ChannelStats | undefined {
    return this.brokers.get(keyOf(ns, name))?.backend.stats();
  }

  /** Test/benchmark helper: resolves when a durable broker's triggers finished every committed event. */
  async drained(ns: string, name: string): Promise<void> {
    const b = this.brokers.get(keyOf(ns, name))?.backend;
    if (b instanceof LogChannel) await b.drained();
  }

  /** Stop every broker (durable data stays), close the log and the owned HTTP sender. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const entries = [...this.brokers.values()];
    this.brokers.clear();
    await Promise.all(entries.map((e) => e.backend.close()));
    await this.eventLog.close();
    await this.ownedSender?.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new BrokerError('SKIFF_ERR_BROKER_CLOSED', 503, 'the broker plane is closed');
  }
}
