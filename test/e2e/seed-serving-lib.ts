// Shared pieces of the seed serving walkthrough tests (seed-serving-*.test.ts):
// the seed's YAML files as the transcript shows them (comments included),
// kubectl/kn table parsing by header columns, curl as the seed runs it, and a
// keep-alive HTTP client for the traffic-split counts (1,000 curl processes
// would cost seconds).
import http from 'node:http';
import assert from 'node:assert/strict';
import { kubectl, run, waitFor, type RunResult, type SkiffProcess } from './harness.js';

export const HELLO_WORLD_YAML = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    metadata:
      # This is the name of our new "Revision," it must follow the convention {service-name}-{revision-name}
      name: hello-world
    spec:
      containers:
        #- image: gcr.io/knative-samples/helloworld-go
        - image: ikubernetes/helloworld-go
          ports:
            - containerPort: 8080
          env:
            - name: TARGET
              value: "World"
`;

export const HELLO_WORLD_002_YAML = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    metadata:
      # This is the name of our new "Revision," it must follow the convention {service-name}-{revision-name}
      name: hello-world-002
    spec:
      containerConcurrency: 10
      containers:
        #- image: gcr.io/knative-samples/helloworld-go
        - image: ikubernetes/helloworld-go
          ports:
            - containerPort: 8080
          env:
            - name: TARGET
              value: "World-002"
`;

export const HELLO_CLOUD_NATIVE_YAML = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
        - image: ikubernetes/helloworld-go
          ports:
            - containerPort: 8080
          env:
            - name: TARGET
              value: "Cloud-Native"\t#更改此值后会生成一个新的revision，hello-00003
  traffic:
  - latestRevision: true\t#hello-00003默认不会接收流量
    percent: 0
    tag: staging
  - revisionName: hello-00002
    percent: 90
  - revisionName: hello-00001
    percent: 10
`;

export const CDC_HELLO_MAGEDU_YAML = `apiVersion: networking.internal.knative.dev/v1alpha1
kind: ClusterDomainClaim
metadata:
  name: hello.magedu.com\t#声明的域名地址
spec:
  namespace: default\t\t#域名所有的名称空间
`;

export type Row = Record<string, string>;

/**
 * One kubectl/kn table → rows keyed by header. Cells are cut at the header
 * columns' start offsets (both tools left-align every column), so empty
 * cells come out as ''.
 */
export function parseTable(text: string): Row[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0];
  const cols: Array<{ name: string; start: number }> = [];
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(header); m; m = re.exec(header)) cols.push({ name: m[0], start: m.index });
  return lines.slice(1).map((line) => {
    const row: Row = {};
    cols.forEach((c, i) => {
      const end = i + 1 < cols.length ? cols[i + 1].start : line.length;
      row[c.name] = line.slice(c.start, end).trim();
    });
    return row;
  });
}

/** The header names of a table, in order. */
export function headerOf(text: string): string[] {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.trim().split(/ {2,}/);
}

/** `kubectl get all` prints one table per kind, separated by blank lines. */
export function parseTables(text: string): Row[][] {
  return text
    .split(/\n\s*\n/)
    .filter((b) => b.trim() !== '')
    .map(parseTable);
}

export function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** curl as the seed runs it (-s), with a bound so a hang fails the test instead of stalling it. */
export function curl(args: string[]): Promise<RunResult> {
  return run('curl', ['-s', '--max-time', '15', ...args]);
}

export async function curlOk(args: string[]): Promise<string> {
  return ok(await curl(args), `curl ${args.join(' ')}`);
}

/** Wait until kubectl reports the ksvc Ready with this latest ready revision. */
export async function waitKsvcReady(s: SkiffProcess, name: string, latestReady: string, timeoutMs = 20000): Promise<void> {
  await waitFor(
    `ksvc ${name} Ready on ${latestReady}`,
    async () => {
      const r = await kubectl(s, ['get', 'ksvc', name, '-o', 'json']);
      if (r.code !== 0) return false;
      const o = JSON.parse(r.stdout);
      const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      return o.status?.observedGeneration === o.metadata.generation && ready?.status === 'True' && o.status?.latestReadyRevisionName === latestReady;
    },
    timeoutMs,
    100,
  );
}

/**
 * `n` GETs of `url` sent to the gateway as an HTTP proxy (absolute-form
 * request line, like `curl -x`), `concurrency` at a time over keep-alive
 * connections; returns body → count.
 */
export async function countResponses(gateway: string, url: string, n: number, concurrency = 8): Promise<Map<string, number>> {
  const gw = new URL(gateway);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const counts = new Map<string, number>();
  const one = () =>
    new Promise<string>((resolve, reject) => {
      const req = http.request({ host: gw.hostname, port: gw.port, path: url, agent, headers: { host: new URL(url).host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}: ${body.trim()}`));
      });
      req.setTimeout(15000, () => req.destroy(new Error(`no answer from ${url} within 15 s`)));
      req.on('error', reject);
      req.end();
    });
  let sent = 0;
  const worker = async () => {
    while (sent < n) {
      sent++;
      const body = await one();
      counts.set(body, (counts.get(body) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return counts;
}

/** Percent (0..100) of `n` responses that were `body`. */
export function share(counts: Map<string, number>, body: string, n: number): number {
  return ((counts.get(body) ?? 0) * 100) / n;
}
