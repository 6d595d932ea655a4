import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { KNATIVE_ERROR_DATA_MAX_LENGTH, knativeErrorData, makeDeadLetterEvent } from './dead-letter.js';
import type { CloudEventRecord } from '../cloudevents/event.js';

const event: CloudEventRecord = { specversion: '1.0', id: 'e1', source: '/s', type: 't', region: 'eu', data: { a: 1 } };

describe('makeDeadLetterEvent', () => {
  test('adds dest, code and base64 body; keeps the original event intact', () => {
    const dl = makeDeadLetterEvent(event, { destination: 'http://sub.default.svc.cluster.local/', status: 503, body: Buffer.from('overloaded') });
    assert.equal(dl.knativeerrordest, 'http://sub.default.svc.cluster.local/');
    assert.equal(dl.knativeerrorcode, 503);
    assert.equal(dl.knativeerrordata, Buffer.from('overloaded').toString('base64'));
    assert.equal(dl.id, 'e1');
    assert.equal(dl.region, 'eu');
    assert.deepEqual(dl.data, { a: 1 });
    assert.equal(event.knativeerrorcode, undefined, 'input not mutated');
  });

  test('network errors report 500 and "dispatch error: …" as the data, like Knative', () => {
    const dl = makeDeadLetterEvent(event, { destination: 'http://x/', error: 'connect ECONNREFUSED 127.0.0.1:1' });
    assert.equal(dl.knativeerrorcode, 500);
    assert.equal(Buffer.from(dl.knativeerrordata as string, 'base64').toString(), 'dispatch error: connect ECONNREFUSED 127.0.0.1:1');
  });

  test('empty body → no knativeerrordata; stale values from an earlier hop are replaced', () => {
    const dl = makeDeadLetterEvent({ ...event, knativeerrordata: 'old' }, { destination: 'http://x/', status: 400, body: Buffer.alloc(0) });
    assert.equal('knativeerrordata' in dl, false);
    assert.equal(dl.knativeerrorcode, 400);
  });

  test('knativeerrordata is truncated to 1024 base64 characters, still decodable', () => {
    const body = Buffer.alloc(5000, 0x41);
    const data = knativeErrorData(body)!;
    assert.equal(data.length, KNATIVE_ERROR_DATA_MAX_LENGTH);
    assert.equal(data, body.toString('base64').slice(0, 1024), 'same prefix as truncating the full base64 text');
    assert.equal(Buffer.from(data, 'base64').length, 768);
    const small = knativeErrorData(Buffer.from('abcd'))!;
    assert.equal(small, 'YWJjZA==');
  });
});
