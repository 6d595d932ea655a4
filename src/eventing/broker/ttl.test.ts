import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { BrokerTtlExpiredError, carryTtlToReply, nextTtl, readTtl, stampIngressEvent, stripTtl } from './ttl.js';

const ev = (extra: Record<string, unknown> = {}): CloudEventRecord => ({ specversion: '1.0', id: 'e', source: '/s', type: 't', ...extra }) as CloudEventRecord;

test('TTL: absent or junk → 255; present (number or header string) → decremented', () => {
  assert.equal(nextTtl(ev()), 255);
  assert.equal(nextTtl(ev({ knativebrokerttl: 'abc' })), 255);
  assert.equal(nextTtl(ev({ knativebrokerttl: 10 })), 9);
  assert.equal(nextTtl(ev({ knativebrokerttl: ' 10 ' })), 9);
  assert.equal(nextTtl(ev({ knativebrokerttl: 1 })), 0);
  assert.equal(nextTtl(ev(), 7), 7);
  assert.equal(readTtl(ev({ knativebrokerttl: 1.5 })), undefined);
});

test('ingress stamping sets TTL and arrival time in place; TTL 1 or less is refused with 400', () => {
  const e = ev({ knativebrokerttl: '3' });
  const out = stampIngressEvent(e, '2024-01-01T00:00:00.000Z');
  assert.equal(out, e);
  assert.equal(e.knativebrokerttl, 2);
  assert.equal(e.knativearrivaltime, '2024-01-01T00:00:00.000Z');
  for (const ttl of [1, 0, -4, '1']) {
    assert.throws(
      () => stampIngressEvent(ev({ knativebrokerttl: ttl }), 'x'),
      (err: unknown) => err instanceof BrokerTtlExpiredError && err.httpStatus === 400 && /knativebrokerttl/.test(err.message),
    );
  }
});

test('strip before the subscriber (copy), carry back onto the reply', () => {
  const stored = ev({ knativebrokerttl: 200, knativearrivaltime: 't' });
  const sent = stripTtl(stored);
  assert.equal(sent.knativebrokerttl, undefined);
  assert.equal(stored.knativebrokerttl, 200, 'stored event untouched');
  assert.equal(sent.knativearrivaltime, 't');
  assert.equal(stripTtl(sent), sent, 'no TTL: no copy');
  const reply = ev({ knativebrokerttl: 999 });
  assert.equal(carryTtlToReply(reply, stored).knativebrokerttl, 200);
  assert.equal(carryTtlToReply(ev({ knativebrokerttl: 5 }), ev()).knativebrokerttl, undefined);
});
