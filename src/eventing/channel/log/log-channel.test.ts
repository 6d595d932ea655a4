import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChannelContract, FakeNetwork, eventually, makeEvent } from '../contract.js';
import type { ChannelDeps } from '../channel.js';
import { EventLog } from './event-log.js';
import { LogChannel } from './log-channel.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-log-channel-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function openLog(file: string, deps: ChannelDeps): EventLog {
  return EventLog.open({ file, clock: deps.clock, retentionIntervalMs: 0, synchronous: 'normal' });
}

runChannelContract('log (SQLite)', {
  capabilities: { durable: true, ordered: true, publishWaitsForDelivery: false, retriesDeadLetterSink: true },
  create: (deps) => {
    const file = join(root, `contract-${n++}.db`);
    let log = openLog(file, deps);
    let backend = new LogChannel({ log, key: 'broker/ns/b', deps });
    return {
      backend,
      async reopen(newDeps) {
        await backend.close();
        await log.close();
        log = openLog(file, newDeps);
        backend = new LogChannel({ log, key: 'broker/ns/b', deps: newDeps });
        return backend;
      },
      async cleanup() {
        await backend.close();
        await log.close();
      },
    };
  },
});

describe('log channel specifics', () => {
  test('events round-trip through SQLite: JSON data, bytes, text, extensions', async () => {
    const net = new FakeNetwork().sink('http://s/');
    const file = join(root, `roundtrip.db`);
    let log = openLog(file, net.deps);
    let ch = new LogChannel({ log, key: 'k', deps: net.deps });
    ch.setSubscribers([{ uid: 's', subscriberUri: 'http://s/' }]);
    await ch.close(); // subscriber attached (cursor at 0), then we stop delivering
    ch = new LogChannel({ log, key: 'k', deps: net.deps });
    const events = [
      makeEvent('json', { data: { a: [1, 'x', null] }, ext1: 'v', extint: 42, extbool: true }),
      makeEvent('bytes', { datacontenttype: 'application/octet-stream', data: Buffer.from([0, 1, 2, 255]) }),
      makeEvent('text', { datacontenttype: 'text/plain', data: 'héllo' }),
      makeEvent('nodata', { data: undefined }),
      makeEvent('null', { data: null }),
    ];
    await ch.publish(events);
    await ch.close();
    await log.close();
    log = openLog(file, net.deps); // nothing in the in-memory tail: reads come from SQLite
    ch = new LogChannel({ log, key: 'k', deps: net.deps });
    ch.setSubscribers([{ uid: 's', subscriberUri: 'http://s/' }]);
    await eventually(() => net.to('http://s/').length === events.length, 'all delivered from disk');
    const got = new Map(net.to('http://s/').map((r) => [r.event.id, r.event]));
    assert.deepEqual(got.get('json'), events[0]);
    assert.deepEqual(got.get('bytes')!.data, Buffer.from([0, 1, 2, 255]));
    assert.equal(got.get('text')!.data, 'héllo');
    assert.equal('data' in got.get('nodata')!, false);
    assert.equal(got.get('null')!.data, null);
    await ch.close();
    await log.close();
  });

  test('group commit: concurrent publishes share one transaction and get consecutive seqs', async () => {
    const net = new FakeNetwork();
    const log = openLog(join(root, 'group.db'), net.deps);
    const ch = new LogChannel({ log, key: 'k', deps: net.deps });
    await Promise.all(Array.from({ length: 50 }, (_, i) => ch.publish([makeEvent(`e${i}`)])));
    assert.equal(ch.stream.head, 50);
    const stored = log.readFrom(ch.stream, 1, 100);
    assert.equal(stored.length, 50);
    assert.deepEqual(stored.map((s) => s.seq), Array.from({ length: 50 }, (_, i) => i + 1));
    await ch.close();
    await log.close();
  });

  test('a new subscriber starts at the head; cursors are durable and lag is reported', async () => {
    const net = new FakeNetwork().sink('http://s/');
    const file = join(root, 'cursor.db');
    let log = openLog(file, net.deps);
    let ch = new LogChannel({ log, key: 'k', deps: net.deps });
    await ch.publish([makeEvent('before')]);
    ch.setSubscribers([{ uid: 's', subscriberUri: 'http://s/' }]);
    await ch.publish([makeEvent('after1'), makeEvent('after2')]);
    await eventually(() => net.to('http://s/').length === 2, 'delivered');
    assert.deepEqual(net.idsTo('http://s/'), ['after1', 'after2']);
    await ch.drained();
    assert.equal(ch.stats().subscribers[0]!.lag, 0);
    await ch.close();
    await log.close();
    log = openLog(file, net.deps);
    ch = new LogChannel({ log, key: 'k', deps: net.deps });
    assert.equal(log.cursorOf(ch.stream, 's'), 3);
    await ch.close();
    await log.close();
  });

  test('retention: events every subscriber passed are pruned; maxEvents makes a laggard skip (lostToRetention)', async () => {
    const net = new FakeNetwork().sink('http://fast/');
    const log = openLog(join(root, 'retention.db'), net.deps);
    const ch = new LogChannel({ log, key: 'k', deps: net.deps, retention: { maxEvents: 5 }, window: 1 });
    ch.setSubscribers([{ uid: 'fast', subscriberUri: 'http://fast/' }]);
    await ch.publish(Array.from({ length: 10 }, (_, i) => makeEvent(`a${i}`)));
    await ch.drained();
    assert.equal(log.prune(), 10, 'all passed by the only subscriber');
    assert.equal(ch.stream.firstSeq, 11);
    assert.deepEqual(log.readFrom(ch.stream, 1, 100), []);

    // A subscriber stuck on its first event holds back pruning by cursor, but not maxEvents.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    net.on('http://slow/', async () => {
      await gate;
      return { status: 202 };
    });
    ch.setSubscribers([
      { uid: 'fast', subscriberUri: 'http://fast/' },
      { uid: 'slow', subscriberUri: 'http://slow/' },
    ]);
    await ch.publish(Array.from({ length: 12 }, (_, i) => makeEvent(`b${i}`)));
    await eventually(() => net.to('http://fast/').length === 22, 'fast got b*');
    assert.equal(log.prune(), 7, 'maxEvents 5 keeps seqs 18..22');
    assert.equal(ch.stream.firstSeq, 18);
    release();
    await ch.drained();
    const slow = ch.stats().subscribers.find((s) => s.uid === 'slow')!;
    // b0 was in flight (delivered); b1..b6 (seqs 12..17) were pruned before it got them.
    assert.equal(slow.lostToRetention, 6);
    assert.deepEqual(net.idsTo('http://slow/'), ['b0', 'b7', 'b8', 'b9', 'b10', 'b11']);
    await ch.close();
    await log.close();
  });

  test('retention by age deletes old events; detached cursors stop pinning after the grace period', async () => {
    const net = new FakeNetwork().on('http://s/', () => new Promise<never>(() => {}));
    const log = EventLog.open({ file: join(root, 'age.db'), clock: net.deps.clock, retentionIntervalMs: 0, detachedCursorGraceMs: 60_000 });
    const ch = new LogChannel({ log, key: 'k', deps: net.deps, retention: { maxAgeMs: 3_600_000 } });
    ch.setSubscribers([{ uid: 's', subscriberUri: 'http://s/' }]);
    await ch.publish([makeEvent('old')]);
    net.advance(3_000_000);
    await ch.publish([makeEvent('new')]);
    assert.equal(log.prune(), 0, 'subscriber s has finished nothing');
    net.advance(1_000_000);
    assert.equal(log.prune(), 1, 'old is older than an hour');
    assert.equal(ch.stream.firstSeq, 2);
    ch.setSubscribers([]);
    assert.equal(log.prune(), 0, 'detached cursor still pins within grace');
    net.advance(60_000);
    assert.equal(log.prune(), 1, 'grace over: nothing pins the stream');
    assert.equal(log.cursorOf(ch.stream, 's'), undefined);
    await ch.close();
    await log.close();
  });

  test('destroy drops the stream; the key can be reused from scratch', async () => {
    const net = new FakeNetwork();
    const log = openLog(join(root, 'destroy.db'), net.deps);
    const ch = new LogChannel({ log, key: 'k', deps: net.deps });
    await ch.publish([makeEvent('e1')]);
    await ch.destroy();
    assert.deepEqual(log.streamKeys(), []);
    const again = new LogChannel({ log, key: 'k', deps: net.deps });
    assert.equal(again.stream.head, 0);
    await again.close();
    await log.close();
  });
});
