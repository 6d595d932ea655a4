import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../controller/clock.js';
import {
  cpuMillisBetween,
  parseProcStatCpu,
  parseProcStatmResidentPages,
  ProcMetricsReader,
} from './proc-metrics.js';

/** A /proc/<pid>/stat line with the given utime, stime and starttime (fields 14, 15, 22). */
function statLine(pid: number, comm: string, utime: number, stime: number, start: number): string {
  const f = ['S', '1', String(pid), String(pid), '0', '-1', '4194560', '100', '0', '0', '0', String(utime), String(stime), '0', '0', '20', '0', '1', '0', String(start), '1000000', '500'];
  return `${pid} (${comm}) ${f.join(' ')} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;
}

describe('/proc parsing', () => {
  test('stat: CPU ticks and start time, with spaces and parentheses in the command name', () => {
    assert.deepEqual(parseProcStatCpu(statLine(42, 'node', 150, 50, 9000)), { cpuTicks: 200, startTicks: 9000 });
    assert.deepEqual(parseProcStatCpu(statLine(7, 'my (weird) app', 1, 2, 3)), { cpuTicks: 3, startTicks: 3 });
    assert.equal(parseProcStatCpu(''), undefined);
    assert.equal(parseProcStatCpu('garbage'), undefined);
    assert.equal(parseProcStatCpu('1 (x) S 1'), undefined);
  });

  test('statm: resident pages is the second field', () => {
    assert.equal(parseProcStatmResidentPages('12345 678 90 1 0 2000 0\n'), 678);
    assert.equal(parseProcStatmResidentPages(''), undefined);
  });

  test('millicores between samples', () => {
    // 50 ticks at 100 Hz = 0.5 s of CPU in 1 s ⇒ 500m.
    assert.equal(cpuMillisBetween(100, 150, 1_000, 100), 500);
    assert.equal(cpuMillisBetween(100, 90, 1_000, 100), 0, 'counter went back (new process): 0, not negative');
    assert.equal(cpuMillisBetween(100, 150, 0, 100), 0);
  });
});

describe('ProcMetricsReader', () => {
  function fakeProc() {
    const files = new Map<string, string>();
    return {
      files,
      readFile: async (p: string) => {
        const v = files.get(p);
        if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
        return v;
      },
    };
  }

  test('first sample: a baseline, no metrics (however busy the process was starting); next: the interval since; memory = resident pages × page size; several pids add up', async () => {
    const clock = new FakeClock();
    const proc = fakeProc();
    proc.files.set('/proc/10/stat', statLine(10, 'node', 100, 100, 9000)); // 2 s of CPU already spent starting
    proc.files.set('/proc/10/statm', '5000 1000 0 0 0 0 0');
    proc.files.set('/proc/11/stat', statLine(11, 'sh', 0, 0, 9500));
    proc.files.set('/proc/11/statm', '100 10 0 0 0 0 0');
    const r = new ProcMetricsReader({ pidsOf: (ns, pod) => (ns === 'ns' && pod === 'p' ? [10, 11] : undefined), clock, readFile: proc.readFile });
    assert.equal(r.podUsage('ns', 'p'), undefined, 'nothing before the first sample');
    assert.equal(await r.sample('ns', 'p'), undefined, 'one sample is no rate (metrics-server needs two scrapes too)');
    clock.advance(2_000);
    proc.files.set('/proc/10/stat', statLine(10, 'node', 250, 150, 9000)); // +200 ticks in 2 s ⇒ 1000m
    await r.prepare([{ namespace: 'ns', pod: 'p' }]);
    assert.deepEqual(r.podUsage('ns', 'p'), { cpuMillis: 1000, memoryBytes: 1010 * 4096 });
    clock.advance(1_000);
    assert.deepEqual(await r.sample('ns', 'p'), { cpuMillis: 0, memoryBytes: 1010 * 4096 }, 'idle since: 0m');
  });

  test('a recycled pid (new start time) is a new baseline, not compared with the old process', async () => {
    const clock = new FakeClock();
    const proc = fakeProc();
    proc.files.set('/proc/10/stat', statLine(10, 'a', 500, 0, 1000));
    proc.files.set('/proc/10/statm', '0 1 0');
    proc.files.set('/proc/12/stat', statLine(12, 'c', 0, 0, 1000));
    proc.files.set('/proc/12/statm', '0 1 0');
    let pids = [10];
    const r = new ProcMetricsReader({ pidsOf: () => pids, clock, readFile: proc.readFile, pageSizeBytes: 16384 });
    await r.sample('ns', 'p');
    clock.advance(1_000);
    proc.files.set('/proc/10/stat', statLine(10, 'b', 10, 0, 19_000));
    assert.equal(await r.sample('ns', 'p'), undefined, 'the only process is new: no rate yet');
    clock.advance(1_000);
    proc.files.set('/proc/10/stat', statLine(10, 'b', 60, 0, 19_000)); // +50 ticks in 1 s ⇒ 500m
    pids = [10, 12]; // a second container appears: counted in memory, CPU from its next sample on
    assert.deepEqual(await r.sample('ns', 'p'), { cpuMillis: 500, memoryBytes: 2 * 16384 });
  });

  test('a pod whose processes are gone reads as no metrics', async () => {
    const proc = fakeProc();
    const r = new ProcMetricsReader({ pidsOf: () => [99], clock: new FakeClock(), readFile: proc.readFile });
    assert.equal(await r.sample('ns', 'p'), undefined);
    const none = new ProcMetricsReader({ pidsOf: () => undefined, clock: new FakeClock(), readFile: proc.readFile });
    assert.equal(await none.sample('ns', 'p'), undefined);
  });

  test('pods not sampled for a while are forgotten', async () => {
    const clock = new FakeClock();
    const proc = fakeProc();
    proc.files.set('/proc/1/stat', statLine(1, 'x', 1, 1, 1));
    proc.files.set('/proc/1/statm', '1 1');
    const r = new ProcMetricsReader({ pidsOf: () => 1, clock, readFile: proc.readFile, forgetAfterMs: 60_000 });
    await r.sample('ns', 'old');
    clock.advance(1_000);
    await r.sample('ns', 'old');
    assert.ok(r.podUsage('ns', 'old'));
    clock.advance(61_000);
    await r.sample('ns', 'new');
    clock.advance(1_000);
    await r.sample('ns', 'new');
    assert.equal(r.podUsage('ns', 'old'), undefined);
    assert.ok(r.podUsage('ns', 'new'));
  });

  test('reads this very process from the real /proc (Linux)', { skip: process.platform !== 'linux' }, async () => {
    const r = new ProcMetricsReader({ pidsOf: () => process.pid });
    assert.equal(await r.sample('ns', 'self'), undefined);
    const until = Date.now() + 30;
    while (Date.now() < until); // burn a little CPU between the samples
    const u = await r.sample('ns', 'self');
    assert.ok(u, 'got a sample');
    assert.ok(u.memoryBytes > 1024 * 1024, `RSS ${u.memoryBytes} looks like a Node process`);
    assert.ok(u.cpuMillis >= 0);
  });
});
