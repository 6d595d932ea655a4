// A minimal informer for the node agent and the workload controllers: list,
// then watch from the list's resourceVersion, keep a cache keyed by
// namespace/name, and relist on 410 Gone (or after a delay on other errors),
// turning the difference into synthetic events so handlers never miss a
// delete. The shared controller runtime (src/controller/) has the full
// version; this one exists so the agent does not depend on it.
import type { KObject } from '../api/meta.js';
import type { ApiClient, ListOptions, WatchHandle } from '../client/client.js';
import { silentLogger, type Clock, type Logger, type TimerHandle } from './deps.js';

export type WatchLoopEvent = 'upsert' | 'delete';

export function keyOf(o: KObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export class WatchLoop {
  private readonly cache = new Map<string, KObject>();
  private handle?: WatchHandle;
  private retry?: TimerHandle;
  private stopped = false;
  private generation = 0;

  constructor(
    private readonly client: ApiClient,
    readonly gr: string,
    private readonly opts: ListOptions,
    private readonly onEvent: (type: WatchLoopEvent, obj: KObject) => void,
    private readonly deps: { clock: Clock; logger?: Logger; retryMs?: number },
  ) {}

  /** Resolves after the first list has been delivered to the handler. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.handle?.stop();
    this.handle = undefined;
    this.deps.clock.clearTimeout(this.retry);
  }

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(): KObject[] {
    return [...this.cache.values()];
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.handle?.stop();
    this.handle = undefined;
    let res;
    try {
      res = await this.client.list(this.gr, this.opts);
    } catch (e) {
      this.scheduleRelist(e as Error);
      return;
    }
    if (gen !== this.generation || this.stopped) return;
    const seen = new Set<string>();
    for (const o of res.items) {
      const k = keyOf(o);
      seen.add(k);
      const old = this.cache.get(k);
      this.cache.set(k, o);
      if (!old || old.metadata.resourceVersion !== o.metadata.resourceVersion || old.metadata.uid !== o.metadata.uid) this.safe('upsert', o);
    }
    for (const [k, o] of [...this.cache]) {
      if (seen.has(k)) continue;
      this.cache.delete(k);
      this.safe('delete', o);
    }
    this.handle = this.client.watch(
      this.gr,
      { ...this.opts, resourceVersion: res.resourceVersion },
      (ev) => {
        if (gen !== this.generation) return;
        if (ev.type === 'BOOKMARK') return;
        if (ev.type === 'ERROR') return this.scheduleRelist(Object.assign(new Error('watch error event'), { status: (ev.object as any)?.code }));
        const k = keyOf(ev.object);
        if (ev.type === 'DELETED') {
          this.cache.delete(k);
          this.safe('delete', ev.object);
        } else {
          this.cache.set(k, ev.object);
          this.safe('upsert', ev.object);
        }
      },
      (err) => {
        if (gen === this.generation) this.scheduleRelist(err);
      },
    );
  }

  private scheduleRelist(err: Error & { status?: number }): void {
    if (this.stopped) return;
    this.generation++;
    this.handle?.stop();
    this.handle = undefined;
    const delay = err.status === 410 ? 0 : this.deps.retryMs ?? 1000;
    if (err.status !== 410) (this.deps.logger ?? silentLogger).warn('watch failed; relisting', { gr: this.gr, error: err.message });
    this.deps.clock.clearTimeout(this.retry);
    this.retry = this.deps.clock.setTimeout(() => void this.relist(), delay);
  }

  private safe(type: WatchLoopEvent, o: KObject): void {
    try {
      this.onEvent(type, o);
    } catch (e) {
      (this.deps.logger ?? silentLogger).error('watch handler failed', { gr: this.gr, error: (e as Error).message });
    }
  }
}

/**
 * Serial, de-duplicating work queue: a key queued while it is being worked
 * on runs again afterwards (once); `requeueAfter` schedules a later run.
 * Handlers for different keys run one at a time (enough for embedded scale).
 */
export class KeyedQueue {
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, TimerHandle>();
  private active?: string;
  private draining = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly deps: { clock: Clock; logger?: Logger; retryMs?: number },
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.draining) void this.drain();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const old = this.timers.get(key);
    if (old) this.deps.clock.clearTimeout(old);
    this.timers.set(
      key,
      this.deps.clock.setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  private async drain(): Promise<void> {
    this.draining = true;
    // Let a burst of events coalesce before working.
    await Promise.resolve();
    while (this.pending.size && !this.stopped) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.active = key;
      try {
        await this.work(key);
      } catch (e) {
        (this.deps.logger ?? silentLogger).warn('reconcile failed; retrying', { key, error: (e as Error).message });
        this.addAfter(key, this.deps.retryMs ?? 500);
      }
      this.active = undefined;
    }
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when nothing is queued or running (timers may still be pending). */
  idle(): Promise<void> {
    if (!this.draining && !this.pending.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.deps.clock.clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
