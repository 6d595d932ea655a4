// Test/benchmark support: the kill -9 scenario for the durable broker class. A child process runs a
// SkiffLogBroker (broker-child.ts); a producer POSTs N events with distinct ids and remembers which
// got 202; midway the child is killed with SIGKILL and started again on the same data directory;
// the producer re-sends what was not acknowledged. Then every acknowledged id must reach every
// matching trigger's sink. Duplicates (at-least-once) are counted, not treated as failures.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { BROKER_CLASS_LOG } from '../broker-plane.js';
import type { BrokerChildConfig } from './broker-child.js';

export const BROKER_CHILD_SCRIPT = fileURLToPath(new URL('./broker-child.js', import.meta.url));

export interface ChildHandle {
  readonly port: number;
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
}

/** Start broker-child.js and wait for its READY line. */
export function startBrokerChild(config: BrokerChildConfig): Promise<ChildHandle> {
  const child = spawn(process.execPath, [BROKER_CHILD_SCRIPT, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /READY (\d+)/.exec(out);
      if (m !== null) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ port: Number(m[1]), process: child, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`broker child exited before READY (code ${code}, signal ${signal})`)));
  });
}

/** A sink that only counts deliveries per (path, ce-id): cheap enough for 100k+ events. */
export interface CountingSink {
  readonly url: string;
  /** path → id → times delivered */
  readonly counts: Map<string, Map<string, number>>;
  deliveries(): number;
  close(): Promise<void>;
}

export async function startCountingSink(): Promise<CountingSink> {
  const counts = new Map<string, Map<string, number>>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const id = req.headers['ce-id'];
    req.resume();
    req.on('end', () => {
      if (typeof id === 'string') {
        let m = counts.get(path);
        if (m === undefined) counts.set(path, (m = new Map()));
        m.set(id, (m.get(id) ?? 0) + 1);
        total++;
      }
      res.writeHead(202, { 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    deliveries: () => total,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface KillRestartOptions {
  dataDir: string;
  events: number;
  /** Concurrent producer requests. Default 32. */
  concurrency?: number;
  /** Kill once this many events were acknowledged. Default events / 2. */
  killAfterAcks?: number;
  /** Give up waiting for deliveries after this long. Default 60 s. */
  timeoutMs?: number;
  synchronous?: 'full' | 'normal';
}

export interface TriggerReport {
  path: string;
  expected: number;
  distinctDelivered: number;
  missing: number;
  /** Deliveries beyond the first per id (at-least-once redelivery, or producer re-sends). */
  duplicates: number;
}

export interface KillRestartReport {
  events: number;
  acknowledged: number;
  /** Sends that failed (connection reset by the kill) and were re-sent after the restart. */
  resent: number;
  killedAtAcks: number;
  triggers: TriggerReport[];
  lost: number;
  elapsedMs: number;
}

const TRIGGERS = [
  { name: 'all-a', path: '/all-a', filter: undefined, matches: (_i: number) => true },
  { name: 'all-b', path: '/all-b', filter: undefined, matches: (_i: number) => true },
  { name: 'even', path: '/even', filter: { filter: { attributes: { type: 'com.example.even' } } }, matches: (i: number) => i % 2 === 0 },
] as const;

export async function runKillRestart(opts: KillRestartOptions): Promise<KillRestartReport> {
  const started = Date.now();
  const sink = await startCountingSink();
  const concurrency = opts.concurrency ?? 32;
  const killAt = opts.killAfterAcks ?? Math.floor(opts.events / 2);
  const config: BrokerChildConfig = {
    dataDir: opts.dataDir,
    brokers: [{ ns: 'crash', name: 'b', class: BROKER_CLASS_LOG }],
    triggers: TRIGGERS.map((t) => ({ ns: 'crash', broker: 'b', name: t.name, uid: `uid-${t.name}`, subscriberUri: sink.url + t.path, ...(t.filter ? { filter: t.filter } : {}) })),
    log: { synchronous: opts.synchronous ?? 'full' },
  };

  let child = await startBrokerChild(config);
  let pool = new Pool(`http://127.0.0.1:${child.port}`, { connections: concurrency });
  let restarting: Promise<void> | undefined;
  const acked = new Set<number>();
  let resent = 0;
  let next = 0;
  let killedAtAcks = -1;
  const retryQueue: number[] = [];

  const restart = async () => {
    const old = pool;
    await child.exited;
    child = await startBrokerChild(config);
    pool = new Pool(`http://127.0.0.1:${child.port}`, { connections: concurrency });
    void old.destroy().catch(() => undefined);
  };

  const sendOne = async (i: number): Promise<boolean> => {
    const headers = {
      'ce-specversion': '1.0',
      'ce-id': `id-${i}`,
      'ce-source': '/kill-restart',
      'ce-type': i % 2 === 0 ? 'com.example.even' : 'com.example.odd',
      'content-type': 'application/json',
    };
    try {
      const res = await pool.request({ path: '/crash/b', method: 'POST', headers, body: `{"n":${i}}` });
      await res.body.dump();
      return res.statusCode === 202;
    } catch {
      return false;
    }
  };

  const worker = async () => {
    for (;;) {
      let i: number;
      if (retryQueue.length > 0 && restarting === undefined) i = retryQueue.pop()!;
      else if (next < opts.events) i = next++;
      else if (retryQueue.length > 0) {
        await restarting;
        continue;
      } else return;
      if (restarting !== undefined) await restarting;
      const ok = await sendOne(i);
      if (ok) {
        acked.add(i);
        if (killedAtAcks < 0 && acked.size >= killAt) {
          killedAtAcks = acked.size;
          child.process.kill('SIGKILL');
          restarting = restart().finally(() => (restarting = undefined));
        }
      } else {
        resent++;
        retryQueue.push(i);
        // The child is gone (killed): wait for the restart before trying again.
        if (restarting === undefined) await new Promise((r) => setTimeout(r, 5));
        else await restarting;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const report = (): TriggerReport[] =>
    TRIGGERS.map((t) => {
      const m = sink.counts.get(t.path) ?? new Map<string, number>();
      let expected = 0;
      let missing = 0;
      for (const i of acked) {
        if (!t.matches(i)) continue;
        expected++;
        if (!m.has(`id-${i}`)) missing++;
      }
      let duplicates = 0;
      for (const c of m.values()) duplicates += c - 1;
      return { path: t.path, expected, distinctDelivered: m.size, missing, duplicates };
    });
  let triggers = report();
  while (triggers.some((t) => t.missing > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    triggers = report();
  }
  // Let in-flight redeliveries land so the duplicate count is stable.
  await new Promise((r) => setTimeout(r, 100));
  triggers = report();

  child.process.kill('SIGTERM');
  await child.exited;
  await pool.destroy().catch(() => undefined);
  await sink.close();
  return {
    events: opts.events,
    acknowledged: acked.size,
    resent,
    killedAtAcks,
    triggers,
    lost: triggers.reduce((s, t) => s + t.missing, 0),
    elapsedMs: Date.now() - started,
  };
}
