import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProbe, FAST_READINESS_MIN_MS, probeDelayMs, probePeriodOverride, ProbeTracker, PROBE_PERIOD_ANNOTATION } from './probes.js';
import type { PortMapping } from './ports.js';

const mappings: PortMapping[] = [{ container: 'app', name: 'http', containerPort: 8080, hostPort: 41000 }];
const ctx = { container: 'app', mappings };

describe('compileProbe', () => {
  test('Kubernetes defaults', () => {
    const p = compileProbe('readiness', { tcpSocket: { port: 8080 } }, ctx)!;
    assert.deepEqual(p, { kind: 'readiness', handler: { type: 'tcp', host: '127.0.0.1', port: 41000 }, initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
  });
  test('httpGet by port name with headers and path; explicit timings', () => {
    const p = compileProbe('liveness', { httpGet: { port: 'http', path: 'healthz', httpHeaders: [{ name: 'X-A', value: 'b' }] }, initialDelaySeconds: 2, periodSeconds: 3, timeoutSeconds: 4, failureThreshold: 5, successThreshold: 7 }, ctx)!;
    assert.deepEqual(p.handler, { type: 'http', scheme: 'http', host: '127.0.0.1', port: 41000, path: '/healthz', headers: [['X-A', 'b']] });
    assert.equal(p.initialDelayMs, 2000);
    assert.equal(p.periodMs, 3000);
    assert.equal(p.timeoutMs, 4000);
    assert.equal(p.failureThreshold, 5);
    assert.equal(p.successThreshold, 1, 'liveness success threshold is always 1');
  });
  test('exec, unknown named port, missing handler, period override', () => {
    assert.deepEqual(compileProbe('readiness', { exec: { command: ['cat', '/tmp/ready'] } }, ctx)!.handler, { type: 'exec', command: ['cat', '/tmp/ready'] });
    assert.deepEqual(compileProbe('readiness', { httpGet: { port: 'metrics' } }, ctx)!.handler, { type: 'invalid', message: 'couldn\'t find port "metrics" in container app' });
    assert.equal(compileProbe('readiness', {}, ctx)!.handler.type, 'invalid');
    assert.equal(compileProbe('readiness', undefined, ctx), undefined);
    assert.equal(compileProbe('readiness', { tcpSocket: { port: 8080 }, periodSeconds: 10 }, { ...ctx, periodOverrideMs: 25 })!.periodMs, 25);
  });
  test('probe period: agent override, then pod annotation', () => {
    const pod: any = { metadata: { annotations: { [PROBE_PERIOD_ANNOTATION]: '50' } } };
    assert.equal(probePeriodOverride(pod), 50);
    assert.equal(probePeriodOverride(pod, 5), 5);
    assert.equal(probePeriodOverride({ metadata: {} } as any), undefined);
    assert.equal(probePeriodOverride({ metadata: { annotations: { [PROBE_PERIOD_ANNOTATION]: 'soon' } } } as any), undefined);
  });
});

describe('ProbeTracker thresholds', () => {
  test('readiness starts not ready and needs successThreshold successes; failureThreshold failures to drop', () => {
    const t = new ProbeTracker({ kind: 'readiness', successThreshold: 2, failureThreshold: 2 });
    assert.equal(t.ok, false);
    assert.equal(t.record(true), false);
    assert.equal(t.record(true), true);
    assert.equal(t.ok, true);
    assert.equal(t.record(false), false);
    assert.equal(t.record(true), false);
    assert.equal(t.record(false), false);
    assert.equal(t.record(false), true);
    assert.equal(t.ok, false);
  });
  test('liveness starts ok; startup is exhausted after failureThreshold failures', () => {
    assert.equal(new ProbeTracker({ kind: 'liveness', successThreshold: 1, failureThreshold: 3 }).ok, true);
    const s = new ProbeTracker({ kind: 'startup', successThreshold: 1, failureThreshold: 2 });
    s.record(false);
    assert.equal(s.exhausted, false);
    s.record(false);
    assert.equal(s.exhausted, true);
  });
});

describe('probeDelayMs: fast first readiness', () => {
  const http = compileProbe('readiness', { httpGet: { port: 8080 } }, ctx)!;
  const tcp = compileProbe('readiness', { tcpSocket: { port: 8080 } }, ctx)!;
  const notYet = (sinceStartMs: number) => ({ everSucceeded: false, sinceStartMs });

  test('an HTTP/TCP readiness probe that never succeeded retries at 1/16 of the time since start, from 1 ms up to the period', () => {
    assert.equal(probeDelayMs(http, notYet(0)), FAST_READINESS_MIN_MS);
    assert.equal(probeDelayMs(http, notYet(10)), 1, 'early on: the floor');
    assert.equal(probeDelayMs(http, notYet(30)), 1);
    assert.equal(probeDelayMs(http, notYet(400)), 25);
    assert.equal(probeDelayMs(tcp, notYet(8_000)), 500);
    assert.equal(probeDelayMs(http, notYet(60_000)), 3750);
    assert.equal(probeDelayMs(http, notYet(600_000)), 10_000, 'never slower than the period');
    assert.equal(probeDelayMs(http, notYet(-5)), 1, 'a clock step backwards does not break it');
  });

  test('a short period (probe-period-ms) still caps the delay', () => {
    const fast = compileProbe('readiness', { httpGet: { port: 8080 } }, { ...ctx, periodOverrideMs: 25 })!;
    assert.equal(probeDelayMs(fast, notYet(10)), 1);
    assert.equal(probeDelayMs(fast, notYet(200)), 12);
    assert.equal(probeDelayMs(fast, notYet(1000)), 25);
    const tiny = compileProbe('readiness', { httpGet: { port: 8080 } }, { ...ctx, periodOverrideMs: 2 })!;
    assert.equal(probeDelayMs(tiny, notYet(100)), 2, 'a period shorter than the fast delay wins');
  });

  test('after the first success the period applies again (successThreshold and failure counting keep their meaning)', () => {
    assert.equal(probeDelayMs(http, { everSucceeded: true, sinceStartMs: 40 }), 10_000);
  });

  test('exec readiness, and startup / liveness probes, always wait their period', () => {
    const exec = compileProbe('readiness', { exec: { command: ['true'] } }, ctx)!;
    assert.equal(probeDelayMs(exec, notYet(40)), 10_000);
    assert.equal(probeDelayMs(compileProbe('startup', { httpGet: { port: 8080 } }, ctx)!, notYet(40)), 10_000);
    assert.equal(probeDelayMs(compileProbe('liveness', { tcpSocket: { port: 8080 } }, ctx)!, notYet(40)), 10_000);
    const invalid = compileProbe('readiness', { httpGet: { port: 'nope' } }, ctx)!;
    assert.equal(probeDelayMs(invalid, notYet(40)), 10_000, 'a probe that cannot work is not hammered');
  });
});
