// Helpers for the request-driven autoscaling end-to-end tests
// (autoscaling-*.test.ts): drive load with `hey` (as the seed does) and parse
// its report, sample a revision's scale (Deployment replicas, ready pods, PA
// desired/actual) while the load runs, read `kubectl get kpa|rev` rows, and
// set config-autoscaler keys.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getJson, kubectl, waitFor, type SkiffProcess } from './harness.js';

export const HEY = process.env.HEY ?? '/usr/bin/hey';

/** The tests need `hey`; without it they are skipped with this reason. */
export function heyMissing(): string | false {
  return existsSync(HEY) ? false : `hey not found at ${HEY} (set HEY=/path/to/hey)`;
}

export interface HeyReport {
  /** Status code → responses. */
  statusCodes: Record<string, number>;
  /** Error line → count (connection errors, timeouts: requests that got no HTTP status). */
  errors: Record<string, number>;
  /** Responses with a status (any code). */
  responses: number;
  requestsPerSec: number;
  slowestSec: number;
  raw: string;
}

/** Parses hey's text summary (status code and error distributions, Requests/sec, Slowest). */
export function parseHey(out: string): HeyReport {
  const statusCodes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const sc = out.split('Status code distribution:')[1]?.split(/\n\s*\n/)[0] ?? '';
  for (const m of sc.matchAll(/\[(\d+)\]\s+(\d+) responses/g)) statusCodes[m[1]] = Number(m[2]);
  const ed = out.split('Error distribution:')[1] ?? '';
  for (const m of ed.matchAll(/\[(\d+)\]\s+(.+)/g)) errors[m[2].trim()] = (errors[m[2].trim()] ?? 0) + Number(m[1]);
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    statusCodes,
    errors,
    responses,
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    slowestSec: Number(/Slowest:\s+([\d.]+) secs/.exec(out)?.[1] ?? NaN),
    raw: out,
  };
}

/** Non-200 responses and transport errors, as one readable line (empty when there were none). */
export function failuresOf(r: HeyReport): string {
  const bad = Object.entries(r.statusCodes).filter(([code]) => code !== '200');
  const parts = [...bad.map(([c, n]) => `${n}× HTTP ${c}`), ...Object.entries(r.errors).map(([e, n]) => `${n}× ${e}`)];
  return parts.join('; ');
}

/** Runs hey against the gateway with `Host: host`; resolves with its parsed report. */
export function hey(s: SkiffProcess, host: string, path: string, args: string[]): Promise<HeyReport> {
  return new Promise((resolve, reject) => {
    execFile(HEY, [...args, '-host', host, `${s.gateway}${path}`], { timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`hey failed: ${err.message} ${stderr}`));
      else resolve(parseHey(String(stdout)));
    });
  });
}

export interface ScaleSample {
  /** ms since the sampler started. */
  t: number;
  replicas: number;
  readyPods: number;
  desiredScale: number | undefined;
  actualScale: number | undefined;
}

/**
 * Polls a revision's Deployment and PodAutoscaler every `everyMs` and keeps
 * the timeline: the highest replica count and ready pods seen, and when a
 * count was first reached.
 */
export class ScaleSampler {
  readonly samples: ScaleSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly t0 = Date.now();
  private busy = false;

  constructor(
    private readonly s: SkiffProcess,
    private readonly revision: string,
    private readonly ns = 'default',
    private readonly everyMs = 200,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
    void this.sample();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await waitFor('the last scale sample', () => !this.busy, 5000, 10);
  }

  async sample(): Promise<ScaleSample | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const [d, pa] = await Promise.all([
        getJson(this.s, `/apis/apps/v1/namespaces/${this.ns}/deployments/${this.revision}-deployment`),
        getJson(this.s, `/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/${this.ns}/podautoscalers/${this.revision}`),
      ]);
      const x: ScaleSample = {
        t: Date.now() - this.t0,
        replicas: d?.spec?.replicas ?? 0,
        readyPods: d?.status?.readyReplicas ?? 0,
        desiredScale: pa?.status?.desiredScale,
        actualScale: pa?.status?.actualScale,
      };
      this.samples.push(x);
      return x;
    } catch {
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  get maxReplicas(): number {
    return Math.max(0, ...this.samples.map((x) => x.replicas));
  }

  get maxReady(): number {
    return Math.max(0, ...this.samples.map((x) => x.readyPods));
  }

  get maxDesired(): number {
    return Math.max(0, ...this.samples.map((x) => x.desiredScale ?? 0));
  }

  /** ms (since start) when ready pods first reached `n`; undefined if never. */
  firstReady(n: number): number | undefined {
    return this.samples.find((x) => x.readyPods >= n)?.t;
  }

  /** Compact timeline for failure messages: "t=1.2s 1/1 → t=3.0s 3/2 …" (replicas/ready, on change). */
  timeline(): string {
    const out: string[] = [];
    let last = '';
    for (const x of this.samples) {
      const k = `${x.replicas}/${x.readyPods} pa ${x.desiredScale}/${x.actualScale}`;
      if (k !== last) out.push(`t=${(x.t / 1000).toFixed(1)}s ${k}`);
      last = k;
    }
    return out.join(' → ');
  }
}

/** `kubectl apply -f -` of a manifest; throws with kubectl's output on failure. */
export async function apply(s: SkiffProcess, yaml: string): Promise<void> {
  const r = await kubectl(s, ['apply', '-f', '-'], yaml);
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}${r.stdout}`);
}

/** Merges `data` into knative-serving/config-autoscaler. */
export async function setAutoscalerConfig(s: SkiffProcess, data: Record<string, string>): Promise<void> {
  const r = await kubectl(s, ['patch', 'configmap', 'config-autoscaler', '-n', 'knative-serving', '--type', 'merge', '-p', JSON.stringify({ data })]);
  if (r.code !== 0) throw new Error(`kubectl patch config-autoscaler failed: ${r.stderr}`);
}

/** Waits for a Knative Service to be Ready and returns its latest ready revision's name. */
export async function serviceReady(s: SkiffProcess, name: string, ns = 'default', timeoutMs = 30_000): Promise<string> {
  return waitFor(
    `service ${name} Ready`,
    async () => {
      const k = await getJson(s, `/apis/serving.knative.dev/v1/namespaces/${ns}/services/${name}`);
      const ready = k?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
      return ready && k.status.latestReadyRevisionName === k.status.latestCreatedRevisionName ? (k.status.latestReadyRevisionName as string) : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Pods of a revision that exist (terminating ones included). */
export async function revisionPods(s: SkiffProcess, revision: string, ns = 'default'): Promise<any[]> {
  const list = await getJson(s, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`serving.knative.dev/revision=${revision}`)}`);
  return list?.items ?? [];
}

/** Waits until the revision has no pods at all and its PA reports 0/0. */
export async function waitForZero(s: SkiffProcess, revision: string, timeoutMs: number, ns = 'default'): Promise<void> {
  await waitFor(
    `${revision} scaled to zero`,
    async () => {
      const pa = await getJson(s, `/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/${ns}/podautoscalers/${revision}`);
      if (pa?.status?.desiredScale !== 0 || pa?.status?.actualScale !== 0) return false;
      return (await revisionPods(s, revision, ns)).length === 0;
    },
    timeoutMs,
    200,
  );
}

/** One row of `kubectl get <resource> <name>` as header → cell (columns split on 2+ spaces). */
export async function kubectlRow(s: SkiffProcess, resource: string, name: string, ns = 'default'): Promise<Record<string, string>> {
  const r = await kubectl(s, ['get', resource, name, '-n', ns]);
  if (r.code !== 0) throw new Error(`kubectl get ${resource} ${name} failed: ${r.stderr}`);
  const [header, row] = r.stdout.split('\n');
  return parseTableRow(header, row);
}

/**
 * Splits a kubectl table row by the header's column starts (cells may be
 * empty, e.g. REASON or K8S SERVICE NAME, so splitting on spaces is wrong).
 */
export function parseTableRow(header: string, row: string): Record<string, string> {
  const starts: Array<{ name: string; at: number }> = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) starts.push({ name: m[0], at: m.index! });
  const out: Record<string, string> = {};
  starts.forEach((c, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].at : undefined;
    out[c.name] = row.slice(c.at, end).trim();
  });
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A Knative Service running autoscale-go with the given revision-template annotations. */
export function autoscaleGoService(name: string, annotations: Record<string, string>, ns = 'default'): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  template:
    metadata:
      annotations:
${ann}
    spec:
      containers:
        - image: gcr.io/knative-samples/autoscale-go
`;
}
