// Watch fan-out benchmark (foundation issue, item 2): 10 concurrent HTTP
// watchers (`?watch=1`, each on its own connection) on ConfigMaps, then 1,000
// merge-patch updates spread over 10 ConfigMaps, written with 16 requests in
// flight. Each update carries its sequence number in `data.seq`, so every
// watcher can time every event. Reports, per round: the time from the first
// write until all watchers have seen all updates (end to end), the write phase
// alone, and per-event latency (write sent → event parsed by a watcher) over
// all watchers. Against `skiff up` (SQLite) and a bare API server over a
// memory store as a reference.
//   npm run build && node dist/bench/foundation/watch.bench.js [--rounds=5] [--watchers=10] [--updates=1000] [--writers=16]
// Target: ≤ 1 s end to end for 10 watchers × 1,000 events.
import { Client, Pool } from 'undici';
import { commandLine, fmt, formatTable, intArg, machineLine, median, onWatchEvents, processCpuMs, selfCpuMs, startBareApiServer, startSkiffUp, summarize, verdict, withTarget, type Summary, type Target } from './lib.js';

const NS = 'default';
const CM_PATH = `/api/v1/namespaces/${NS}/configmaps`;
const LABEL = 'bench=watch';

interface Watcher {
  /** Resolves when `expected` updates of the round have arrived. */
  done: Promise<void>;
  arrivals: Float64Array;
  close(): Promise<void>;
}

/** Open one watch from `rv` and time each MODIFIED event by its `data.seq` (0 ≤ seq < expected). */
async function openWatcher(api: string, rv: string, expected: number, round: number): Promise<Watcher> {
  const client = new Client(api, { bodyTimeout: 0, headersTimeout: 10_000 });
  const ac = new AbortController();
  const res = await client.request({ method: 'GET', path: `${CM_PATH}?watch=1&resourceVersion=${rv}&labelSelector=${encodeURIComponent(LABEL)}`, signal: ac.signal });
  if (res.statusCode !== 200) throw new Error(`watch: HTTP ${res.statusCode}: ${await res.body.text()}`);
  const arrivals = new Float64Array(expected).fill(NaN);
  let seen = 0;
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  onWatchEvents(res.body, (ev: { type: string; object: { data?: Record<string, string> } }, now, line) => {
    if (ev.type === 'ERROR') return rejectDone(new Error(`watch error: ${line}`));
    const data = ev.object?.data;
    if (ev.type !== 'MODIFIED' || data?.round !== String(round)) return;
    const seq = Number(data.seq);
    if (Number.isInteger(seq) && seq >= 0 && seq < expected && Number.isNaN(arrivals[seq]!)) {
      arrivals[seq] = now;
      if (++seen === expected) resolveDone();
    }
  });
  res.body.on('error', (e) => rejectDone(e));
  res.body.on('end', () => rejectDone(new Error(`watch ended after ${seen}/${expected} events`)));
  return {
    done,
    arrivals,
    async close() {
      ac.abort();
      res.body.on('error', () => {});
      await client.destroy().catch(() => {});
    },
  };
}

interface RoundResult {
  endToEndMs: number;
  writePhaseMs: number;
  perEvent: Summary;
  /** CPU used during the round by the server and by this load generator (ms). */
  serverCpuMs?: number;
  clientCpuMs: number;
}

async function round(t: Target, writes: Pool, n: { watchers: number; updates: number; writers: number; configMaps: number }, r: number): Promise<RoundResult> {
  // The watch starts at the current revision: only this round's updates follow.
  const probe = await writes.request({ method: 'GET', path: `${CM_PATH}?labelSelector=${encodeURIComponent(LABEL)}` });
  const rv = ((await probe.body.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const watchers = await Promise.all(Array.from({ length: n.watchers }, () => openWatcher(t.api, rv, n.updates, r)));
  try {
    const sent = new Float64Array(n.updates);
    let next = 0;
    const writer = async () => {
      for (let i = next++; i < n.updates; i = next++) {
        const body = JSON.stringify({ data: { round: String(r), seq: String(i) } });
        sent[i] = performance.now();
        const res = await writes.request({ method: 'PATCH', path: `${CM_PATH}/cm-${i % n.configMaps}`, headers: { 'content-type': 'application/merge-patch+json' }, body });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`PATCH: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      }
    };
    const cpu0 = processCpuMs(t.pid);
    const self0 = selfCpuMs();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n.writers }, writer));
    const writePhaseMs = performance.now() - t0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(watchers.map((w) => w.done)),
      new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('watchers did not see every update within 30 s')), 30_000))),
    ]).finally(() => clearTimeout(timer));
    const cpu1 = processCpuMs(t.pid);
    const clientCpuMs = selfCpuMs() - self0;
    let last = 0;
    const perEvent: number[] = [];
    for (const w of watchers)
      for (let i = 0; i < n.updates; i++) {
        const a = w.arrivals[i]!;
        if (a > last) last = a;
        perEvent.push(a - sent[i]!);
      }
    return { endToEndMs: last - t0, writePhaseMs, perEvent: summarize(perEvent), serverCpuMs: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined, clientCpuMs };
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
  }
}

interface TargetResult {
  target: string;
  rounds: RoundResult[];
}

async function measure(t: Target, n: { watchers: number; updates: number; writers: number; configMaps: number }, rounds: number): Promise<TargetResult> {
  const writes = new Pool(t.api, { connections: n.writers, pipelining: 1, keepAliveTimeout: 60_000 });
  try {
    for (let i = 0; i < n.configMaps; i++) {
      const res = await writes.request({
        method: 'POST',
        path: CM_PATH,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { bench: 'watch' } }, data: { round: '-1', seq: '-1' } }),
      });
      await res.body.text();
      if (res.statusCode !== 201) throw new Error(`create cm-${i}: HTTP ${res.statusCode}`);
    }
    // One unmeasured round warms up JIT, connections and the store.
    await round(t, writes, { ...n, updates: Math.min(n.updates, 200) }, 0);
    const out: RoundResult[] = [];
    for (let r = 1; r <= rounds; r++) out.push(await round(t, writes, n, r));
    return { target: t.label, rounds: out };
  } finally {
    await writes.close();
  }
}

const argv = process.argv.slice(2);
const n = { watchers: intArg(argv, 'watchers', 10), updates: intArg(argv, 'updates', 1000), writers: intArg(argv, 'writers', 16), configMaps: 10 };
const rounds = intArg(argv, 'rounds', 5);
const started = performance.now();
const results: TargetResult[] = [];
for (const start of [startSkiffUp, () => startBareApiServer('memory')]) results.push(await withTarget(start, (t) => measure(t, n, rounds)));

console.log(`Watch fan-out benchmark — ${machineLine()}`);
console.log(
  `${n.watchers} HTTP watchers; ${n.updates} merge-patch updates over ${n.configMaps} ConfigMaps, ${n.writers} in flight; ${rounds} rounds (+1 warm-up). ` +
    `Times in ms; per-event = write sent → event parsed by a watcher, over all watchers; columns are medians over rounds.\n`,
);
const med = (r: TargetResult, f: (x: RoundResult) => number) => median(r.rounds.map(f));
console.log(
  formatTable(
    ['target', 'end-to-end', 'e2e min', 'e2e max', 'write phase', 'writes/s', 'per-event p50', 'per-event p99', 'events/s delivered', 'server CPU ms', 'client CPU ms'],
    results.map((r) => {
      const e2e = med(r, (x) => x.endToEndMs);
      return [
        r.target,
        fmt(e2e, 1),
        fmt(Math.min(...r.rounds.map((x) => x.endToEndMs)), 1),
        fmt(Math.max(...r.rounds.map((x) => x.endToEndMs)), 1),
        fmt(med(r, (x) => x.writePhaseMs), 1),
        fmt((n.updates / med(r, (x) => x.writePhaseMs)) * 1000, 0),
        fmt(med(r, (x) => x.perEvent.p50), 2),
        fmt(med(r, (x) => x.perEvent.p99), 2),
        fmt(((n.updates * n.watchers) / e2e) * 1000, 0),
        fmt(med(r, (x) => x.serverCpuMs ?? NaN), 0),
        fmt(med(r, (x) => x.clientCpuMs), 0),
      ];
    }),
  ),
);
const up = results[0]!;
const upE2e = med(up, (x) => x.endToEndMs);
console.log('');
console.log(
  formatTable(
    ['check (skiff up)', 'measured', 'target', 'result', 'vs memory store'],
    [[`${n.watchers} watchers × ${n.updates} events, end to end`, `${fmt(upE2e, 1)} ms`, '≤ 1000 ms', verdict(upE2e <= 1000), `×${fmt(upE2e / med(results[1]!, (x) => x.endToEndMs))}`]],
  ),
);
console.log(`\ncommand: ${commandLine()}   (took ${fmt((performance.now() - started) / 1000, 1)} s)`);
