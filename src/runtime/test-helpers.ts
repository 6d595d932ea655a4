// Test support for the runtime: an embedded API (MemoryStore + ObjectService +
// GarbageCollector + InProcessClient), a temp data dir, polling, HTTP GET.
// Used by the *.test.ts files only.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCoreKinds } from '../api/core/kinds.js';
import type { KObject } from '../api/meta.js';
import { ResourceRegistry } from '../api/registry.js';
import { GarbageCollector } from '../apiserver/garbage-collector.js';
import { ObjectService } from '../apiserver/object-service.js';
import { InProcessClient } from '../client/in-process-client.js';
import { MemoryStore } from '../store/memory-store.js';

export interface TestApi {
  svc: ObjectService;
  gc: GarbageCollector;
  client: InProcessClient;
  dataDir: string;
  close(): Promise<void>;
}

export async function testApi(): Promise<TestApi> {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  const svc = new ObjectService(new MemoryStore(), reg);
  svc.bootstrap();
  const gc = new GarbageCollector(svc);
  gc.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-agent-'));
  return {
    svc,
    gc,
    client: new InProcessClient(svc),
    dataDir,
    async close() {
      gc.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function httpGet(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Running (a zombie waiting for a parent that never reaps it counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** A node one-liner HTTP server on $PORT answering its pid (and 503 on /ready until /tmp file exists, when given). */
export function nodeServer(extra = ''): string[] {
  return [
    process.execPath,
    '-e',
    `const http=require('http');${extra}http.createServer((q,s)=>{s.end(String(process.pid))}).listen(Number(process.env.PORT),'127.0.0.1',()=>console.log('listening on '+process.env.PORT));`,
  ];
}

export function podManifest(name: string, spec: any, meta: Partial<KObject['metadata']> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta }, spec };
}
