// Kubernetes Events for reconcilers (client-go's record.EventRecorder, reduced):
// `recorder.event(obj, 'Warning', 'InternalError', msg)` writes a `v1` Event in
// `core/events` so `kubectl describe` and `kn … describe` show it. Identical
// repeats (same object, type, reason, message, source) bump `count` and
// `lastTimestamp` on the existing Event instead of creating new ones. Writes
// are fire-and-forget: failures are logged, never thrown into a reconciler.
// Not done (client-go has them): per-object spam filtering and aggregation of
// similar-but-different messages.
import type { ApiClient } from '../client/client.js';
import type { KObject } from '../api/meta.js';
import { realClock, rfc3339, type Clock } from './clock.js';
import { formatMessage } from './conditions.js';
import type { EventType } from './errors.js';
import { silentLogger, type Logger } from './logger.js';

export type { EventType } from './errors.js';

export const EVENTS_GR = 'core/events';
/** Kubernetes caps event messages; longer ones are cut with an ellipsis. */
const MAX_MESSAGE = 1024;

export interface EventRecorder {
  event(obj: KObject, type: EventType, reason: string, message: string): void;
  /** Go-style format (%s %v %d %q) like record.Eventf. */
  eventf(obj: KObject, type: EventType, reason: string, format: string, ...args: unknown[]): void;
}

export interface ApiEventRecorderOptions {
  /** `source.component`, e.g. `service-controller`. */
  component: string;
  /** `source.host` / reportingInstance. */
  host?: string;
  clock?: Clock;
  logger?: Logger;
  /** How many distinct events to remember for de-duplication (LRU). */
  cacheSize?: number;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
  firstTimestamp: string;
}

export class ApiEventRecorder implements EventRecorder {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly cacheSize: number;
  /** Dedup key → the Event we wrote (Map order doubles as LRU order). */
  private readonly seen = new Map<string, Seen>();
  /** Per dedup key, the tail of its write chain, so count bumps never race. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly opts: ApiEventRecorderOptions,
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.cacheSize = opts.cacheSize ?? 4096;
  }

  event(obj: KObject, type: EventType, reason: string, message: string): void {
    try {
      this.enqueue(obj, type, reason, message);
    } catch (err) {
      this.log.error('failed to record event', { reason, error: err instanceof Error ? err.message : String(err) });
    }
  }

  eventf(obj: KObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    this.event(obj, type, reason, formatMessage(format, ...args));
  }

  /** Resolves when every event recorded so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private enqueue(obj: KObject, type: EventType, reason: string, rawMessage: string): void {
    const meta = obj.metadata;
    const message = rawMessage.length > MAX_MESSAGE ? rawMessage.slice(0, MAX_MESSAGE - 3) + '...' : rawMessage;
    const involvedObject: Record<string, string> = { apiVersion: obj.apiVersion, kind: obj.kind, name: meta.name ?? '' };
    if (meta.namespace) involvedObject.namespace = meta.namespace;
    if (meta.uid) involvedObject.uid = meta.uid;
    if (meta.resourceVersion) involvedObject.resourceVersion = meta.resourceVersion;
    const key = [this.opts.component, this.opts.host ?? '', obj.kind, meta.namespace ?? '', meta.name ?? '', meta.uid ?? '', obj.apiVersion, type, reason, message].join('\u0000');
    const now = rfc3339(this.clock.now());
    const write = async () => {
      const prev = this.seen.get(key);
      if (prev) {
        try {
          const count = prev.count + 1;
          await this.client.patch(EVENTS_GR, prev.namespace, prev.name, { count, lastTimestamp: now, message }, { type: 'merge' });
          prev.count = count;
          this.touch(key, prev);
          return;
        } catch (err) {
          if ((err as { status?: number }).status !== 404) throw err;
          this.seen.delete(key); // the Event expired or was deleted: start a new one
        }
      }
      const namespace = meta.namespace || 'default'; // cluster-scoped objects' events live in default, as in Kubernetes
      const ev: KObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${meta.name ?? 'unknown'}.${this.uniqueSuffix()}`, namespace },
        involvedObject,
        reason,
        message,
        type,
        source: this.opts.host ? { component: this.opts.component, host: this.opts.host } : { component: this.opts.component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: this.opts.component,
        reportingInstance: this.opts.host ?? '',
      };
      const created = await this.client.create(EVENTS_GR, ev);
      this.touch(key, { namespace, name: created.metadata.name ?? ev.metadata.name!, count: 1, firstTimestamp: now });
    };
    const tail = (this.chains.get(key) ?? Promise.resolve()).then(write).catch((err: unknown) => {
      this.log.error('failed to write event', {
        involvedObject: `${obj.kind} ${meta.namespace ?? ''}/${meta.name ?? ''}`,
        reason,
        error: err instanceof Error ? err.message : String(err),
      });
    });
    this.chains.set(key, tail);
    this.inFlight.add(tail);
    void tail.finally(() => {
      this.inFlight.delete(tail);
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    while (this.seen.size > this.cacheSize) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** Hex of a nanosecond-ish timestamp (client-go uses UnixNano), unique per recorder. */
  private uniqueSuffix(): string {
    const nanos = BigInt(Math.floor(this.clock.now())) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return nanos.toString(16);
  }
}

/**
 * Keeps events as `"<Type> <Reason> <message>"` strings, like knative's
 * record.FakeRecorder; table tests compare these.
 */
export class FakeEventRecorder implements EventRecorder {
  readonly events: string[] = [];
  event(_obj: KObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
  }
  eventf(obj: KObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    this.event(obj, type, reason, formatMessage(format, ...args));
  }
}

/** Drops every event (controllers that need none). */
export const nopEventRecorder: EventRecorder = { event() {}, eventf() {} };
