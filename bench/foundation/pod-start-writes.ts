// Writes per pod start (runtime bench companion): starts `skiff up`, watches
// every watchable resource in every namespace over HTTP, creates a 1-replica
// Deployment (the runtime bench's probe-default / no-probe container) and
// counts the watch events — one per store write — from the POST until the pod
// is Ready, then until things settle (250 ms later). Each write costs a store
// put, a watch fan-out and the reconciles it sets off, all on the cores the
// booting pod needs, so fewer is cheaper.
//   npm run build && node dist/bench/foundation/pod-start-writes.js [--cycles=3] [--variant=probe-default|no-probe] [--verbose]
import { Client } from 'undici';
import { formatTable, intArg, onWatchEvents, sleepMs, startSkiffUp, withTarget } from './lib.js';

const SERVER_SRC = "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT)";

interface Seen {
  kind: string;
  type: string;
  name: string;
  at: number;
  detail: string;
}

async function discover(c: Client): Promise<{ path: string; kind: string }[]> {
  const out: { path: string; kind: string }[] = [];
  const roots: string[] = ['/api/v1'];
  const groups = (await (await c.request({ method: 'GET', path: '/apis' })).body.json()) as any;
  for (const g of groups.groups ?? []) roots.push(`/apis/${g.preferredVersion.groupVersion}`);
  for (const r of roots) {
    const list = (await (await c.request({ method: 'GET', path: r })).body.json()) as any;
    for (const res of list.resources ?? []) {
      if (res.name.includes('/') || !(res.verbs ?? []).includes('watch')) continue;
      out.push({ path: `${r}/${res.name}`, kind: res.kind });
    }
  }
  return out;
}

function detailOf(kind: string, o: any): string {
  if (kind === 'Event') return `${o.reason} ${o.involvedObject?.kind}`;
  if (kind === 'Pod') {
    const cs = o.status?.containerStatuses?.[0];
    const st = cs ? Object.keys(cs.state ?? {})[0] + (cs.state?.waiting ? `/${cs.state.waiting.reason}` : '') : '-';
    return `phase=${o.status?.phase ?? '-'} c=${st} ready=${cs?.ready ?? '-'} ann=${o.metadata.annotations?.['skiff.dev/ports'] ? 'y' : 'n'} node=${o.spec?.nodeName ?? '-'}`;
  }
  const { conditions, ...counts } = o.status ?? {};
  const conds = (conditions ?? []).map((c: any) => `${c.type}=${c.status}/${c.reason}`).join(',');
  return `rv=${o.metadata?.resourceVersion} rev=${o.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '-'} ${JSON.stringify(counts)} ${conds}`;
}

const argv = process.argv.slice(2);
const cycles = intArg(argv, 'cycles', 3);
const variant = (argv.find((a) => a.startsWith('--variant='))?.slice('--variant='.length) ?? 'probe-default') as 'probe-default' | 'no-probe';
const verbose = argv.includes('--verbose');

await withTarget(startSkiffUp, async (t) => {
  const c = new Client(t.api, { bodyTimeout: 0, pipelining: 0 });
  const kinds = await discover(c);
  const seen: Seen[] = [];
  const acs: AbortController[] = [];
  const clients: Client[] = [];
  for (const k of kinds) {
    const kc = new Client(t.api, { bodyTimeout: 0 });
    clients.push(kc);
    const list = (await (await kc.request({ method: 'GET', path: k.path })).body.json()) as any;
    const ac = new AbortController();
    acs.push(ac);
    const res = await kc.request({ method: 'GET', path: `${k.path}?watch=1&resourceVersion=${list.metadata.resourceVersion}`, signal: ac.signal });
    onWatchEvents(res.body, (ev, at) => {
      if (ev.type === 'BOOKMARK') return;
      seen.push({ kind: k.kind, type: ev.type, name: ev.object?.metadata?.name ?? '', at, detail: detailOf(k.kind, ev.object) });
    });
    res.body.on('error', () => {});
  }
  const totals: Map<string, number[]> = new Map();
  for (let i = 0; i < cycles; i++) {
    const name = `w-${i}`;
    const container: Record<string, unknown> = { name: 'app', image: 'bench/node-server', command: [process.execPath, '-e', SERVER_SRC] };
    if (variant !== 'no-probe') container.readinessProbe = { httpGet: { path: '/', port: 8080 } };
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 5, containers: [container] } } },
    };
    seen.length = 0;
    const t0 = performance.now();
    const res = await c.request({ method: 'POST', path: '/apis/apps/v1/namespaces/default/deployments', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.body.text();
    let readyAt = 0;
    while (!readyAt && performance.now() - t0 < 30_000) {
      const ev = seen.find((s) => s.kind === 'Pod' && s.detail.includes('ready=true'));
      if (ev) readyAt = ev.at;
      else await sleepMs(2);
    }
    await sleepMs(250);
    const until = seen.filter((s) => s.at <= readyAt);
    const row = [until.length, seen.length];
    if (verbose || i === cycles - 1) {
      console.log(`cycle ${i}: ${until.length} writes until Ready, ${seen.length} by +250 ms`);
      for (const s of seen) console.log(`  ${(s.at - t0).toFixed(1).padStart(7)} ms  ${s.at <= readyAt ? ' ' : '+'} ${s.kind.padEnd(22)} ${s.type.padEnd(8)} ${s.name.padEnd(28)} ${s.detail}`);
    }
    totals.set(String(i), row);
    const del = await c.request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/default/deployments/${name}` });
    await del.body.text();
    await sleepMs(500);
  }
  console.log(formatTable(['cycle', 'writes POST → Ready', 'writes by Ready + 250 ms'], [...totals].map(([k, v]) => [k, String(v[0]), String(v[1])])));
  for (const ac of acs) ac.abort();
  for (const kc of clients) await kc.destroy().catch(() => {});
  await c.destroy().catch(() => {});
});
