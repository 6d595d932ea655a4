// In-memory channel with Knative InMemoryChannel semantics (eventing.md §1.8 step 4): every event
// is fanned out concurrently to every subscriber, each with its own retry policy, reply
// destination and dead-letter sink. Volatile: nothing is stored; close() abandons in-flight
// deliveries and a process exit loses them. No ordering guarantee.
//
// Like Knative's default (synchronous) handler, publish() resolves only when every subscriber's
// delivery finished (including retries and the DLS) and rejects with 500 if any subscriber's event
// ended nowhere, or after `fanoutTimeoutMs` (Knative: 15 min). So a producer waits for the slowest
// subscriber — the behaviour behind knative/eventing#6833. `asyncHandler: true` (Knative's
// `messaging.knative.dev/async-handler` annotation) answers at once and fans out in the background.

import { setMaxListeners } from 'node:events';
import type { CloudEventRecord } from '../../cloudevents/event.js';
import { type CompiledSubscriber, type SubscriberSpec, compileSubscriber, deliverToSubscriber, subscriberWants } from '../../dispatcher/subscriber.js';
import {
  type ChannelBackend,
  type ChannelDeps,
  type ChannelStats,
  type SubscriberStats,
  ChannelError,
  channelClosedError,
  emptySubscriberStats,
  recordDeliveryResult,
} from '../channel.js';

export const DEFAULT_FANOUT_TIMEOUT_MS = 15 * 60 * 1000;

export interface MemoryChannelOptions {
  deps: ChannelDeps;
  /** Answer publish() before fanning out (events may be lost). Default false. */
  asyncHandler?: boolean;
  /** Synchronous mode: publish() rejects after this long; deliveries carry on. Default 15 min. */
  fanoutTimeoutMs?: number;
  /** Used in error messages, e.g. `channel default/imc01`. */
  name?: string;
}

interface MemorySubscriber {
  compiled: CompiledSubscriber;
  stats: SubscriberStats;
}

export class MemoryChannel implements ChannelBackend {
  readonly kind = 'memory';
  private subscribers: MemorySubscriber[] = [];
  private readonly abort = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private published = 0;
  private closed = false;
  private readonly asyncHandler: boolean;
  private readonly fanoutTimeoutMs: number;
  private readonly name: string;

  constructor(private readonly options: MemoryChannelOptions) {
    this.asyncHandler = options.asyncHandler ?? false;
    this.fanoutTimeoutMs = options.fanoutTimeoutMs ?? DEFAULT_FANOUT_TIMEOUT_MS;
    this.name = options.name ?? 'in-memory channel';
    // One listener per in-flight request/sleep: thousands are normal, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  async publish(events: readonly CloudEventRecord[]): Promise<void> {
    if (this.closed) throw channelClosedError(this.name);
    this.published += events.length;
    const subs = this.subscribers;
    if (subs.length === 0 || events.length === 0) return;
    const work: Promise<boolean>[] = [];
    for (const event of events) for (const sub of subs) work.push(this.deliverOne(event, sub));
    const all = Promise.all(work);
    this.pending.add(all);
    void all.finally(() => this.pending.delete(all));
    if (this.asyncHandler) return;

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.fanoutTimeoutMs);
    });
    const outcome = await Promise.race([all, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new ChannelError('SKIFF_ERR_CHANNEL_FANOUT_TIMEOUT', 500, `${this.name}: fan-out did not finish within ${this.fanoutTimeoutMs} ms`);
    }
    if (this.closed) throw channelClosedError(this.name);
    const failed = outcome.filter((ok) => !ok).length;
    if (failed > 0) {
      throw new ChannelError('SKIFF_ERR_CHANNEL_FANOUT_FAILED', 500, `${this.name}: ${failed} of ${outcome.length} subscriber deliveries failed with no dead-letter sink to take the event`);
    }
  }

  private async deliverOne(event: CloudEventRecord, sub: MemorySubscriber): Promise<boolean> {
    if (!subscriberWants(sub.compiled, event)) {
      sub.stats.filtered++;
      return true;
    }
    sub.stats.inFlight++;
    try {
      const result = await deliverToSubscriber(event, sub.compiled, this.options.deps, this.abort.signal);
      return recordDeliveryResult(sub.stats, result);
    } finally {
      sub.stats.inFlight--;
    }
  }

  setSubscribers(specs: readonly SubscriberSpec[]): void {
    const byUid = new Map(this.subscribers.map((s) => [s.compiled.uid, s]));
    // Compile everything first so a bad spec leaves the current set untouched.
    const compiled = specs.map(compileSubscriber);
    this.subscribers = compiled.map((c) => ({ compiled: c, stats: byUid.get(c.uid)?.stats ?? emptySubscriberStats(c.uid) }));
  }

  stats(): ChannelStats {
    return { kind: this.kind, published: this.published, subscribers: this.subscribers.map((s) => ({ ...s.stats })) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(channelClosedError(this.name));
    await Promise.allSettled([...this.pending]);
  }

  destroy(): Promise<void> {
    return this.close();
  }
}
