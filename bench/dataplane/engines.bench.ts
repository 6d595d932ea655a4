// Which forwarding engine for the gateway? Saturated throughput (hey -c 50)
// of minimal proxies in front of the same upstream, side by side, plus the
// gateway itself and nginx: node:http server + http.Agent(keepAlive), node:http
// server + undici Pool.dispatch, and a raw `net` pass-through (GET-only upper
// bound). Also reports each proxy's CPU time per request (user+sys, from
// /proc), which is steadier than rps on a shared machine.
//
//   npm run build && node dist/bench/dataplane/engines.bench.js [--duration 5s] [--rounds 3]

import fs from 'node:fs';
import path from 'node:path';
import { fmt, here, hey, machineNote, median, parseFlags, startListening, startNginx, table } from './harness.js';

const flags = parseFlags(process.argv.slice(2));
const duration = flags.duration ?? '5s';
const rounds = Number(flags.rounds ?? 3);

/** utime+stime of a process and its threads, in µs (Linux /proc). */
function cpuMicros(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // fields after the comm: state(0) ppid(1) … utime(11) stime(12)
  return ((Number(rest[11]) + Number(rest[12])) * 1e6) / 100; // CLK_TCK is 100 on Linux
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const up = await startListening(process.execPath, [path.join(here, 'hello-upstream.js')], { PORT: '0' });
  const upstream = `127.0.0.1:${up.port}`;
  const proxies = [];
  for (const engine of ['agent', 'undici', 'raw']) {
    const p = await startListening(process.execPath, [path.join(here, 'naive-proxies.js')], { ENGINE: engine, PORT: '0', UPSTREAM: upstream });
    proxies.push({ name: engine === 'agent' ? 'node:http + http.Agent' : engine === 'undici' ? 'node:http + undici Pool' : 'raw net (GET-only bound)', port: p.port, pid: p.child.pid!, stop: p.stop });
  }
  // The gateway in its own process (in-thread), so its CPU can be read from /proc like the others.
  const gw = await startListening(process.execPath, [path.join(here, 'gateway-process.js')], { PORT: '0', UPSTREAM_PORT: String(up.port) });
  proxies.push({ name: 'Skiff gateway (Serve)', port: gw.port, pid: gw.child.pid!, stop: gw.stop });
  const nginx = await startNginx(up.port);
  const nginxPids = () => [nginx.child.pid!, ...childrenOf(nginx.child.pid!)];
  proxies.push({ name: 'nginx (1 worker)', port: nginx.port, pid: -1, stop: nginx.stop });

  console.log(`# engines — ${new Date().toISOString()} — ${machineNote()}; hey -c 50 -z ${duration}, ${rounds} rounds`);
  const rps = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const p of proxies) {
      const pids = p.pid === -1 ? nginxPids() : [p.pid];
      const before = pids.reduce((s, x) => s + cpuMicros(x), 0);
      const res = hey(['-c', '50', '-z', duration, '-host', 'hello.default.example.com', `http://127.0.0.1:${p.port}/`]);
      const after = pids.reduce((s, x) => s + cpuMicros(x), 0);
      (rps.get(p.name) ?? rps.set(p.name, []).get(p.name)!).push(res.rps);
      (cpu.get(p.name) ?? cpu.set(p.name, []).get(p.name)!).push((after - before) / Math.max(1, res.total));
      console.log(`round ${r + 1} ${p.name.padEnd(36)} ${fmt(res.rps).padStart(7)} rps  ${fmt((after - before) / Math.max(1, res.total))} µs CPU/req  ${res.errors} errors`);
    }
  }
  const nginxRps = median(rps.get('nginx (1 worker)')!);
  console.log('');
  console.log(
    table(
      ['proxy', 'rps (median)', 'vs nginx', 'CPU µs/req'],
      proxies.map((p) => [p.name, median(rps.get(p.name)!), `${fmt((median(rps.get(p.name)!) / nginxRps) * 100)} %`, median(cpu.get(p.name)!)]),
    ),
  );
  for (const p of proxies) await p.stop();
  await up.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

