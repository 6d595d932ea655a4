import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runChannelContract, FakeNetwork, eventually, makeEvent } from '../contract.js';
import { MemoryChannel } from './memory-channel.js';

runChannelContract('memory (synchronous handler, Knative default)', {
  capabilities: { durable: false, ordered: false, publishWaitsForDelivery: true, retriesDeadLetterSink: false },
  create: (deps) => {
    const backend = new MemoryChannel({ deps });
    return { backend, cleanup: () => backend.close() };
  },
});

runChannelContract('memory (asyncHandler)', {
  capabilities: { durable: false, ordered: false, publishWaitsForDelivery: false, retriesDeadLetterSink: false },
  create: (deps) => {
    const backend = new MemoryChannel({ deps, asyncHandler: true });
    return { backend, cleanup: () => backend.close() };
  },
});

describe('memory channel: synchronous fan-out results', () => {
  test('publish resolves after every subscriber finished, and rejects (500) when one lost the event', async () => {
    const net = new FakeNetwork().sink('http://ok/').on('http://bad/', () => ({ status: 500 }));
    const ch = new MemoryChannel({ deps: net.deps, name: 'channel ns/imc' });
    ch.setSubscribers([{ uid: 'ok', subscriberUri: 'http://ok/' }]);
    await ch.publish([makeEvent('e1')]);
    assert.equal(net.to('http://ok/').length, 1, 'delivered before publish resolved');

    ch.setSubscribers([
      { uid: 'ok', subscriberUri: 'http://ok/' },
      { uid: 'bad', subscriberUri: 'http://bad/' },
    ]);
    await assert.rejects(ch.publish([makeEvent('e2')]), (err: Error & { httpStatus?: number; code?: string }) => {
      assert.equal(err.httpStatus, 500);
      assert.equal(err.code, 'SKIFF_ERR_CHANNEL_FANOUT_FAILED');
      assert.match(err.message, /channel ns\/imc: 1 of 2/);
      return true;
    });
    await ch.close();
  });

  test('fan-out timeout rejects publish; deliveries are abandoned on close', async () => {
    const net = new FakeNetwork().on('http://hang/', () => new Promise<never>(() => {}));
    const ch = new MemoryChannel({ deps: net.deps, fanoutTimeoutMs: 20 });
    ch.setSubscribers([{ uid: 'h', subscriberUri: 'http://hang/' }]);
    await assert.rejects(ch.publish([makeEvent('e1')]), /did not finish within 20 ms/);
    await ch.close();
    assert.equal(ch.stats().subscribers[0]!.inFlight, 0);
  });

  test('no subscribers: publish accepts and drops', async () => {
    const ch = new MemoryChannel({ deps: new FakeNetwork().deps });
    await ch.publish([makeEvent('e1')]);
    assert.equal(ch.stats().published, 1);
    await ch.close();
  });

  test('async handler: publish resolves before the subscriber answers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const net = new FakeNetwork().on('http://s/', async () => {
      await gate;
      return { status: 202 };
    });
    const ch = new MemoryChannel({ deps: net.deps, asyncHandler: true });
    ch.setSubscribers([{ uid: 's', subscriberUri: 'http://s/' }]);
    await ch.publish([makeEvent('e1')]);
    assert.equal(ch.stats().subscribers[0]!.delivered, 0);
    release();
    await eventually(() => ch.stats().subscribers[0]!.delivered === 1, 'delivered in background');
    await ch.close();
  });
});
