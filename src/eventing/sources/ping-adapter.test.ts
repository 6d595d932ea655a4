import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../controller/clock.js';
import type { CloudEventRecord } from '../cloudevents/event.js';
import type { SendFn } from '../delivery/dispatcher.js';
import { PingAdapter, makePingEvent, nextPingTime, type PingJob } from './ping-adapter.js';
import { pingJobOf } from './pingsource.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 30); // 00:00:30Z

function recorder(status = 202) {
  const got: Array<{ url: string; ev: CloudEventRecord; at: number }> = [];
  const clockRef: { c?: FakeClock } = {};
  const send: SendFn = async (url, ev) => {
    got.push({ url, ev, at: clockRef.c!.now() });
    return { status, headers: {}, body: Buffer.alloc(0) };
  };
  return { got, send, clockRef };
}

const flush = () => new Promise((r) => setImmediate(r));

const job = (over: Partial<PingJob> = {}): PingJob => ({ namespace: 'default', name: 'ps1', schedule: '* * * * *', sinkUri: 'http://sink.local/', ...over });

describe('nextPingTime', () => {
  const cases: Array<[string, string | undefined, number, number]> = [
    ['* * * * *', undefined, T0, Date.UTC(2024, 0, 1, 0, 1, 0)],
    ['*/5 * * * *', undefined, T0, Date.UTC(2024, 0, 1, 0, 5, 0)],
    ['*/10 * * * * *', undefined, T0, Date.UTC(2024, 0, 1, 0, 0, 40)], // leading seconds field
    ['@hourly', undefined, T0, Date.UTC(2024, 0, 1, 1, 0, 0)],
    ['0 9 * * *', 'Asia/Shanghai', T0, Date.UTC(2024, 0, 1, 1, 0, 0)], // 09:00 +08:00
    ['0 9 * * *', undefined, T0, Date.UTC(2024, 0, 1, 9, 0, 0)],
  ];
  for (const [schedule, tz, after, want] of cases)
    test(`${schedule} ${tz ?? 'UTC'}`, () => assert.equal(new Date(nextPingTime(schedule, tz, after)!).toISOString(), new Date(want).toISOString()));
});

describe('makePingEvent', () => {
  test('data as bytes, contentType, extensions, source and type', () => {
    const ev = makePingEvent(job({ data: '{"message": "hi"}', contentType: 'application/json', extensions: { the: '42' } }), 'id-1', T0);
    assert.equal(ev.type, 'dev.knative.sources.ping');
    assert.equal(ev.source, '/apis/v1/namespaces/default/pingsources/ps1');
    assert.equal(ev.specversion, '1.0');
    assert.equal(ev.id, 'id-1');
    assert.equal(ev.time, '2024-01-01T00:00:30.000Z');
    assert.equal(ev.datacontenttype, 'application/json');
    assert.equal(Buffer.from(ev.data as Uint8Array).toString(), '{"message": "hi"}');
    assert.equal(ev.the, '42');
  });
  test('dataBase64 is decoded; no data and no contentType → neither attribute', () => {
    assert.equal(Buffer.from(makePingEvent(job({ dataBase64: Buffer.from('raw').toString('base64') }), 'x', T0).data as Uint8Array).toString(), 'raw');
    const bare = makePingEvent(job(), 'x', T0);
    assert.equal('data' in bare, false);
    assert.equal('datacontenttype' in bare, false);
  });
  test('an extension cannot override a core attribute', () => {
    assert.equal(makePingEvent(job({ extensions: { type: 'evil' } }), 'x', T0).type, 'dev.knative.sources.ping');
  });
});

describe('PingAdapter', () => {
  test('fires on the minute under a fake clock, and stops when removed', async () => {
    const clock = new FakeClock(T0);
    const r = recorder();
    r.clockRef.c = clock;
    let n = 0;
    const a = new PingAdapter({ clock, send: r.send, newId: () => `id-${++n}` });
    a.upsert(job({ data: 'd' }));
    clock.advance(29_000);
    await flush();
    assert.equal(r.got.length, 0);
    clock.advance(1_000);
    await flush();
    assert.equal(r.got.length, 1);
    assert.equal(r.got[0]!.at, Date.UTC(2024, 0, 1, 0, 1, 0));
    assert.equal(r.got[0]!.ev.time, '2024-01-01T00:01:00.000Z');
    assert.equal(r.got[0]!.url, 'http://sink.local/');
    clock.advance(120_000);
    await flush();
    assert.deepEqual(r.got.map((g) => g.ev.id), ['id-1', 'id-2', 'id-3']);
    a.remove('default', 'ps1');
    assert.equal(clock.pendingTimers(), 0);
    clock.advance(600_000);
    await flush();
    assert.equal(r.got.length, 3);
  });

  test('an unchanged upsert keeps the timer; a changed one reschedules', async () => {
    const clock = new FakeClock(T0);
    const r = recorder();
    r.clockRef.c = clock;
    const a = new PingAdapter({ clock, send: r.send });
    a.upsert(job());
    a.upsert(job());
    assert.equal(clock.pendingTimers(), 1);
    a.upsert(job({ schedule: '0 * * * *' }));
    assert.equal(clock.pendingTimers(), 1);
    clock.advance(60_000);
    await flush();
    assert.equal(r.got.length, 0);
    a.stop();
    assert.equal(clock.pendingTimers(), 0);
  });

  test('a failing sink is retried 5 times then the event is dropped', async () => {
    const clock = new FakeClock(T0);
    const r = recorder(503);
    r.clockRef.c = clock;
    const results: boolean[] = [];
    const a = new PingAdapter({ clock, send: r.send, onSent: (_j, _e, ok) => results.push(ok) });
    a.upsert(job());
    clock.advance(30_000);
    for (let i = 0; i < 10; i++) {
      await flush();
      clock.advance(2_000); // backoff sleeps are on the fake clock
    }
    await flush();
    assert.equal(r.got.length, 6);
    assert.deepEqual(results, [false]);
    a.stop();
  });
});

test('pingJobOf maps spec fields (dataBase64 wins, extensions as strings)', () => {
  const ps = {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'PingSource',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { schedule: '*/2 * * * *', timezone: 'Europe/Paris', contentType: 'text/plain', data: 'x', ceOverrides: { extensions: { a: 'b' } } },
  };
  assert.deepEqual(pingJobOf(ps, 'http://s/'), {
    namespace: 'ns',
    name: 'p',
    schedule: '*/2 * * * *',
    timezone: 'Europe/Paris',
    contentType: 'text/plain',
    data: 'x',
    extensions: { a: 'b' },
    sinkUri: 'http://s/',
  });
});
