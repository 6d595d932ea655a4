// Process tests: the compiled filter-nodejs program.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type RunningImage } from '../testing.js';

const headers = (type: string): Record<string, string> => ({
  'Ce-Id': '00001',
  'Ce-Specversion': '1.0',
  'Ce-Type': type,
  'Ce-Source': 'curl',
  'Content-Type': 'application/json',
});

describe('filter-nodejs image', { timeout: 10_000 }, () => {
  let img: RunningImage;
  before(async () => {
    img = await startImage('villardl/filter-nodejs:0.1', { env: { FILTER: 'event.type == "com.magedu.file.image"' } });
  });
  after(async () => img.kill());

  test('a matching event is echoed back unchanged with 200', async () => {
    const res = await fetch(img.url('/'), { method: 'POST', headers: headers('com.magedu.file.image'), body: '{"msg":"Hello Parallel"}' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ce-id'), '00001');
    assert.equal(res.headers.get('ce-type'), 'com.magedu.file.image');
    assert.equal(res.headers.get('ce-source'), 'curl');
    assert.equal(res.headers.get('ce-time'), null, 'no time invented');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), '{"msg":"Hello Parallel"}');
  });

  test('a non-matching event gets 202 with no body', async () => {
    const res = await fetch(img.url('/'), { method: 'POST', headers: headers('com.magedu.file.text'), body: '{"msg":"Hello Parallel"}' });
    assert.equal(res.status, 202);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('ce-id'), null);
  });

  test('an invalid FILTER makes the process exit 1 with a clear message', async () => {
    const bad = await startImage('villardl/filter-nodejs', { env: { FILTER: 'event.type ==' }, waitForPort: false });
    const status = await bad.exited(3000);
    assert.equal(status.code, 1);
    assert.match(bad.stderr(), /invalid FILTER expression "event\.type =="/);
    const missing = await startImage('villardl/filter-nodejs', { waitForPort: false });
    assert.equal((await missing.exited(3000)).code, 1);
    assert.match(missing.stderr(), /environment variable FILTER is missing/);
  });
});
