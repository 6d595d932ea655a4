// Data-plane benchmark: one trivial upstream pod hit (a) directly, (b) through
// the gateway with the queue (SKS Serve), (c) through the activator path (SKS
// Proxy), (d) through nginx — side by side in one run, interleaved per round
// so machine noise hits all four alike. Saturated throughput with
// `hey -c 50 -z 10s`, latency at a fixed 1,000 rps with `hey -c 50 -q 20 -z 10s`;
// medians over the rounds. Prints a table and the ratios the targets are
// judged on (gateway ≥ 70 % of nginx rps; added p50 ≤ 1 ms, p99 ≤ 3 ms vs
// direct; activator added latency ≤ 1.5 × the gateway's).
//
//   npm run build && node dist/bench/dataplane/gateway.bench.js [--duration 10s] [--rounds 3] [--c 50] [--warmup 2s]

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
      console.log(
        `round ${r + 1} ${t.name.padEnd(28)} sat ${fmt(s.rps).padStart(6)} rps (p50 ${fmt(s.p50)} ms, ${s.errors} errors) | ` +
          `${rate} rps: p50 ${fmt(l.p50)} ms p99 ${fmt(l.p99)} ms (${l.errors} errors)`,
      );
    }
  }
  const med = (m: Map<string, HeyResult[]>, name: string, k: keyof HeyResult) => median(m.get(name)!.map((x) => x[k]));
  const direct = { p50: med(lat, 'direct', 'p50'), p99: med(lat, 'direct', 'p99') };
  const nginxRps = med(sat, 'nginx', 'rps');
  const rows = targets.map((t) => {
    const rps = med(sat, t.name, 'rps');
    const p50 = med(lat, t.name, 'p50');
    const p99 = med(lat, t.name, 'p99');
    return [t.name, rps, `${fmt((rps / nginxRps) * 100)} %`, p50, p99, t.name === 'direct' ? '—' : fmt(p50 - direct.p50), t.name === 'direct' ? '—' : fmt(p99 - direct.p99)];
  });
  console.log('');
  console.log(table(['path', `rps (c${concurrency})`, 'vs nginx', `p50 ms @${rate}`, `p99 ms @${rate}`, 'added p50', 'added p99'], rows));

  const gwRps = med(sat, 'gateway (Serve, queue)', 'rps');
  const gwAdd50 = med(lat, 'gateway (Serve, queue)', 'p50') - direct.p50;
  const gwAdd99 = med(lat, 'gateway (Serve, queue)', 'p99') - direct.p99;
  const acAdd50 = med(lat, 'gateway (Proxy, activator)', 'p50') - direct.p50;
  const acAdd99 = med(lat, 'gateway (Proxy, activator)', 'p99') - direct.p99;
  const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log('');
  console.log(`gateway rps / nginx rps        = ${fmt((gwRps / nginxRps) * 100)} %   (target ≥ 70 %)  ${check(gwRps / nginxRps >= 0.7)}`);
  console.log(`gateway added p50 / p99        = ${fmt(gwAdd50)} / ${fmt(gwAdd99)} ms   (target ≤ 1 / ≤ 3 ms)  ${check(gwAdd50 <= 1 && gwAdd99 <= 3)}`);
  console.log(
    `activator added p50 / p99      = ${fmt(acAdd50)} / ${fmt(acAdd99)} ms   (target ≤ 1.5 × gateway's)  ${check(acAdd50 <= Math.max(1.5 * gwAdd50, 0.1) && acAdd99 <= Math.max(1.5 * gwAdd99, 0.3))}`,
  );
  const gaps = stats.slice(1).map((s, i) => s.time - stats[i]!.time);
  if (gaps.length > 0) console.log(`stats ticks during the run: ${stats.length}, interval min/max ${Math.min(...gaps)}/${Math.max(...gaps)} ms`);
  console.log(`# after: ${machineNote()}`);

  await dp.stop({ graceMs: 1000 });
  await nginx.stop();
  await up.stop();
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
