// Process tests: the compiled autoscale-go program.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startImage, type RunningImage } from '../testing.js';

describe('autoscale-go image', { timeout: 10_000 }, () => {
  let img: RunningImage;
  before(async () => {
    img = await startImage('gcr.io/knative-samples/autoscale-go:0.1');
  });
  after(async () => img.kill());

  test('sleep=100 takes at least 100 ms and reports it like the sample', async () => {
    const t0 = performance.now();
    const res = await fetch(img.url('/?sleep=100'));
    const text = await res.text();
    assert.ok(performance.now() - t0 >= 100);
    assert.equal(res.status, 200);
    assert.match(text, /^Slept for 1\d\d\.\d\d milliseconds\.\n$/);
  });

  test('20 concurrent sleeps overlap (the sleep does not block the process)', async () => {
    const t0 = performance.now();
    const texts = await Promise.all(Array.from({ length: 20 }, () => fetch(img.url('/?sleep=1000')).then((r) => r.text())));
    const took = performance.now() - t0;
    // Serial sleeps would take 20 s; overlapping ones about 1 s. A wide bound keeps this stable on a busy machine.
    assert.ok(took < 6000, `20 × 1000 ms took ${took.toFixed(0)} ms`);
    for (const t of texts) assert.match(t, /^Slept for \d+\.\d\d milliseconds\.\n$/);
  });

  test('sleep, prime and bloat together answer with the documented lines', async () => {
    const text = await (await fetch(img.url('/?sleep=20&prime=10000&bloat=5'))).text();
    assert.match(text, /^Allocated 5 Mb of memory\.\nThe largest prime less than 10000 is 9973\.\nSlept for \d+\.\d\d milliseconds\.\n$/);
  });

  test('bad parameters get 400 with Go\'s error text', async () => {
    const res = await fetch(img.url('/?sleep=abc'));
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'strconv.Atoi: parsing "abc": invalid syntax\n');
    const none = await fetch(img.url('/'));
    assert.equal(none.status, 200);
    assert.equal(await none.text(), '');
  });
});
