// The in-process Ping adapter (Knative's shared `pingsource-mt-adapter`,
// pkg/adapter/mtping): one scheduler for every ready PingSource. Each job is
// timed on the injected Clock — croner only computes the next fire time, it
// never owns a timer — so tests step a FakeClock instead of waiting a minute.
// Per tick: one CloudEvent (type dev.knative.sources.ping, source
// /apis/v1/namespaces/{ns}/pingsources/{name}, new UUID, time = tick,
// datacontenttype = spec.contentType, data = dataBase64 bytes else data bytes,
// ceOverrides extensions) sent with sdk-go's default retry (5 × exponential
// from 50 ms); a failure is logged and the event dropped, as in Knative.
// Knative adds 0–500 ms random jitter per tick; Skiff does not (one process,
// no thundering herd worth spreading).
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Clock, TimerHandle } from '../../controller/clock.js';
import type { Logger } from '../../controller/logger.js';
import type { CloudEventRecord } from '../cloudevents/event.js';
import type { DeliveryPolicy } from '../delivery/delivery-spec.js';
import { deliverWithRetry, type SendFn } from '../delivery/dispatcher.js';

export const PING_EVENT_TYPE = 'dev.knative.sources.ping';

export function pingEventSource(namespace: string, name: string): string {
  return `/apis/v1/namespaces/${namespace}/pingsources/${name}`;
}

/** What the adapter needs of one PingSource. */
export interface PingJob {
  namespace: string;
  name: string;
  schedule: string;
  timezone?: string;
  sinkUri: string;
  contentType?: string;
  data?: string;
  dataBase64?: string;
  extensions?: Record<string, string>;
}

/** sdk-go's client default: 5 retries, exponential from 50 ms. */
export const PING_DELIVERY: DeliveryPolicy = Object.freeze({ retry: 5, backoffPolicy: 'exponential', backoffDelayMs: 50, format: 'binary' });

/** The CloudEvent one tick of `job` sends at `nowMs`. Pure. */
export function makePingEvent(job: PingJob, id: string, nowMs: number): CloudEventRecord {
  const ev: CloudEventRecord = { specversion: '1.0', id, source: pingEventSource(job.namespace, job.name), type: PING_EVENT_TYPE, time: new Date(nowMs).toISOString() };
  if (job.contentType) ev.datacontenttype = job.contentType;
  if (job.dataBase64) ev.data = Buffer.from(job.dataBase64, 'base64');
  else if (job.data) ev.data = Buffer.from(job.data, 'utf8');
  for (const [k, v] of Object.entries(job.extensions ?? {})) if (!(k in ev)) ev[k] = v;
  return ev;
}

/** The first fire time strictly after `afterMs` (ms), or undefined when the schedule never fires again. */
export function nextPingTime(schedule: string, timezone: string | undefined, afterMs: number): number | undefined {
  const cron = new Cron(schedule.trim(), { paused: true, ...(timezone ? { timezone } : {}) });
  const next = cron.nextRun(new Date(afterMs));
  return next ? next.getTime() : undefined;
}

export interface PingAdapterDeps {
  clock: Clock;
  send: SendFn;
  logger?: Logger;
  newId?: () => string;
  /** Called after each tick's delivery settles (tests, metrics). */
  onSent?: (job: PingJob, event: CloudEventRecord, ok: boolean) => void;
}

interface Entry {
  job: PingJob;
  jobJson: string;
  timer?: TimerHandle;
}

export class PingAdapter {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;
  private readonly newId: () => string;

  constructor(private readonly deps: PingAdapterDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** Schedule (or reschedule, when anything changed) the job for `namespace/name`. */
  upsert(job: PingJob): void {
    const key = `${job.namespace}/${job.name}`;
    const jobJson = JSON.stringify(job);
    const cur = this.entries.get(key);
    if (cur && cur.jobJson === jobJson) return;
    if (cur) this.deps.clock.clearTimeout(cur.timer);
    const entry: Entry = { job, jobJson };
    this.entries.set(key, entry);
    this.arm(key, entry);
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const cur = this.entries.get(key);
    if (!cur) return;
    this.deps.clock.clearTimeout(cur.timer);
    this.entries.delete(key);
  }

  has(namespace: string, name: string): boolean {
    return this.entries.has(`${namespace}/${name}`);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) this.deps.clock.clearTimeout(e.timer);
    this.entries.clear();
  }

  private arm(key: string, entry: Entry): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    let next: number | undefined;
    try {
      next = nextPingTime(entry.job.schedule, entry.job.timezone, now);
    } catch (err) {
      this.deps.logger?.error('pingsource schedule rejected', { key, error: String(err) });
      return;
    }
    if (next === undefined) return;
    entry.timer = this.deps.clock.setTimeout(() => {
      if (this.entries.get(key) !== entry) return; // replaced or removed meanwhile
      this.fire(entry);
      this.arm(key, entry);
    }, next - now);
  }

  private fire(entry: Entry): void {
    const { clock, send } = this.deps;
    const event = makePingEvent(entry.job, this.newId(), clock.now());
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    deliverWithRetry(event, entry.job.sinkUri, PING_DELIVERY, { send, clock, sleep })
      .then((out) => {
        const ok = out.result === 'delivered';
        if (!ok) this.deps.logger?.warn('failed to send ping event', { source: event.source, status: out.lastStatus, error: out.lastError });
        this.deps.onSent?.(entry.job, event, ok);
      })
      .catch((err) => {
        this.deps.logger?.error('failed to send ping event', { source: event.source, error: String(err) });
        this.deps.onSent?.(entry.job, event, false);
      });
  }
}
