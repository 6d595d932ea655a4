// The contract every channel backend must pass (memory, log, later Kafka), run by each backend's
// test file: fan-out, Prefer: reply, reply forwarding, retries with backoff timing (fake sleep),
// dead-letter sink with knativeerror* extensions, filters, subscriber set changes, per-subscriber
// ordering, slow-subscriber isolation and — for durable backends — restart from cursors.
//
// The network is a fake SendFn (no sockets): handlers per URL, every request recorded. Sleeping is
// instant and recorded, so backoff timing is asserted exactly without waiting.

import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { toBinaryHttp } from '../cloudevents/http.js';
import { compileDeliveryPolicy, type DeliverySpec } from '../delivery/delivery-spec.js';
import type { SendOptions, SendResponse } from '../delivery/dispatcher.js';
import type { ChannelBackend, ChannelDeps, SubscriberSpec } from './channel.js';

export interface ContractCapabilities {
  /** Events and cursors survive close + reopen. */
  durable: boolean;
  /** Honours `ordering: 'ordered'`. */
  ordered: boolean;
  /** publish() resolves only after delivery (memory's synchronous handler). */
  publishWaitsForDelivery: boolean;
  /** A failing dead-letter sink is retried until it takes the event. */
  retriesDeadLetterSink: boolean;
}

export interface ContractInstance {
  backend: ChannelBackend;
  /** Durable backends: close this instance (and its storage) and open the same channel again. */
  reopen?(deps: ChannelDeps): Promise<ChannelBackend>;
  /** Release everything (called after each test). */
  cleanup(): Promise<void>;
}

export interface ContractHarness {
  capabilities: ContractCapabilities;
  create(deps: ChannelDeps): ContractInstance | Promise<ContractInstance>;
}

// ---------------------------------------------------------------------------------------------
// Fake network

export interface FakeRequest {
  url: string;
  event: CloudEventRecord;
  options: SendOptions;
}

export type FakeHandler = (req: FakeRequest) => Partial<SendResponse> | Promise<Partial<SendResponse>>;

/** In-process stand-in for HTTP: per-URL handlers, a log of every request, instant fake sleep. */
export class FakeNetwork {
  readonly requests: FakeRequest[] = [];
  readonly waits: number[] = [];
  private readonly handlers = new Map<string, FakeHandler>();
  private nowMs = Date.parse('2024-01-01T00:00:00Z');

  readonly deps: ChannelDeps = {
    clock: { now: () => this.nowMs },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      this.waits.push(ms);
      this.nowMs += ms;
      // Yield a macrotask so loops that sleep cannot starve the event loop.
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    },
    send: async (url, event, options) => {
      this.requests.push({ url, event, options });
      const handler = this.handlers.get(url);
      if (handler === undefined) return { status: 404, headers: {}, body: Buffer.alloc(0) };
      const pending = Promise.resolve(handler({ url, event, options }));
      const signal = options.signal;
      // Like a real transport, an abort (channel closing) ends a request that is still waiting.
      const r =
        signal === undefined
          ? await pending
          : await new Promise<Partial<SendResponse>>((resolve, reject) => {
              if (signal.aborted) return reject(signal.reason);
              const onAbort = () => reject(signal.reason);
              signal.addEventListener('abort', onAbort, { once: true });
              pending.then(
                (v) => {
                  signal.removeEventListener('abort', onAbort);
                  resolve(v);
                },
                (e) => {
                  signal.removeEventListener('abort', onAbort);
                  reject(e);
                },
              );
            });
      return { status: r.status ?? 200, headers: r.headers ?? {}, body: r.body ?? Buffer.alloc(0) };
    },
  };

  on(url: string, handler: FakeHandler): this {
    this.handlers.set(url, handler);
    return this;
  }

  /** Accept everything with 200/202. */
  sink(url: string): this {
    return this.on(url, () => ({ status: 202 }));
  }

  to(url: string): FakeRequest[] {
    return this.requests.filter((r) => r.url === url);
  }

  idsTo(url: string): string[] {
    return this.to(url).map((r) => r.event.id);
  }

  /** Move the fake clock (sleep moves it too). */
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** Poll until `check` is true (real time, 2 ms steps) or fail after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function makeEvent(id: string, extra: Partial<CloudEventRecord> = {}): CloudEventRecord {
  return { specversion: '1.0', id, source: '/contract', type: 'com.example.contract', data: { id }, ...extra };
}

/** A 200 response carrying `reply` as a binary-mode CloudEvent. */
export function replyWith(reply: CloudEventRecord): Partial<SendResponse> {
  const msg = toBinaryHttp(reply);
  return { status: 200, headers: msg.headers, body: msg.body };
}

const policy = (spec: DeliverySpec, dls?: string) => compileDeliveryPolicy(spec, dls === undefined ? {} : { deadLetterSinkUri: dls });

const SUB_A = 'http://a.test/';
const SUB_B = 'http://b.test/';
const SUB_C = 'http://c.test/';
const REPLY = 'http://reply.test/';
const DLS = 'http://dls.test/';

// ---------------------------------------------------------------------------------------------
// The suite

export function runChannelContract(name: string, harness: ContractHarness): void {
  const caps = harness.capabilities;

  describe(`channel contract: ${name}`, () => {
    let instance: ContractInstance | undefined;
    let current: ChannelBackend | undefined;

    afterEach(async () => {
      await current?.close();
      await instance?.cleanup();
      instance = undefined;
      current = undefined;
    });

    async function open(net: FakeNetwork): Promise<ChannelBackend> {
      instance = await harness.create(net.deps);
      current = instance.backend;
      return current;
    }

    /** Publish, tolerating a synchronous fan-out that reports failed subscribers. */
    async function publishTolerant(ch: ChannelBackend, events: CloudEventRecord[]): Promise<void> {
      try {
        await ch.publish(events);
      } catch (err) {
        if (!caps.publishWaitsForDelivery) throw err;
      }
    }

    test('fan-out: every subscriber receives every event once, with Prefer: reply and its headers', async () => {
      const net = new FakeNetwork().sink(SUB_A).sink(SUB_B).sink(SUB_C);
      const ch = await open(net);
      ch.setSubscribers([
        { uid: 'a', subscriberUri: SUB_A, headers: { 'kn-namespace': 'ns1' } },
        { uid: 'b', subscriberUri: SUB_B },
        { uid: 'c', subscriberUri: SUB_C },
      ]);
      const ids = Array.from({ length: 12 }, (_, i) => `e${i}`);
      await ch.publish(ids.slice(0, 5).map((id) => makeEvent(id)));
      await Promise.all([ch.publish(ids.slice(5, 9).map((id) => makeEvent(id))), ch.publish(ids.slice(9).map((id) => makeEvent(id)))]);
      await eventually(() => [SUB_A, SUB_B, SUB_C].every((u) => net.to(u).length >= ids.length), 'fan-out to 3 subscribers');
      for (const u of [SUB_A, SUB_B, SUB_C]) assert.deepEqual(net.idsTo(u).sort(), [...ids].sort(), `events at ${u}`);
      const first = net.to(SUB_A)[0]!;
      assert.equal(first.options.headers?.prefer, 'reply');
      assert.equal(first.options.headers?.['kn-namespace'], 'ns1');
      assert.deepEqual(first.event.data, { id: first.event.id });
      await eventually(() => ch.stats().subscribers.every((s) => s.delivered === ids.length), 'delivered counted');
      assert.equal(ch.stats().published, ids.length);
    });

    test('a reply goes to replyUri; without a reply destination it is dropped', async () => {
      const net = new FakeNetwork()
        .on(SUB_A, (r) => replyWith(makeEvent(`reply-${r.event.id}`, { type: 'com.example.reply' })))
        .on(SUB_B, (r) => replyWith(makeEvent(`reply-${r.event.id}`)))
        .sink(REPLY);
      const ch = await open(net);
      ch.setSubscribers([
        { uid: 'a', subscriberUri: SUB_A, replyUri: REPLY },
        { uid: 'b', subscriberUri: SUB_B },
      ]);
      await ch.publish([makeEvent('e1'), makeEvent('e2')]);
      await eventually(() => net.to(REPLY).length >= 2 && net.to(SUB_B).length >= 2, 'replies forwarded');
      await eventually(() => ch.stats().subscribers.find((s) => s.uid === 'b')!.repliesDropped === 2, 'replies dropped counted');
      assert.deepEqual(net.idsTo(REPLY).sort(), ['reply-e1', 'reply-e2']);
      assert.equal(net.to(REPLY)[0]!.event.type, 'com.example.reply');
      assert.equal(ch.stats().subscribers.find((s) => s.uid === 'a')!.repliesForwarded, 2);
    });

    test('a subscription with only a reply forwards every event to it', async () => {
      const net = new FakeNetwork().sink(REPLY);
      const ch = await open(net);
      ch.setSubscribers([{ uid: 'r', replyUri: REPLY }]);
      await ch.publish([makeEvent('e1')]);
      await eventually(() => net.to(REPLY).length === 1, 'event at reply');
      assert.equal(net.to(REPLY)[0]!.event.id, 'e1');
    });

    test('retries with backoff: linear PT0.1S waits 100 ms then 200 ms; 3 attempts then success', async () => {
      let calls = 0;
      const net = new FakeNetwork().on(SUB_A, () => ({ status: ++calls <= 2 ? 503 : 200 }));
      const ch = await open(net);
      ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, delivery: policy({ retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' }) }]);
      await ch.publish([makeEvent('e1')]);
      await eventually(() => ch.stats().subscribers[0]!.delivered === 1, 'delivered after retries');
      assert.equal(net.to(SUB_A).length, 3);
      assert.deepEqual(net.waits, [100, 200]);
    });

    test('exponential backoff and non-retryable statuses: 400 is not retried', async () => {
      const net = new FakeNetwork().on(SUB_A, () => ({ status: 500 })).on(SUB_B, () => ({ status: 400 }));
      const ch = await open(net);
      ch.setSubscribers([
        { uid: 'a', subscriberUri: SUB_A, delivery: policy({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.05S' }) },
        { uid: 'b', subscriberUri: SUB_B, delivery: policy({ retry: 3, backoffDelay: 'PT1S' }) },
      ]);
      await publishTolerant(ch, [makeEvent('e1')]);
      await eventually(() => ch.stats().subscribers.every((s) => s.dropped === 1), 'both dropped (no DLS)');
      assert.equal(net.to(SUB_A).length, 4);
      assert.equal(net.to(SUB_B).length, 1);
      assert.deepEqual(net.waits, [100, 200, 400]);
    });

    test('dead-letter sink receives the original event with knativeerrordest/code/data', async () => {
      const net = new FakeNetwork().on(SUB_A, () => ({ status: 500, body: Buffer.from('boom') })).sink(DLS);
      const ch = await open(net);
      ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, delivery: policy({ retry: 1 }, DLS), headers: { 'kn-namespace': 'ns1' } }]);
      await ch.publish([makeEvent('e1', { subject: 'keep-me' })]);
      await eventually(() => net.to(DLS).length === 1, 'event at DLS');
      const dead = net.to(DLS)[0]!;
      assert.equal(net.to(SUB_A).length, 2);
      assert.equal(dead.event.id, 'e1');
      assert.equal(dead.event.subject, 'keep-me');
      assert.deepEqual(dead.event.data, { id: 'e1' });
      assert.equal(dead.event.knativeerrordest, SUB_A);
      assert.equal(dead.event.knativeerrorcode, 500);
      assert.equal(dead.event.knativeerrordata, Buffer.from('boom').toString('base64'));
      assert.equal(dead.options.headers?.['kn-namespace'], 'ns1');
      await eventually(() => ch.stats().subscribers[0]!.deadLettered === 1, 'deadLettered counted');
    });

    test('deadLetterUri overrides the policy DLS; a network error is reported as 500 with the error text', async () => {
      const net = new FakeNetwork()
        .on(SUB_A, () => {
          throw new Error('connection refused');
        })
        .sink(DLS);
      const ch = await open(net);
      ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, delivery: policy({}, 'http://other-dls.test/'), deadLetterUri: DLS }]);
      await ch.publish([makeEvent('e1')]);
      await eventually(() => net.to(DLS).length === 1, 'event at DLS');
      const dead = net.to(DLS)[0]!.event;
      assert.equal(dead.knativeerrorcode, 500);
      assert.match(Buffer.from(dead.knativeerrordata as string, 'base64').toString(), /dispatch error: connection refused/);
    });

    test('a failed reply sends the ORIGINAL event to the DLS with knativeerrordest = reply URL', async () => {
      const net = new FakeNetwork()
        .on(SUB_A, () => replyWith(makeEvent('the-reply')))
        .on(REPLY, () => ({ status: 503 }))
        .sink(DLS);
      const ch = await open(net);
      ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, replyUri: REPLY, delivery: policy({ retry: 2 }, DLS) }]);
      await ch.publish([makeEvent('orig')]);
      await eventually(() => net.to(DLS).length === 1, 'event at DLS');
      assert.equal(net.to(REPLY).length, 3);
      const dead = net.to(DLS)[0]!.event;
      assert.equal(dead.id, 'orig');
      assert.equal(dead.knativeerrordest, REPLY);
      assert.equal(dead.knativeerrorcode, 503);
    });

    test('an in-process replySink gets reply and original; its failure dead-letters with its httpStatus', async () => {
      const net = new FakeNetwork().on(SUB_A, (r) => replyWith(makeEvent(`re-${r.event.id}`))).sink(DLS);
      const seen: string[] = [];
      const ch = await open(net);
      ch.setSubscribers([
        {
          uid: 'a',
          subscriberUri: SUB_A,
          delivery: policy({}, DLS),
          replyAddress: 'http://broker.test/ns/b',
          replySink: async (reply, original) => {
            seen.push(`${original.id}->${reply.id}`);
            if (original.id === 'bad') throw Object.assign(new Error('ttl exhausted'), { httpStatus: 400 });
          },
        },
      ]);
      await publishTolerant(ch, [makeEvent('good'), makeEvent('bad')]);
      await eventually(() => net.to(DLS).length === 1 && seen.length === 2, 'reply sink + DLS');
      assert.deepEqual(seen.sort(), ['bad->re-bad', 'good->re-good']);
      const dead = net.to(DLS)[0]!.event;
      assert.equal(dead.id, 'bad');
      assert.equal(dead.knativeerrordest, 'http://broker.test/ns/b');
      assert.equal(dead.knativeerrorcode, 400);
      assert.equal(Buffer.from(dead.knativeerrordata as string, 'base64').toString(), 'ttl exhausted');
    });

    test('nonEventReply "error": a 2xx non-CloudEvent body is a 502 failure (retried, then DLS)', async () => {
      const net = new FakeNetwork().on(SUB_A, () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('not an event') })).sink(DLS);
      const ch = await open(net);
      ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, nonEventReply: 'error', delivery: policy({ retry: 1 }, DLS) }]);
      await ch.publish([makeEvent('e1')]);
      await eventually(() => net.to(DLS).length === 1, 'event at DLS');
      assert.equal(net.to(SUB_A).length, 2);
      assert.equal(net.to(DLS)[0]!.event.knativeerrorcode, 502);
    });

    test('filters: a subscriber only receives matching events; prepareEvent shapes what it gets', async () => {
      const net = new FakeNetwork().sink(SUB_A).sink(SUB_B);
      const ch = await open(net);
      ch.setSubscribers([
        { uid: 'a', subscriberUri: SUB_A, filter: (e) => e.type === 'keep', prepareEvent: (e) => ({ ...e, subject: 'prepared' }) },
        { uid: 'b', subscriberUri: SUB_B },
      ]);
      await ch.publish([makeEvent('1', { type: 'keep' }), makeEvent('2', { type: 'drop' }), makeEvent('3', { type: 'keep' })]);
      await eventually(() => net.to(SUB_B).length === 3 && ch.stats().subscribers.find((s) => s.uid === 'a')!.filtered === 1, 'filtered');
      await eventually(() => net.to(SUB_A).length === 2, 'matching delivered');
      assert.deepEqual(net.idsTo(SUB_A).sort(), ['1', '3']);
      assert.ok(net.to(SUB_A).every((r) => r.event.subject === 'prepared'));
      assert.ok(net.to(SUB_B).every((r) => r.event.subject === undefined));
    });

    test('setSubscribers: removed subscribers stop receiving, new ones get later events, stats survive updates', async () => {
      const net = new FakeNetwork().sink(SUB_A).sink(SUB_B).sink(SUB_C);
      const ch = await open(net);
      ch.setSubscribers([
        { uid: 'a', subscriberUri: SUB_A },
        { uid: 'b', subscriberUri: SUB_B },
      ]);
      await ch.publish([makeEvent('e1')]);
      await eventually(() => net.to(SUB_A).length === 1 && net.to(SUB_B).length === 1, 'first event');
      ch.setSubscribers([
        { uid: 'a', subscriberUri: SUB_A, headers: { 'x-version': '2' } },
        { uid: 'c', subscriberUri: SUB_C },
      ]);
      await ch.publish([makeEvent('e2')]);
      await eventually(() => net.to(SUB_A).length === 2 && net.to(SUB_C).length === 1, 'second event');
      await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(net.idsTo(SUB_B), ['e1']);
      assert.deepEqual(net.idsTo(SUB_C), ['e2']);
      assert.equal(net.to(SUB_A)[1]!.options.headers?.['x-version'], '2');
      assert.equal(ch.stats().subscribers.find((s) => s.uid === 'a')!.delivered, 2);
      assert.throws(() => ch.setSubscribers([{ uid: '' }]), /uid/);
    });

    test('a slow subscriber does not hold back the other subscribers' + (caps.publishWaitsForDelivery ? '' : ' or publish'), async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const net = new FakeNetwork()
        .on(SUB_A, async () => {
          await gate;
          return { status: 202 };
        })
        .sink(SUB_B);
      const ch = await open(net);
      ch.setSubscribers([
        { uid: 'slow', subscriberUri: SUB_A },
        { uid: 'fast', subscriberUri: SUB_B },
      ]);
      const ids = Array.from({ length: 20 }, (_, i) => `e${i}`);
      const published = Promise.all(ids.map((id) => ch.publish([makeEvent(id)])));
      let publishDone = false;
      void published.then(() => (publishDone = true));
      await eventually(() => net.to(SUB_B).length === ids.length, 'fast subscriber got everything');
      if (!caps.publishWaitsForDelivery) {
        await eventually(() => publishDone, 'publish resolved while a subscriber is stuck');
      }
      release();
      await published;
      await eventually(() => new Set(net.idsTo(SUB_A)).size === ids.length, 'slow subscriber caught up');
    });

    test('publish after close is rejected with a ChannelError (503)', async () => {
      const net = new FakeNetwork();
      const ch = await open(net);
      await ch.close();
      await assert.rejects(ch.publish([makeEvent('late')]), (err: Error & { httpStatus?: number; code?: string }) => {
        assert.equal(err.httpStatus, 503);
        assert.equal(err.code, 'SKIFF_ERR_CHANNEL_CLOSED');
        return true;
      });
    });

    if (caps.ordered) {
      test('ordered: a subscriber sees events in publish order even with failures and retries', async () => {
        const attempts = new Map<string, number>();
        const okOrder: string[] = [];
        const net = new FakeNetwork().on(SUB_A, async (r) => {
          const n = (attempts.get(r.event.id) ?? 0) + 1;
          attempts.set(r.event.id, n);
          await new Promise((res) => setTimeout(res, Number(r.event.id.slice(1)) % 3));
          if (n === 1 && Number(r.event.id.slice(1)) % 4 === 0) return { status: 503 };
          okOrder.push(r.event.id);
          return { status: 202 };
        });
        const ch = await open(net);
        ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, ordering: 'ordered', delivery: policy({ retry: 2 }) }]);
        const ids = Array.from({ length: 30 }, (_, i) => `e${i}`);
        for (let i = 0; i < ids.length; i += 5) await ch.publish(ids.slice(i, i + 5).map((id) => makeEvent(id)));
        await eventually(() => okOrder.length === ids.length, 'all delivered');
        assert.deepEqual(okOrder, ids);
      });

      test('unordered (default) keeps several events in flight at once', async () => {
        let inFlight = 0;
        let maxInFlight = 0;
        const net = new FakeNetwork().on(SUB_A, async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((res) => setTimeout(res, 5));
          inFlight--;
          return { status: 202 };
        });
        const ch = await open(net);
        ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A }]);
        await ch.publish(Array.from({ length: 20 }, (_, i) => makeEvent(`e${i}`)));
        await eventually(() => net.to(SUB_A).length === 20, 'all delivered');
        assert.ok(maxInFlight > 1, `max in flight ${maxInFlight}`);
      });
    }

    if (caps.retriesDeadLetterSink) {
      test('a failing dead-letter sink never marks the event done: the DLS is retried until it takes it', async () => {
        let dlsUp = false;
        const net = new FakeNetwork().on(SUB_A, () => ({ status: 500 })).on(DLS, () => ({ status: dlsUp ? 202 : 503 }));
        const ch = await open(net);
        ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, delivery: policy({}, DLS) }]);
        await ch.publish([makeEvent('e1')]);
        await eventually(() => ch.stats().subscribers[0]!.deadLetterRetries >= 3, 'DLS retried');
        const s = ch.stats().subscribers[0]!;
        assert.equal(s.deadLettered + s.dropped, 0);
        assert.equal(s.lag, 1);
        dlsUp = true;
        await eventually(() => ch.stats().subscribers[0]!.deadLettered === 1, 'dead-lettered once the DLS is up');
        assert.equal(ch.stats().subscribers[0]!.lag, 0);
        assert.equal(net.to(SUB_A).length, 1, 'the subscriber is not retried again, only the DLS');
        assert.deepEqual(net.waits.slice(0, 3), [1000, 2000, 4000]);
      });
    } else {
      test('a failing dead-letter sink: the event is given up and counted as dropped', async () => {
        const net = new FakeNetwork().on(SUB_A, () => ({ status: 500 })).on(DLS, () => ({ status: 503 }));
        const ch = await open(net);
        ch.setSubscribers([{ uid: 'a', subscriberUri: SUB_A, delivery: policy({}, DLS) }]);
        await publishTolerant(ch, [makeEvent('e1')]);
        await eventually(() => ch.stats().subscribers[0]!.dropped === 1, 'dropped');
        assert.equal(net.to(DLS).length, 1);
      });
    }

    if (caps.durable) {
      test('restart: undelivered events are delivered after close + reopen; finished ones are not repeated', async () => {
        let bUp = false;
        // b hangs (until the close aborts its requests) before the restart, and works after it.
        const net = new FakeNetwork().sink(SUB_A).on(SUB_B, () => (bUp ? { status: 202 } : new Promise<never>(() => {})));
        const subs: SubscriberSpec[] = [
          { uid: 'a', subscriberUri: SUB_A },
          { uid: 'b', subscriberUri: SUB_B },
        ];
        const ch = await open(net);
        ch.setSubscribers(subs);
        const ids = Array.from({ length: 10 }, (_, i) => `e${i}`);
        await ch.publish(ids.map((id) => makeEvent(id)));
        await eventually(() => net.to(SUB_A).length === ids.length, 'a got everything');
        await eventually(() => net.to(SUB_B).length === 10, 'b is stuck on all 10');

        const reopened = await instance!.reopen!(net.deps);
        current = reopened;
        bUp = true;
        reopened.setSubscribers(subs);
        await eventually(() => ids.every((id) => net.to(SUB_B).some((r) => r.event.id === id)), 'b got everything after restart');
        await eventually(() => reopened.stats().subscribers.find((s) => s.uid === 'b')!.lag === 0, 'b caught up');
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(net.to(SUB_A).length, ids.length, 'a: its cursor survived, nothing redelivered');
        assert.deepEqual(net.idsTo(SUB_A).sort(), [...ids].sort());
        // Events published after the restart keep flowing.
        await reopened.publish([makeEvent('after')]);
        await eventually(() => net.idsTo(SUB_A).includes('after') && net.idsTo(SUB_B).includes('after'), 'post-restart event');
      });

      test('restart: a subscriber that is not re-attached keeps its cursor for the grace period', async () => {
        const net = new FakeNetwork().sink(SUB_A).sink(SUB_B);
        const ch = await open(net);
        ch.setSubscribers([
          { uid: 'a', subscriberUri: SUB_A },
          { uid: 'b', subscriberUri: SUB_B },
        ]);
        await ch.publish([makeEvent('e1')]);
        await eventually(() => net.to(SUB_A).length === 1 && net.to(SUB_B).length === 1, 'first event');
        const reopened = await instance!.reopen!(net.deps);
        current = reopened;
        // Only `a` comes back at first (controllers re-register triggers one by one).
        reopened.setSubscribers([{ uid: 'a', subscriberUri: SUB_A }]);
        await reopened.publish([makeEvent('e2')]);
        await eventually(() => net.idsTo(SUB_A).includes('e2'), 'a got e2');
        reopened.setSubscribers([
          { uid: 'a', subscriberUri: SUB_A },
          { uid: 'b', subscriberUri: SUB_B },
        ]);
        await eventually(() => net.idsTo(SUB_B).includes('e2'), 'b resumed from its cursor and got e2');
        assert.deepEqual(net.idsTo(SUB_B), ['e1', 'e2']);
      });
    }
  });
}
