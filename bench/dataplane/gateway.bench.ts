// Data-plane benchmark: one trivial upstream pod hit (a) directly, (b) through
// the gateway with the queue (SKS Serve), (c) through the activator path (SKS
// Proxy), (d) through nginx — side by side in one run, interleaved per round
// so machine noise hits all four alike. Saturated throughput with
// `hey -c 50 -z 10s`; latency at a fixed 1,000 rps twice: with
// `hey -c 50 -q 20 -z 10s` (50 synchronised tickers: bursts of 50 every 50 ms)
// with `hey -c 1 -q 1000 -z 10s` (hey's fixed rate from a single ticker: no
// bursts, one request in flight), and with paced-load.ts (the same 1,000 rps
// evenly spaced over up to 50 connections, like vegeta's constant pacer in
// Knative's dataplane-probe). Medians over the rounds.
// Prints a table and the ratios the targets are judged on (gateway ≥ 70 % of
// nginx rps; added p50 ≤ 1 ms, p99 ≤ 3 ms vs direct; activator added latency
// ≤ 1.5 × the gateway's).
//
//   npm run build && node dist/bench/dataplane/gateway.bench.js [--duration 10s] [--rounds 3] [--c 50] [--warmup 2s]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDataPlane } from '../../src/serving/dataplane/host.js';
import type { StatsMessage } from '../../src/serving/dataplane/protocol.js';
import { revisionSpec, routeEntry, split } from '../../src/serving/dataplane/testing.js';
import { fmt, here, hey, machineNote, median, parseFlags, startListening, startNginx, table, type HeyResult } from './harness.js';

const flags = parseFlags(process.argv.slice(2));
const duration = flags.duration ?? '10s';
const warmup = flags.warmup ?? '2s';
const rounds = Number(flags.rounds ?? 3);
const concurrency = Number(flags.c ?? 50);
const rate = Number(flags.rate ?? 1000);
const perWorkerQps = String(rate / concurrency);

async function main(): Promise<void> {
  // (a) the pod: the built-in helloworld image when it is part of this build, else the equivalent inline server.
  const image = path.resolve(here, '../../src/images/helloworld/main.cjs');
  const useImage = fs.existsSync(image);
  const up = useImage
    ? await startListeningImage(image)
    : await startListening(process.execPath, [path.join(here, 'hello-upstream.js')], { PORT: '0' });
  const nginx = await startNginx(up.port);
  const dp = startDataPlane({ host: '127.0.0.1', port: 0 });
  const { port: gwPort } = await dp.ready;
  const stats: StatsMessage[] = [];
  dp.on((m) => {
    if (m.type === 'stats') stats.push(m);
  });
  const endpoints = [{ pod: 'hello-00001-deployment-bench', port: up.port, ready: true }];
  await dp.apply({
    type: 'revisions',
    revisions: {
      'default/hello-00001': revisionSpec(endpoints, { mode: 'Serve' }),
      'default/hello-proxied-00001': revisionSpec([{ ...endpoints[0]!, pod: 'hello-proxied-00001-deployment-bench' }], { mode: 'Proxy' }),
    },
  });
  await dp.apply({
    type: 'hosts',
    hosts: {
      'hello.default.example.com': routeEntry('hello', [split('hello-00001', 100)]),
      'hello-proxied.default.example.com': routeEntry('hello-proxied', [split('hello-proxied-00001', 100)]),
    },
  });

  const targets = [
    { name: 'direct', url: `http://127.0.0.1:${up.port}/`, host: 'hello.default.example.com' },
    { name: 'gateway (Serve, queue)', url: `http://127.0.0.1:${gwPort}/`, host: 'hello.default.example.com' },
    { name: 'gateway (Proxy, activator)', url: `http://127.0.0.1:${gwPort}/`, host: 'hello-proxied.default.example.com' },
    { name: 'nginx', url: `http://127.0.0.1:${nginx.port}/`, host: 'hello.default.example.com' },
  ];
  const sat = new Map<string, HeyResult[]>(targets.map((t) => [t.name, []]));
  const lat = new Map<string, HeyResult[]>(targets.map((t) => [t.name, []]));
  const pac = new Map<string, HeyResult[]>(targets.map((t) => [t.name, []]));
  const one = new Map<string, HeyResult[]>(targets.map((t) => [t.name, []]));

  console.log(`# data-plane benchmark — ${new Date().toISOString()}`);
  console.log(`# upstream: ${useImage ? 'built-in helloworld image' : 'inline node:http hello server'}; machine: ${machineNote()}`);
  console.log(`# saturated: hey -c ${concurrency} -z ${duration}; fixed rate: hey -c ${concurrency} -q ${perWorkerQps} -z ${duration} (${rate} rps); ${rounds} rounds, medians`);
  for (const t of targets) hey(['-c', String(concurrency), '-z', warmup, '-host', t.host, t.url]);
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const s = hey(['-c', String(concurrency), '-z', duration, '-host', t.host, t.url]);
      sat.get(t.name)!.push(s);
      const l = hey(['-c', String(concurrency), '-q', perWorkerQps, '-z', duration, '-host', t.host, t.url]);
      lat.get(t.name)!.push(l);
      const o = hey(['-c', '1', '-q', String(rate), '-z', duration, '-host', t.host, t.url]);
      one.get(t.name)!.push(o);
      const p = paced(t.url, t.host);
      pac.get(t.name)!.push(p);
      console.log(
        `round ${r + 1} ${t.name.padEnd(28)} sat ${fmt(s.rps).padStart(6)} rps (${s.errors} err) | ` +
          `hey ${rate} rps: p50 ${fmt(l.p50)} p99 ${fmt(l.p99)} ms (${l.errors} err) | ` +
          `hey -c 1 -q ${rate}: ${fmt(o.rps)} rps p50 ${fmt(o.p50)} p99 ${fmt(o.p99)} ms (${o.errors} err) | paced: p50 ${fmt(p.p50)} p99 ${fmt(p.p99)} ms (${p.errors} err, ${p.late} late)`,
      );
    }
  }
  const med = (m: Map<string, HeyResult[]>, name: string, k: keyof HeyResult) => median(m.get(name)!.map((x) => x[k]));
  const nginxRps = med(sat, 'nginx', 'rps');
  const added = (m: Map<string, HeyResult[]>, name: string, k: 'p50' | 'p99') => med(m, name, k) - med(m, 'direct', k);
  const rows = targets.map((t) => {
    const rps = med(sat, t.name, 'rps');
    const d = t.name === 'direct';
    return [
      t.name,
      rps,
      `${fmt((rps / nginxRps) * 100)} %`,
      `${fmt(med(lat, t.name, 'p50'))} / ${fmt(med(lat, t.name, 'p99'))}`,
      d ? '—' : `${fmt(added(lat, t.name, 'p50'))} / ${fmt(added(lat, t.name, 'p99'))}`,
      `${fmt(med(one, t.name, 'rps'))} rps: ${fmt(med(one, t.name, 'p50'))} / ${fmt(med(one, t.name, 'p99'))}`,
      d ? '—' : `${fmt(added(one, t.name, 'p50'))} / ${fmt(added(one, t.name, 'p99'))}`,
      `${fmt(med(pac, t.name, 'p50'))} / ${fmt(med(pac, t.name, 'p99'))}`,
      d ? '—' : `${fmt(added(pac, t.name, 'p50'))} / ${fmt(added(pac, t.name, 'p99'))}`,
    ];
  });
  console.log('');
  console.log(
    table(
      ['path', `rps (hey -c ${concurrency})`, 'vs nginx', `hey ${rate} rps p50 / p99 ms`, 'added p50 / p99', `hey -c 1 -q ${rate}: rps, p50 / p99 ms`, 'added p50 / p99', `paced ${rate} rps p50 / p99 ms`, 'added p50 / p99'],
      rows,
    ),
  );

  const GW = 'gateway (Serve, queue)';
  const AC = 'gateway (Proxy, activator)';
  const gwRps = med(sat, GW, 'rps');
  const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log('');
  console.log(`gateway rps / nginx rps = ${fmt((gwRps / nginxRps) * 100)} %  (target ≥ 70 %)  ${check(gwRps / nginxRps >= 0.7)}`);
  for (const [label, m] of [
    ['hey -q', lat],
    ['hey -c 1 -q', one],
    ['paced', pac],
  ] as const) {
    const g50 = added(m, GW, 'p50');
    const g99 = added(m, GW, 'p99');
    const a50 = added(m, AC, 'p50');
    const a99 = added(m, AC, 'p99');
    const n50 = added(m, 'nginx', 'p50');
    const n99 = added(m, 'nginx', 'p99');
    console.log(
      `[${label}] gateway added p50 / p99 = ${fmt(g50)} / ${fmt(g99)} ms (target ≤ 1 / ≤ 3) ${check(g50 <= 1 && g99 <= 3)}; ` +
        `activator ${fmt(a50)} / ${fmt(a99)} ms (≤ 1.5 × gateway's) ${check(a50 <= Math.max(1.5 * g50, 0.1) && a99 <= Math.max(1.5 * g99, 0.3))}; ` +
        `nginx for reference ${fmt(n50)} / ${fmt(n99)} ms`,
    );
  }
  // hey runs through spawnSync, so worker messages queue up meanwhile; let them in (their `time` is the worker's).
  await new Promise((r) => setTimeout(r, 200));
  const gaps = stats.slice(1).map((s, i) => s.time - stats[i]!.time);
  if (gaps.length > 0) {
    const sorted = [...gaps].sort((a, b) => a - b);
    console.log(
      `stats messages from the worker during the run: ${stats.length}, interval min / p50 / max ${sorted[0]} / ${sorted[Math.floor(sorted.length / 2)]} / ${sorted[sorted.length - 1]} ms`,
    );
  }
  console.log(`# after: ${machineNote()}`);

  await dp.stop({ graceMs: 1000 });
  await nginx.stop();
  await up.stop();
}

/** Runs paced-load.js against one target (same duration and rate as the hey runs). */
function paced(url: string, host: string): HeyResult & { late: number } {
  const u = new URL(url);
  const r = spawnSync(process.execPath, [path.join(here, 'paced-load.js')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      URL_HOST: u.hostname,
      URL_PORT: u.port,
      HOST: host,
      RATE: String(rate),
      DURATION_MS: String(parseDuration(duration)),
      CONNECTIONS: String(concurrency),
    },
  });
  const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { rps: number; p50: number; p90: number; p99: number; errors: number; late: number; count: number };
  // `late`: send slots skipped because all connections were busy (the target stalled).
  return { rps: j.rps, p50: j.p50, p90: j.p90, p99: j.p99, errors: j.errors, late: j.late, total: j.count };
}

function parseDuration(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

/** The helloworld image logs each request to stderr; send that to /dev/null. */
async function startListeningImage(image: string) {
  const net = await import('node:net');
  const { spawn } = await import('node:child_process');
  const { freePort, stopChild } = await import('./harness.js');
  const port = await freePort();
  const child = spawn(process.execPath, [image], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('helloworld image did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, child, stop: () => stopChild(child) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
