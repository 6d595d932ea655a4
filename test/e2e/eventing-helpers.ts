// Helpers for the eventing seed replays (seed-eventing-*.test.ts): send CloudEvents the way the
// seed does (curl through the gateway as HTTP proxy, so cluster-local names work unchanged), read
// event_display's output back with `kubectl logs`, and compare it block by block.
import assert from 'node:assert/strict';
import { kubectl, run, waitFor, type SkiffProcess } from './harness.js';

export const EVENT_HEADER = '☁️  cloudevents.Event';

/** A Knative Service running `image`, kept at one pod (no cold starts where the point isn't autoscaling). */
export function ksvcYaml(name: string, image = 'ikubernetes/event_display', extra = ''): string {
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/min-scale: "1"
    spec:
      containers:
      - image: ${image}
${extra}`;
}

/** A ksvc that answers every request with 500 "boom" and logs each attempt. */
export function failingKsvcYaml(name: string): string {
  return ksvcYaml(
    name,
    'example.com/failer:1',
    `        command: ["node", "-e", "require('http').createServer((q,s)=>{console.log('attempt', q.headers['ce-id']); s.writeHead(500); s.end('boom')}).listen(process.env.PORT)"]\n`,
  );
}

export async function apply(s: SkiffProcess, yaml: string): Promise<string> {
  const r = await kubectl(s, ['apply', '-f', '-'], yaml);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

export async function waitReady(s: SkiffProcess, what: string, timeoutSec = 30): Promise<void> {
  const r = await kubectl(s, ['wait', ...what.split(' '), '--for=condition=Ready', `--timeout=${timeoutSec}s`]);
  assert.equal(r.code, 0, `${what} not Ready: ${r.stderr}`);
}

export interface CurlResult {
  status: number;
  /** The response head and body as `curl -i` prints them. */
  out: string;
}

/**
 * POST with curl through Skiff's gateway as HTTP proxy (`curl -x`), which is what a pod's
 * HTTP_PROXY does: `url` keeps its cluster-local host. `headers` are sent as given.
 */
export async function curlPost(s: SkiffProcess, url: string, headers: Record<string, string>, data?: string): Promise<CurlResult> {
  const args = ['-s', '-i', '-x', s.gateway, url, '-X', 'POST'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (data !== undefined) args.push('--data-binary', data);
  const r = await run('curl', args);
  assert.equal(r.code, 0, `curl failed: ${r.stderr}`);
  const m = /^HTTP\/1\.1 (\d{3})/.exec(r.stdout);
  assert.ok(m, `no HTTP status in curl output: ${r.stdout}`);
  return { status: Number(m[1]), out: r.stdout };
}

/** The seed's binary-mode curl headers. */
export function ceHeaders(id: string, type: string, source = 'curl', more: Record<string, string> = {}): Record<string, string> {
  return { 'Ce-Id': id, 'Ce-Specversion': '1.0', 'Ce-Type': type, 'Ce-Source': source, 'Content-Type': 'application/json', ...more };
}

/** Name of the (first) pod of a Knative Service, as the seed finds it (`-l serving.knative.dev/service=…`). */
export async function ksvcPod(s: SkiffProcess, service: string): Promise<string> {
  return waitFor(`a pod of ksvc ${service}`, async () => {
    const r = await kubectl(s, ['get', 'pods', '-l', `serving.knative.dev/service=${service}`, '-o', 'jsonpath={.items[0].metadata.name}']);
    return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
  });
}

/** Splits event_display output into one string per event block (each starting with the ☁️ line). */
export function eventBlocks(logs: string): string[] {
  const out: string[] = [];
  for (const part of logs.split(EVENT_HEADER + '\n').slice(1)) out.push(EVENT_HEADER + '\n' + part.replace(/\n+$/, '\n'));
  return out;
}

/** Lines joined as event_display prints them (trailing newline). */
export function lines(...l: string[]): string {
  return l.join('\n') + '\n';
}

const ARRIVAL = /^( {2}knativearrivaltime: )(\S+)$/m;

/** Checks knativearrivaltime is an RFC 3339 UTC time and replaces it with `<time>`. */
export function maskArrivalTime(block: string): string {
  const m = ARRIVAL.exec(block);
  if (!m) return block;
  assert.match(m[2]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, `knativearrivaltime ${m[2]}`);
  assert.ok(Math.abs(Date.parse(m[2]!) - Date.now()) < 120_000, `knativearrivaltime ${m[2]} is recent`);
  return block.replace(ARRIVAL, '$1<time>');
}

/** event_display blocks from `pod` (container user-container) whose `id:` is `id`. */
export async function blocksWithId(s: SkiffProcess, pod: string, id: string, container = 'user-container'): Promise<string[]> {
  const r = await kubectl(s, ['logs', pod, '-c', container]);
  if (r.code !== 0) return [];
  return eventBlocks(r.stdout).filter((b) => b.includes(`\n  id: ${id}\n`));
}

/** Waits until `pod` printed the event with `id`, and returns that block (arrival time masked). */
export async function waitForEvent(s: SkiffProcess, pod: string, id: string, timeoutMs = 15000, container = 'user-container'): Promise<string> {
  const blocks = await waitFor(`event ${id} in the logs of ${pod}`, async () => {
    const b = await blocksWithId(s, pod, id, container);
    return b.length ? b : undefined;
  }, timeoutMs, 100);
  return maskArrivalTime(blocks[0]!);
}
