// Durable channel backend on the embedded event log (event-log.ts): publish() resolves once the
// events are committed; each subscriber then reads the stream from its own durable cursor and
// delivers independently, so a slow or failing subscriber never blocks producers or the other
// subscribers (unlike Knative's InMemoryChannel-backed broker, knative/eventing#6833).
//
// Per subscriber:
//   ordered   — one event in flight; events reach the subscriber in log order (a failing event
//               holds back the ones behind it until it is delivered, dead-lettered or dropped).
//   unordered — (default) up to `window` events in flight; the cursor moves only over a finished
//               prefix (contiguous commit, as Kafka's unordered mode), so a crash redelivers at
//               most the window.
// An event is finished when it was delivered (incl. its reply), filtered out, dead-lettered, or
// failed with no dead-letter sink configured (then it is dropped and counted — as the Kafka broker
// does). If the dead-letter sink itself fails the event is NOT finished: we keep retrying the DLS
// (backoff 1 s doubling to 60 s) for as long as it takes.
//
// Guarantee: at-least-once per subscriber across restarts. close() aborts in-flight deliveries;
// after reopening, delivery resumes from the cursors, so events in flight at close/crash time may
// be delivered twice (duplicates are reported in stats by the tests, never silently lost).

import { setMaxListeners } from 'node:events';
import type { CloudEventRecord } from '../../cloudevents/event.js';
import { ContiguousCommitTracker } from '../../dispatcher/commit-window.js';
import {
  type CompiledSubscriber,
  type SubscriberDeliveryResult,
  type SubscriberSpec,
  compileSubscriber,
  deliverToSubscriber,
  sendToDeadLetter,
  subscriberWants,
} from '../../dispatcher/subscriber.js';
import {
  type ChannelBackend,
  type ChannelDeps,
  type ChannelStats,
  type SubscriberStats,
  channelClosedError,
  emptySubscriberStats,
  recordDeliveryResult,
} from '../channel.js';
import type { EventLog, LogStream, RetentionPolicy, StoredEvent } from './event-log.js';

export const DEFAULT_UNORDERED_WINDOW = 100;

export interface LogChannelOptions {
  log: EventLog;
  /** Stream key in the log, e.g. `broker/default/b1`. */
  key: string;
  deps: ChannelDeps;
  retention?: RetentionPolicy;
  /** In-flight events per unordered subscriber. Default 100. */
  window?: number;
  /** Wait between rounds of retrying a failing dead-letter sink. Default 1 s doubling to 60 s. */
  deadLetterRetry?: { initialMs: number; maxMs: number };
  /** Events read from SQLite at a time by a subscriber that fell out of the in-memory tail. */
  readBatch?: number;
  /** Used in error messages. */
  name?: string;
}

export class LogChannel implements ChannelBackend {
  readonly kind = 'log';
  readonly stream: LogStream;
  private readonly subscribers = new Map<string, LogSubscriber>();
  private published = 0;
  private closed = false;
  private readonly onCommit = (): void => {
    for (const s of this.subscribers.values()) s.pump();
  };

  constructor(readonly options: LogChannelOptions) {
    this.stream = options.log.stream(options.key, options.retention);
    this.stream.listeners.add(this.onCommit);
  }

  get name(): string {
    return this.options.name ?? `log channel ${this.options.key}`;
  }

  async publish(events: readonly CloudEventRecord[]): Promise<void> {
    if (this.closed) throw channelClosedError(this.name);
    await this.options.log.append(this.stream, events);
    this.published += events.length;
  }

  setSubscribers(specs: readonly SubscriberSpec[]): void {
    if (this.closed) throw channelClosedError(this.name);
    const compiled = specs.map(compileSubscriber);
    const wanted = new Set(compiled.map((c) => c.uid));
    for (const [uid, sub] of this.subscribers) {
      if (wanted.has(uid)) continue;
      sub.stop();
      this.subscribers.delete(uid);
      this.options.log.detachCursor(this.stream, uid);
    }
    for (const c of compiled) {
      const existing = this.subscribers.get(c.uid);
      if (existing !== undefined) {
        existing.update(c);
      } else {
        const committed = this.options.log.attachCursor(this.stream, c.uid);
        const sub = new LogSubscriber(this, c, committed);
        this.subscribers.set(c.uid, sub);
      }
    }
    for (const s of this.subscribers.values()) s.pump();
  }

  stats(): ChannelStats {
    return { kind: this.kind, published: this.published, subscribers: [...this.subscribers.values()].map((s) => s.snapshot()) };
  }

  /** Resolves when every subscriber has finished every committed event (tests, benchmarks). */
  async drained(pollMs = 5): Promise<void> {
    for (;;) {
      let idle = true;
      for (const s of this.subscribers.values()) if (s.committed < this.stream.head) idle = false;
      if (idle || this.closed) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream.listeners.delete(this.onCommit);
    await Promise.all([...this.subscribers.values()].map((s) => s.stop()));
  }

  async destroy(): Promise<void> {
    await this.close();
    this.options.log.dropStream(this.stream);
  }
}

class LogSubscriber {
  private compiled: CompiledSubscriber;
  private readonly stats: SubscriberStats;
  private readonly tracker: ContiguousCommitTracker;
  private nextRead: number;
  private window: number;
  private buffer: StoredEvent[] = [];
  private stopped = false;
  private pumping = false;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly channel: LogChannel,
    compiled: CompiledSubscriber,
    committed: number,
  ) {
    this.compiled = compiled;
    this.stats = emptySubscriberStats(compiled.uid);
    this.stats.lag = 0;
    this.stats.lostToRetention = 0;
    this.tracker = new ContiguousCommitTracker(committed);
    this.nextRead = committed + 1;
    this.window = this.windowFor(compiled);
    // One listener per in-flight request/sleep: up to the window, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  get committed(): number {
    return this.tracker.committed;
  }

  private windowFor(c: CompiledSubscriber): number {
    return c.ordering === 'ordered' ? 1 : Math.max(1, this.channel.options.window ?? DEFAULT_UNORDERED_WINDOW);
  }

  /** New spec for the same uid; deliveries already in flight finish with the old one. */
  update(compiled: CompiledSubscriber): void {
    this.compiled = compiled;
    this.window = this.windowFor(compiled);
  }

  snapshot(): SubscriberStats {
    return { ...this.stats, lag: this.channel.stream.head - this.tracker.committed };
  }

  /** Start as many deliveries as the window allows. Synchronous; re-entrant calls are ignored. */
  pump(): void {
    if (this.stopped || this.pumping) return;
    this.pumping = true;
    try {
      const stream = this.channel.stream;
      while (this.tracker.inFlight < this.window && this.nextRead < stream.committedNextSeq) {
        const seq = this.nextRead;
        if (seq < stream.firstSeq) {
          // Retention deleted events this subscriber had not finished: skip to the oldest kept.
          this.stats.lostToRetention! += stream.firstSeq - seq;
          this.skipTo(stream.firstSeq);
          continue;
        }
        const event = this.eventAt(seq);
        if (event === undefined) {
          // Pruned between the check above and the read.
          this.stats.lostToRetention!++;
          this.skipTo(seq + 1);
          continue;
        }
        this.nextRead = seq + 1;
        this.tracker.begin(seq);
        if (!subscriberWants(this.compiled, event)) {
          this.stats.filtered++;
          this.finish(seq);
          continue;
        }
        this.startDelivery(seq, event, this.compiled);
      }
    } finally {
      this.pumping = false;
    }
  }

  private skipTo(seq: number): void {
    this.nextRead = seq;
    this.tracker.begin(seq - 1);
    this.finish(seq - 1);
  }

  private eventAt(seq: number): CloudEventRecord | undefined {
    const stream = this.channel.stream;
    const cached = stream.tailEvent(seq);
    if (cached !== undefined) return cached;
    let i = this.buffer.length > 0 ? seq - this.buffer[0]!.seq : -1;
    if (i < 0 || i >= this.buffer.length || this.buffer[i]!.seq !== seq) {
      this.buffer = this.channel.options.log.readFrom(stream, seq, this.channel.options.readBatch ?? 256);
      i = 0;
      if (this.buffer.length === 0 || this.buffer[0]!.seq !== seq) return undefined;
    }
    const event = this.buffer[i]!.event;
    if (i === this.buffer.length - 1) this.buffer = [];
    return event;
  }

  private finish(seq: number): void {
    if (this.tracker.complete(seq)) this.channel.options.log.commitCursor(this.channel.stream, this.compiled.uid, this.tracker.committed);
  }

  private startDelivery(seq: number, event: CloudEventRecord, sub: CompiledSubscriber): void {
    this.stats.inFlight++;
    const p = this.deliver(seq, event, sub).finally(() => {
      this.stats.inFlight--;
      this.inFlight.delete(p);
      this.pump();
    });
    this.inFlight.add(p);
  }

  private async deliver(seq: number, event: CloudEventRecord, sub: CompiledSubscriber): Promise<void> {
    const { deps } = this.channel.options;
    const signal = this.abort.signal;
    let result: SubscriberDeliveryResult = await deliverToSubscriber(event, sub, deps, signal);
    const retry = this.channel.options.deadLetterRetry ?? { initialMs: 1000, maxMs: 60_000 };
    let waitMs = retry.initialMs;
    while (result.kind === 'deadLetterFailed' && !this.stopped) {
      this.stats.deadLetterRetries++;
      try {
        await deps.sleep(waitMs, signal);
      } catch {
        return;
      }
      waitMs = Math.min(waitMs * 2, retry.maxMs);
      result = await sendToDeadLetter(result.deadLetterEvent, result.failure, sub, deps, signal);
    }
    // Aborted (closing / subscriber removed): not finished — redelivered after a restart.
    if (result.kind === 'aborted') return;
    recordDeliveryResult(this.stats, result);
    this.finish(seq);
  }

  /** Stop delivering; in-flight deliveries are aborted and not marked finished. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.abort.abort(new Error('subscriber stopped'));
    }
    await Promise.allSettled([...this.inFlight]);
  }
}
