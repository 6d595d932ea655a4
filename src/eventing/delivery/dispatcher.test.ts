import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deliverWithRetry, type DispatcherDeps, type SendOptions, type SendResponse } from './dispatcher.js';
import { compileDeliveryPolicy, type DeliverySpec } from './delivery-spec.js';
import { toBinaryHttp, toStructuredHttp } from '../cloudevents/http.js';
import type { CloudEventRecord } from '../cloudevents/event.js';

const event: CloudEventRecord = { specversion: '1.0', id: 'e1', source: '/s', type: 'com.example.t', data: { n: 1 } };
const SUB = 'http://subscriber.default.svc.cluster.local/';
const DLS = 'http://dls.default.svc.cluster.local/';

type Scripted = Partial<SendResponse> & { status: number } | Error;

interface Call {
  url: string;
  event: CloudEventRecord;
  options: SendOptions;
  at: number;
}

/** Fake transport + fake clock: `sleep` advances time instantly and records the wait. */
function harness(script: Record<string, Scripted[]>) {
  let now = Date.parse('2024-01-01T00:00:00Z');
  const calls: Call[] = [];
  const waits: number[] = [];
  const deps: DispatcherDeps = {
    clock: { now: () => now },
    async sleep(ms) {
      waits.push(ms);
      now += ms;
    },
    async send(url, ev, options) {
      calls.push({ url, event: ev, options, at: now });
      const queue = script[url];
      const next = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      if (next === undefined) throw new Error(`no script for ${url}`);
      if (next instanceof Error) throw next;
      return { headers: {}, body: Buffer.alloc(0), ...next };
    },
  };
  return { deps, calls, waits };
}

const policy = (spec: DeliverySpec, dls?: string) => compileDeliveryPolicy(spec, dls ? { deadLetterSinkUri: dls } : {});

describe('deliverWithRetry — success and replies', () => {
  test('first attempt succeeds; Prefer: reply and target headers are sent; timeout and format passed through', async () => {
    const h = harness({ [SUB]: [{ status: 200 }] });
    const out = await deliverWithRetry(event, { url: SUB, headers: { 'kn-namespace': 'default' } }, policy({ timeout: 'PT5S', format: 'json' }), h.deps);
    assert.equal(out.result, 'delivered');
    assert.equal(out.attempts, 1);
    assert.equal(out.lastStatus, 200);
    assert.equal(out.result === 'delivered' && out.reply, undefined);
    assert.deepEqual(h.calls[0]!.options, { headers: { 'kn-namespace': 'default', prefer: 'reply' }, timeoutMs: 5000, format: 'json' });
  });

  test('a 200 whose body is a CloudEvent is a reply (binary and structured)', async () => {
    const reply: CloudEventRecord = { specversion: '1.0', id: 'r1', source: '/fn', type: 'com.example.reply' };
    for (const msg of [toBinaryHttp(reply), toStructuredHttp({ ...reply, data: 'x' })]) {
      const h = harness({ [SUB]: [{ status: 200, headers: msg.headers, body: msg.body }] });
      const out = await deliverWithRetry(event, SUB, policy({}), h.deps);
      assert.equal(out.result, 'delivered');
      assert.ok(out.result === 'delivered' && out.reply);
      assert.equal(out.reply.id, 'r1');
    }
  });

  test('202 is never a reply, even with CloudEvent headers', async () => {
    const msg = toBinaryHttp({ specversion: '1.0', id: 'r1', source: '/fn', type: 'x' });
    const h = harness({ [SUB]: [{ status: 202, headers: msg.headers, body: msg.body }] });
    const out = await deliverWithRetry(event, SUB, policy({}), h.deps);
    assert.ok(out.result === 'delivered');
    assert.equal(out.reply, undefined);
  });

  test('a non-CloudEvent 2xx body: ignored by default, 502-and-retry with nonEventReply: "error"', async () => {
    let h = harness({ [SUB]: [{ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('hello') }] });
    let out = await deliverWithRetry(event, SUB, policy({ retry: 2 }), h.deps);
    assert.equal(out.result, 'delivered');
    assert.equal(out.result === 'delivered' && out.reply, undefined);

    h = harness({ [SUB]: [{ status: 200, body: Buffer.from('hello') }, { status: 200 }] });
    out = await deliverWithRetry(event, SUB, policy({ retry: 2 }), h.deps, { nonEventReply: 'error' });
    assert.equal(out.result, 'delivered');
    assert.equal(out.attempts, 2);

    h = harness({ [SUB]: [{ status: 200, body: Buffer.from('hello') }], [DLS]: [{ status: 202 }] });
    out = await deliverWithRetry(event, SUB, policy({ retry: 1 }, DLS), h.deps, { nonEventReply: 'error' });
    assert.equal(out.result, 'deadLettered');
    assert.equal(h.calls.at(-1)!.event.knativeerrorcode, 502);
  });
});

describe('deliverWithRetry — retries and backoff timing', () => {
  test('linear: waits delay × k between attempts, total attempts = retry + 1', async () => {
    const h = harness({ [SUB]: [{ status: 503 }] });
    const out = await deliverWithRetry(event, SUB, policy({ retry: 4, backoffPolicy: 'linear', backoffDelay: 'PT0.2S' }), h.deps);
    assert.equal(out.result, 'failed');
    assert.equal(out.attempts, 5);
    assert.equal(out.lastStatus, 503);
    assert.deepEqual(h.waits, [200, 400, 600, 800]);
    const t0 = h.calls[0]!.at;
    assert.deepEqual(h.calls.map((c) => c.at - t0), [0, 200, 600, 1200, 2000]);
  });

  test('exponential: waits delay × 2^k', async () => {
    const h = harness({ [SUB]: [{ status: 500 }] });
    await deliverWithRetry(event, SUB, policy({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' }), h.deps);
    assert.deepEqual(h.waits, [400, 800, 1600]);
  });

  test('no backoffDelay → immediate retries', async () => {
    const h = harness({ [SUB]: [{ status: 500 }] });
    const out = await deliverWithRetry(event, SUB, policy({ retry: 3, backoffPolicy: 'linear' }), h.deps);
    assert.equal(out.attempts, 4);
    assert.deepEqual(h.waits, []);
  });

  test('succeeds after transient failures (network error, 429, 404)', async () => {
    const h = harness({ [SUB]: [new Error('ECONNRESET'), { status: 429 }, { status: 404 }, { status: 200 }] });
    const out = await deliverWithRetry(event, SUB, policy({ retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT1S' }), h.deps);
    assert.equal(out.result, 'delivered');
    assert.equal(out.attempts, 4);
    assert.deepEqual(h.waits, [1000, 2000, 3000]);
  });

  test('non-retryable statuses stop at once (400, 3xx)', async () => {
    for (const status of [400, 401, 302]) {
      const h = harness({ [SUB]: [{ status }] });
      const out = await deliverWithRetry(event, SUB, policy({ retry: 5, backoffDelay: 'PT1S' }), h.deps);
      assert.equal(out.result, 'failed');
      assert.equal(out.attempts, 1, String(status));
      assert.equal(out.lastStatus, status);
    }
  });

  test('Retry-After is honoured only with retryAfterMax, capped by it', async () => {
    const spec = { retry: 2, backoffPolicy: 'linear' as const, backoffDelay: 'PT0.1S' };
    let h = harness({ [SUB]: [{ status: 429, headers: { 'retry-after': '3' } }, { status: 503, headers: { 'Retry-After': '600' } }, { status: 200 }] });
    await deliverWithRetry(event, SUB, policy(spec), h.deps);
    assert.deepEqual(h.waits, [100, 200], 'without retryAfterMax the header is ignored');

    h = harness({ [SUB]: [{ status: 429, headers: { 'retry-after': '3' } }, { status: 503, headers: { 'Retry-After': '600' } }, { status: 200 }] });
    await deliverWithRetry(event, SUB, policy({ ...spec, retryAfterMax: 'PT10S' }), h.deps);
    assert.deepEqual(h.waits, [3000, 10_000]);

    // HTTP-date, measured against the injected clock.
    h = harness({ [SUB]: [{ status: 503, headers: { 'retry-after': 'Mon, 01 Jan 2024 00:00:05 GMT' } }, { status: 200 }] });
    await deliverWithRetry(event, SUB, policy({ ...spec, retryAfterMax: 'PT1M' }), h.deps);
    assert.deepEqual(h.waits, [5000]);
  });

  test('abort during a backoff wait stops without dead-lettering', async () => {
    const controller = new AbortController();
    const h = harness({ [SUB]: [{ status: 500 }], [DLS]: [{ status: 200 }] });
    h.deps.sleep = async () => {
      controller.abort();
      throw new Error('aborted');
    };
    const out = await deliverWithRetry(event, SUB, policy({ retry: 3, backoffDelay: 'PT1S' }, DLS), h.deps, { signal: controller.signal });
    assert.equal(out.result, 'failed');
    assert.equal(out.attempts, 1);
    assert.equal(h.calls.filter((c) => c.url === DLS).length, 0);
  });
});

describe('deliverWithRetry — dead-letter sink', () => {
  test('after exhausting retries the original event goes to the DLS with knativeerror* extensions', async () => {
    const h = harness({ [SUB]: [{ status: 500, body: Buffer.from('boom') }], [DLS]: [{ status: 200 }] });
    const out = await deliverWithRetry(event, { url: SUB, headers: { 'kn-namespace': 'default' } }, policy({ retry: 2 }, DLS), h.deps);
    assert.equal(out.result, 'deadLettered');
    assert.equal(out.attempts, 3);
    assert.ok(out.result === 'deadLettered');
    assert.deepEqual(out.deadLetter, { attempts: 1, lastStatus: 200 });
    const dlCall = h.calls.at(-1)!;
    assert.equal(dlCall.url, DLS);
    assert.equal(dlCall.event.id, 'e1');
    assert.deepEqual(dlCall.event.data, { n: 1 });
    assert.equal(dlCall.event.knativeerrordest, SUB);
    assert.equal(dlCall.event.knativeerrorcode, 500);
    assert.equal(Buffer.from(dlCall.event.knativeerrordata as string, 'base64').toString(), 'boom');
    assert.deepEqual(dlCall.options.headers, { 'kn-namespace': 'default' }, 'no Prefer: reply to the DLS');
  });

  test('a non-retryable failure goes straight to the DLS', async () => {
    const h = harness({ [SUB]: [{ status: 400, body: Buffer.from('bad event') }], [DLS]: [{ status: 202 }] });
    const out = await deliverWithRetry(event, SUB, policy({ retry: 5 }, DLS), h.deps);
    assert.equal(out.result, 'deadLettered');
    assert.equal(out.attempts, 1);
    assert.equal(h.calls.at(-1)!.event.knativeerrorcode, 400);
  });

  test('network errors are reported as 500 with the error text', async () => {
    const h = harness({ [SUB]: [new Error('connect ECONNREFUSED 127.0.0.1:9')], [DLS]: [{ status: 200 }] });
    const out = await deliverWithRetry(event, SUB, policy({}, DLS), h.deps);
    assert.equal(out.result, 'deadLettered');
    assert.equal(out.lastStatus, undefined);
    assert.equal(out.lastError, 'connect ECONNREFUSED 127.0.0.1:9');
    const dl = h.calls.at(-1)!.event;
    assert.equal(dl.knativeerrorcode, 500);
    assert.match(Buffer.from(dl.knativeerrordata as string, 'base64').toString(), /^dispatch error: connect ECONNREFUSED/);
  });

  test('the DLS is retried with the same policy; failing it is "failed", never done', async () => {
    const h = harness({ [SUB]: [{ status: 503 }], [DLS]: [{ status: 500 }, new Error('ECONNRESET'), { status: 503 }] });
    const out = await deliverWithRetry(event, SUB, policy({ retry: 2, backoffPolicy: 'linear', backoffDelay: 'PT1S' }, DLS), h.deps);
    assert.equal(out.result, 'failed');
    assert.equal(out.attempts, 3);
    assert.ok(out.result === 'failed' && out.deadLetter);
    assert.deepEqual(out.deadLetter, { attempts: 3, lastStatus: 503 });
    assert.deepEqual(h.waits, [1000, 2000, 1000, 2000]);
  });

  test('a reply from the DLS is ignored; no DLS means failed', async () => {
    const reply = toBinaryHttp({ specversion: '1.0', id: 'r', source: '/x', type: 't' });
    let h = harness({ [SUB]: [{ status: 500 }], [DLS]: [{ status: 200, headers: reply.headers, body: reply.body }] });
    const out = await deliverWithRetry(event, SUB, policy({}, DLS), h.deps);
    assert.equal(out.result, 'deadLettered');
    assert.equal((out as { reply?: unknown }).reply, undefined);
    h = harness({ [SUB]: [{ status: 500 }] });
    const failed = await deliverWithRetry(event, SUB, policy({}), h.deps);
    assert.equal(failed.result, 'failed');
    assert.equal(failed.result === 'failed' && failed.deadLetter, undefined);
  });
});
