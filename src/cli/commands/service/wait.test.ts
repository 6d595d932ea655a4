import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { KnError } from '../../knative-format.js';
import { formatElapsed, isReady, progressPrinter, waitForReady, type WaitTimers, type WatchEventLike, type WatchSource } from './wait.js';

/** A clock and timers that only move when the test says so. */
class FakeTime implements WaitTimers {
  t = 1_000_000;
  private seq = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

function ksvc(generation: number, observed: number | undefined, ready?: { status: string; reason?: string; message?: string }, rv = '1'): KObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'hello', namespace: 'default', generation, resourceVersion: rv },
    status: { observedGeneration: observed, conditions: ready ? [{ type: 'Ready', ...ready }] : [] },
  };
}

/**
 * A watch that hands out scripted steps: each step advances the fake clock
 * and emits one event. The stream then stays open until aborted.
 */
function scriptedWatch(time: FakeTime, steps: Array<{ after: number; ev: WatchEventLike }>, seen: Array<string | undefined>): WatchSource {
  return async (from, onEvent, signal) => {
    seen.push(from);
    for (const s of steps.splice(0)) {
      time.advance(s.after);
      onEvent(s.ev);
      await Promise.resolve();
    }
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  };
}

const CONFIG_MSG = 'The Configuration is still working to reflect the latest desired specification.';
const LB_MSG = 'Waiting for load balancer to be ready';

describe('wait for Ready (kn wait_for_ready)', () => {
  test('prints each Ready message with elapsed seconds, "..." for repeats, skips ADDED and stale generations', async () => {
    const time = new FakeTime();
    const out: string[] = [];
    const seen: Array<string | undefined> = [];
    const source = scriptedWatch(
      time,
      [
        { after: 5, ev: { type: 'ADDED', object: ksvc(1, undefined) } },
        { after: 29, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'Unknown', reason: 'RevisionMissing', message: CONFIG_MSG }, '2') } },
        { after: 100, ev: { type: 'MODIFIED', object: ksvc(2, 1, { status: 'Unknown', message: 'old generation, not shown' }, '3') } },
        { after: 200, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'Unknown', message: CONFIG_MSG }, '4') } },
        { after: 400, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'Unknown', message: LB_MSG }, '5') } },
        { after: 497, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'True' }, '6') } },
      ],
      seen,
    );
    const elapsed = await waitForReady(source, '1', {
      kind: 'service',
      name: 'hello',
      timeoutMs: 600_000,
      errorWindowMs: 2000,
      clock: time,
      timers: time,
      onMessage: progressPrinter((s) => out.push(s)),
    });
    assert.equal(elapsed, 1231);
    assert.deepEqual(seen, ['1']);
    out.push(`${formatElapsed(elapsed)}s Ready to serve.\n`);
    assert.equal(
      out.join(''),
      [
        `  0.034s ${CONFIG_MSG}`,
        '  0.334s ...',
        `  0.734s ${LB_MSG}`,
        '  1.231s Ready to serve.',
        '',
      ].join('\n'),
    );
  });

  test('Ready=False fails after the error window with "Reason: message"', async () => {
    const time = new FakeTime();
    const msgs: string[] = [];
    const source = scriptedWatch(
      time,
      [{ after: 10, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'False', reason: 'RevisionFailed', message: 'Revision "hello-00001" failed with message: boom.' }) } }],
      [],
    );
    const p = waitForReady(source, undefined, { kind: 'service', name: 'hello', timeoutMs: 600_000, errorWindowMs: 2000, clock: time, timers: time, onMessage: (_ms, m) => msgs.push(m) });
    await Promise.resolve();
    await Promise.resolve();
    time.advance(1999);
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    assert.equal(settled, false, 'still inside the error window');
    time.advance(1);
    await assert.rejects(p, (e: unknown) => e instanceof KnError && e.message === 'RevisionFailed: Revision "hello-00001" failed with message: boom.');
    assert.deepEqual(msgs, ['Revision "hello-00001" failed with message: boom.']);
  });

  test('already False when the wait begins: the error window starts at once, the root cause names the failure', async () => {
    const time = new FakeTime();
    const msgs: string[] = [];
    const failed = ksvc(1, 1, { status: 'False', reason: 'RevisionMissing', message: 'Configuration "hello" does not have any ready Revision.' });
    failed.status.conditions.push({ type: 'ConfigurationsReady', status: 'False', reason: 'RevisionFailed', message: 'Revision "hello-00001" failed with message: Unable to fetch image.' });
    // The watch never reports a change: the failure happened before it opened.
    const p = waitForReady(scriptedWatch(time, [], []), '7', {
      kind: 'service',
      name: 'hello',
      timeoutMs: 600_000,
      errorWindowMs: 2000,
      clock: time,
      timers: time,
      onMessage: (_ms, m) => msgs.push(m),
      initial: failed,
      rootCause: (o) => o.status.conditions.find((c: any) => c.type === 'ConfigurationsReady'),
    });
    await Promise.resolve();
    time.advance(2000);
    await assert.rejects(p, (e: unknown) => e instanceof KnError && e.message === 'RevisionFailed: Revision "hello-00001" failed with message: Unable to fetch image.');
    assert.deepEqual(msgs, ['Configuration "hello" does not have any ready Revision.']);
  });

  test('an initial state of an older generation is ignored', async () => {
    const time = new FakeTime();
    const source = scriptedWatch(time, [{ after: 50, ev: { type: 'MODIFIED', object: ksvc(2, 2, { status: 'True' }) } }], []);
    const elapsed = await waitForReady(source, '1', {
      kind: 'service',
      name: 'hello',
      timeoutMs: 600_000,
      errorWindowMs: 10,
      clock: time,
      timers: time,
      onMessage: () => {},
      initial: ksvc(2, 1, { status: 'False', reason: 'RevisionFailed', message: 'the previous revision failed' }),
    });
    assert.equal(elapsed, 50);
  });

  test('going back to Unknown inside the error window cancels the failure', async () => {
    const time = new FakeTime();
    const source = scriptedWatch(
      time,
      [
        { after: 10, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'False', reason: 'X', message: 'flaky' }) } },
        { after: 500, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'Unknown', message: 'retrying' }) } },
        { after: 3000, ev: { type: 'MODIFIED', object: ksvc(1, 1, { status: 'True' }) } },
      ],
      [],
    );
    const elapsed = await waitForReady(source, undefined, { kind: 'service', name: 'hello', timeoutMs: 600_000, errorWindowMs: 2000, clock: time, timers: time, onMessage: () => {} });
    assert.equal(elapsed, 3510);
  });

  test('times out with kn’s text', async () => {
    const time = new FakeTime();
    const source: WatchSource = (_from, _on, signal) => new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
    const p = waitForReady(source, undefined, { kind: 'service', name: 'hello', timeoutMs: 10_000, errorWindowMs: 2000, clock: time, timers: time, onMessage: () => {} });
    time.advance(10_000);
    await assert.rejects(p, (e: unknown) => e instanceof KnError && e.message === "timeout: service 'hello' not ready after 10 seconds");
  });

  test('an aborted signal (Ctrl-C) stops the wait', async () => {
    const time = new FakeTime();
    const ac = new AbortController();
    let closed = false;
    const source: WatchSource = (_from, _on, signal) => new Promise((r) => signal.addEventListener('abort', () => ((closed = true), r()), { once: true }));
    const p = waitForReady(source, undefined, { kind: 'service', name: 'hello', timeoutMs: 10_000, errorWindowMs: 2000, clock: time, timers: time, onMessage: () => {}, signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof KnError && e.code === 'SKIFF_ERR_KN_INTERRUPTED');
    assert.equal(closed, true, 'the watch is closed');
  });

  test('a closed watch is reopened from the last resourceVersion seen', async () => {
    const time = new FakeTime();
    const seen: Array<string | undefined> = [];
    let call = 0;
    const source: WatchSource = async (from, onEvent) => {
      seen.push(from);
      call++;
      if (call === 1) onEvent({ type: 'MODIFIED', object: ksvc(1, 1, { status: 'Unknown', message: 'm' }, '7') });
      if (call === 2) onEvent({ type: 'MODIFIED', object: ksvc(1, 1, { status: 'True' }, '8') });
      // The stream ends at once (server timeout); the waiter pauses, then reopens.
      setImmediate(() => time.advance(200));
    };
    await waitForReady(source, '5', { kind: 'service', name: 'hello', timeoutMs: 600_000, errorWindowMs: 2000, clock: time, timers: time, onMessage: () => {} });
    assert.deepEqual(seen, ['5', '7']);
  });

  test('isReady needs the current generation observed and Ready=True', () => {
    assert.equal(isReady(ksvc(2, 2, { status: 'True' })), true);
    assert.equal(isReady(ksvc(2, 1, { status: 'True' })), false);
    assert.equal(isReady(ksvc(2, 2, { status: 'Unknown' })), false);
  });

  test('formatElapsed is %7.3f of rounded milliseconds', () => {
    assert.equal(formatElapsed(34.4), '  0.034');
    assert.equal(formatElapsed(15143), ' 15.143');
    assert.equal(formatElapsed(0), '  0.000');
  });
});
