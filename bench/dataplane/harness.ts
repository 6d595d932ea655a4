// Shared pieces of the data-plane benchmarks: spawning helper processes that
// print `listening <port>`, a throw-away nginx (generated config in a temp
// dir, one worker, upstream keepalive, `daemon off`, dropped to `nobody` when
// started as root), running `hey` and parsing its summary, medians and tables.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HEY = process.env.HEY ?? '/usr/bin/hey';
export const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
export const here = path.dirname(fileURLToPath(import.meta.url));

export interface Proc {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node <script>` (or any command) and waits for `listening <port>` on stdout. */
export function startListening(cmd: string, args: string[], env: Record<string, string>): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ port: Number(m[1]), child, stop: () => stopChild(child) });
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited with ${code} before listening`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** A free TCP port on 127.0.0.1 (for nginx, which cannot report an ephemeral one). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** nginx as a reverse proxy in front of 127.0.0.1:upstreamPort, one worker, keepalive upstream. */
export async function startNginx(upstreamPort: number): Promise<Proc & { dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-bench-nginx-'));
  const port = await freePort();
  const conf = `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream pod { server 127.0.0.1:${upstreamPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://pod;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering on;
    }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  // Least privilege we can get: when root, run the whole nginx (master too) as nobody.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) {
    for (const f of [dir, path.join(dir, 'nginx.conf')]) fs.chownSync(f, 65534, 65534);
  }
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  // wait until it accepts connections
  const net = await import('node:net');
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
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    child,
    dir,
    stop: async () => {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HeyResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** non-2xx responses + transport errors */
  errors: number;
  total: number;
}

/** Runs hey and parses its summary (latencies in ms). */
export function hey(args: string[]): HeyResult {
  const r = spawnSync(HEY, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`hey ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  const out = r.stdout;
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : NaN;
  };
  let ok = 0;
  let bad = 0;
  for (const m of out.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) {
    if (m[1]!.startsWith('2')) ok += Number(m[2]);
    else bad += Number(m[2]);
  }
  const errSection = /Error distribution:([\s\S]*)$/.exec(out)?.[1] ?? '';
  for (const m of errSection.matchAll(/\[(\d+)\]/g)) bad += Number(m[1]);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: num(/50% in ([\d.]+) secs/) * 1000,
    p90: num(/90% in ([\d.]+) secs/) * 1000,
    p99: num(/99% in ([\d.]+) secs/) * 1000,
    errors: bad,
    total: ok + bad,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>) => '| ' + r.map((c, i) => String(c).padEnd(w[i]!)).join(' | ') + ' |';
  return [line(cells[0]!), '|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** Load average and the busiest other processes, to judge how noisy a run was. */
export function machineNote(): string {
  const [l1, l5] = os.loadavg();
  return `loadavg ${l1!.toFixed(2)} / ${l5!.toFixed(2)} (1/5 min), ${os.cpus().length} CPUs`;
}

export function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out[a.slice(2)] = argv[++i]!;
    else out[a.slice(2)] = 'true';
  }
  return out;
}
