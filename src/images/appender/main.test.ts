// Process tests: the compiled appender program replies with the transformed event.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseRfc3339 } from '../lib/go-compat.cjs';
import { startImage, type RunningImage } from '../testing.js';

const event = {
  'Ce-Id': '00001',
  'Ce-Specversion': '1.0',
  'Ce-Type': 'com.magedu.file.image',
  'Ce-Source': 'curl',
  'Ce-Traceid': 'abc',
  'Content-Type': 'application/json',
};

describe('appender image', { timeout: 10_000 }, () => {
  let img: RunningImage;
  before(async () => {
    img = await startImage('ikubernetes/appender', { env: { MESSAGE: ' - Handled by SQ-01' } });
  });
  after(async () => img.kill());

  test('replies 200 in binary mode: same id and attributes, message appended, time defaulted', async () => {
    const res = await fetch(img.url('/'), { method: 'POST', headers: event, body: '{"msg":"Hello Sequence"}' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ce-id'), '00001');
    assert.equal(res.headers.get('ce-source'), 'curl');
    assert.equal(res.headers.get('ce-type'), 'com.magedu.file.image');
    assert.equal(res.headers.get('ce-specversion'), '1.0');
    assert.equal(res.headers.get('ce-traceid'), 'abc');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.ok(parseRfc3339(res.headers.get('ce-time') ?? ''), 'ce-time is RFC3339');
    assert.equal(await res.text(), '{"id":0,"message":" - Handled by SQ-01"}');
    assert.match(img.stderr(), /Received a new event: \n.*\[0001-01-01 00:00:00 \+0000 UTC\] curl com\.magedu\.file\.image: &\{Sequence:0 Message:\}\n/);
  });

  test('keeps the given time and appends to an existing message', async () => {
    const res = await fetch(img.url('/'), {
      method: 'POST',
      headers: { ...event, 'Ce-Time': '2022-05-11T08:27:45.262726535Z' },
      body: '{"id":4,"message":"start"}',
    });
    assert.equal(res.headers.get('ce-time'), '2022-05-11T08:27:45.262726535Z');
    assert.equal(await res.text(), '{"id":4,"message":"start - Handled by SQ-01"}');
  });

  test('undecodable data gets 400', async () => {
    const res = await fetch(img.url('/'), { method: 'POST', headers: event, body: '{"id":"x"}' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /got error while unmarshalling data: json: cannot unmarshal string/);
  });

  test('TYPE overrides the reply type', async () => {
    const typed = await startImage('ikubernetes/appender', { env: { MESSAGE: '!', TYPE: 'samples.http.mod3' } });
    try {
      const res = await fetch(typed.url('/'), { method: 'POST', headers: event, body: '{"message":"m"}' });
      assert.equal(res.headers.get('ce-type'), 'samples.http.mod3');
      assert.equal(await res.text(), '{"id":0,"message":"m!"}');
    } finally {
      await typed.kill();
    }
  });
});
