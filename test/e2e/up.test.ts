// Issue "Platform foundation": the start/stop contract of `skiff up`, stock
// kubectl against it, pods as processes, logs, and no orphans after SIGTERM
// or SIGKILL of Skiff; state and running workloads survive a restart.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { getJson, kubectl, pidAlive, run, SKIFF_BIN, startSkiffProcess, tempDir, waitFor, type SkiffProcess } from './harness.js';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: app
        image: example.com/web:1
        command: ["node", "-e", "require('http').createServer((q,s)=>{console.log('hit', q.url); s.end('hello from '+process.env.HOSTNAME_HINT+'\\\\n')}).listen(process.env.PORT, '127.0.0.1', ()=>console.log('listening on', process.env.PORT))"]
        env:
        - name: HOSTNAME_HINT
          valueFrom: { fieldRef: { fieldPath: metadata.name } }
        readinessProbe:
          httpGet: { path: /healthz, port: 8080 }
          periodSeconds: 1
        ports:
        - containerPort: 8080
`;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function podPids(s: SkiffProcess): Promise<number[]> {
  const dir = join(s.dataDir, 'run');
  const pids: number[] = [];
  for (const f of readdirSync(dir)) {
    try {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      if (Number.isInteger(j.pid)) pids.push(j.pid);
    } catch {
      /* not a pid file */
    }
  }
  return pids;
}

/** Idle warm-pool processes (runtime/process/warm-pool.ts) that `skiffPid` started. */
function warmPids(skiffPid: number): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === skiffPid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('warm-node-bootstrap.cjs')) pids.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

async function readyPods(s: SkiffProcess): Promise<any[]> {
  const list = await getJson(s, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
  return (list?.items ?? []).filter((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
}

function hostPorts(pod: any): number[] {
  return JSON.parse(pod.metadata.annotations?.['skiff.dev/ports'] ?? '[]').map((p: any) => p.hostPort);
}

describe('skiff up: start/stop contract, kubectl, pods as processes', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('prints where things are, refuses a second instance, runs kubectl workloads, stops cleanly', async () => {
    const s = await startSkiffProcess();
    dirs.push(s.dataDir);
    try {
      assert.match(s.output(), /API: +http:\/\/127\.0\.0\.1:\d+/);
      assert.match(s.output(), /Gateway: +http:\/\/127\.0\.0\.1:\d+/);
      assert.match(s.output(), new RegExp(`State: +${s.dataDir}`));

      const second = await run(process.execPath, [SKIFF_BIN, 'up', '--data-dir', s.dataDir, '--api-port', '0', '--http-port', '0']);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /already running with data directory/);

      const ns = await kubectl(s, ['get', 'ns']);
      assert.equal(ns.code, 0, ns.stderr);
      for (const n of ['default', 'knative-serving', 'knative-eventing']) assert.match(ns.stdout, new RegExp(`^${n} +Active`, 'm'));

      const applied = await kubectl(s, ['apply', '-f', '-'], APP);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /deployment.apps\/web created/);
      const pods = await waitFor('2 ready pods', async () => ((await readyPods(s)).length === 2 ? readyPods(s) : undefined), 30000);
      const table = await kubectl(s, ['get', 'pods']);
      assert.match(table.stdout, /^NAME +READY +STATUS +RESTARTS +AGE/m);
      assert.match(table.stdout, /^web-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running +0 /m);
      const deploy = await kubectl(s, ['get', 'deploy', 'web']);
      assert.match(deploy.stdout, /^web +2\/2 +2 +2 /m);

      // Each pod answers on its own port with its own name (fieldRef env).
      const port = hostPorts(pods[0])[0];
      const body = await (await fetch(`http://127.0.0.1:${port}/x`)).text();
      assert.equal(body, `hello from ${pods[0].metadata.name}\n`);
      const logs = await waitFor('log line', async () => {
        const r = await kubectl(s, ['logs', pods[0].metadata.name]);
        return r.stdout.includes('hit /x') ? r : undefined;
      });
      assert.match(logs.stdout, /listening on \d+/);

      const scaled = await kubectl(s, ['scale', 'deployment', 'web', '--replicas=1']);
      assert.equal(scaled.code, 0, scaled.stderr);
      await waitFor('scale down to 1 pod', async () => (await getJson(s, '/api/v1/namespaces/default/pods'))?.items?.length === 1, 30000);

      const pids = await podPids(s);
      assert.ok(pids.length >= 1 && pids.every(pidAlive), 'pod processes run');
      const ports = (await readyPods(s)).flatMap(hostPorts);
      const apiPort = Number(new URL(s.api).port);
      const warm = await waitFor('the warm pool to hold one node runtime', () => (warmPids(s.proc.pid!).length === 1 ? warmPids(s.proc.pid!) : undefined), 10000);

      const code = await s.stop('SIGTERM');
      assert.equal(code, 0, s.output());
      assert.match(s.output(), /Skiff stopped\./);
      for (const pid of pids) assert.ok(!pidAlive(pid), `pod process ${pid} gone after stop`);
      for (const pid of warm) assert.ok(!pidAlive(pid), `warm pool process ${pid} gone after stop`);
      for (const p of [apiPort, ...ports]) assert.equal(await portOpen(p), false, `port ${p} closed after stop`);
    } finally {
      await s.stop('SIGKILL');
    }
  });

  test('after SIGKILL of Skiff no pod process survives, and a restart brings state and pods back', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const s = await startSkiffProcess({ dataDir });
    try {
      await kubectl(s, ['apply', '-f', '-'], APP);
      await kubectl(s, ['create', 'configmap', 'keep-me', '--from-literal=k=v']);
      await waitFor('2 ready pods', async () => (await readyPods(s)).length === 2, 30000);
      const pids = await podPids(s);
      assert.equal(pids.length, 2);
      const warm = await waitFor('the warm pool to hold one node runtime', () => (warmPids(s.proc.pid!).length === 1 ? warmPids(s.proc.pid!) : undefined), 10000);
      s.proc.kill('SIGKILL');
      await waitFor('pod processes to die after Skiff was killed', () => pids.every((p) => !pidAlive(p)), 10000);
      await waitFor('warm pool processes to die after Skiff was killed', () => warm.every((p) => !pidAlive(p)), 10000);

      const s2 = await startSkiffProcess({ dataDir });
      try {
        const cm = await kubectl(s2, ['get', 'cm', 'keep-me', '-o', 'jsonpath={.data.k}']);
        assert.equal(cm.stdout, 'v');
        const pods = await waitFor('pods running again after restart', async () => ((await readyPods(s2)).length === 2 ? readyPods(s2) : undefined), 30000);
        const newPids = await podPids(s2);
        assert.equal(newPids.length, 2, 'exactly one generation of each pod');
        assert.ok(newPids.every((p) => !pids.includes(p)));
        const port = hostPorts(pods[0])[0];
        assert.match(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /^hello from web-/);
      } finally {
        assert.equal(await s2.stop('SIGINT'), 0);
      }
    } finally {
      await s.stop('SIGKILL');
    }
  });
});

describe('bare pods through kubectl', () => {
  test('kubectl run --restart=Never runs the command, logs it, and delete --grace-period=0 --force kills it at once', async () => {
    const s = await startSkiffProcess();
    try {
      const r = await kubectl(s, ['run', 'once', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo ran-$((40+2))']);
      assert.equal(r.code, 0, r.stderr);
      await waitFor('pod once Succeeded', async () => (await getJson(s, '/api/v1/namespaces/default/pods/once'))?.status?.phase === 'Succeeded', 20000);
      const logs = await kubectl(s, ['logs', 'once']);
      assert.equal(logs.stdout.trim(), 'ran-42');
      const get = await kubectl(s, ['get', 'pod', 'once']);
      assert.match(get.stdout, /^once +0\/1 +Completed +0 /m);

      await kubectl(s, ['run', 'stubborn', '--image=busybox', '--restart=Never', '--', 'sh', '-c', "trap '' TERM; echo started; while true; do sleep 1; done"]);
      await waitFor('stubborn running', async () => (await getJson(s, '/api/v1/namespaces/default/pods/stubborn'))?.status?.phase === 'Running', 20000);
      const t0 = Date.now();
      const del = await kubectl(s, ['delete', 'pod', 'stubborn', '--grace-period=0', '--force']);
      assert.equal(del.code, 0, del.stderr);
      await waitFor('stubborn gone', async () => (await getJson(s, '/api/v1/namespaces/default/pods/stubborn')) === undefined, 10000);
      assert.ok(Date.now() - t0 < 8000, `forced delete took ${Date.now() - t0} ms`);
    } finally {
      await s.stop('SIGTERM');
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  });
});
