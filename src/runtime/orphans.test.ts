// No orphans: a SIGKILLed Skiff leaves no pod process behind (pdeathsig for
// direct children, the start-up reaper for escaped grandchildren), pids are
// never killed on a recycled-pid match, and two agents cannot share a data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCoreKinds } from '../api/core/kinds.js';
import { ResourceRegistry } from '../api/registry.js';
import { GarbageCollector } from '../apiserver/garbage-collector.js';
import { ObjectService } from '../apiserver/object-service.js';
import { InProcessClient } from '../client/in-process-client.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { NodeAgent } from './agent.js';
import { readProcStat } from './process/procfs.js';
import { AgentLock, PidFiles, reapStragglers } from './process/reaper.js';
import { detectSetpriv } from './process/spawner.js';
import { httpGet, isAlive, podManifest, waitFor } from './test-helpers.js';

const SERVER = `require('http').createServer((q,s)=>s.end('ok')).listen(Number(process.env.PORT),'127.0.0.1')`;

test('SIGKILL of Skiff: pod processes die with it; a restarted agent reaps escaped grandchildren and runs the pods again', async (t) => {
  if (process.platform !== 'linux') return t.skip('Linux only');
  const dir = await mkdtemp(join(tmpdir(), 'skiff-orphans-'));
  const gcPidFile = join(dir, 'grandchild.pid');
  const pods = [
    podManifest('sleeper', { containers: [{ name: 'c', image: 'x', command: ['sleep', '1000'] }] }),
    podManifest('server', {
      containers: [{ name: 'c', image: 'x', command: ['sh', '-c', 'setsid sleep 1000 & echo $! > "$0"; exec "$1" -e "$2"', gcPidFile, process.execPath, SERVER] }],
    }),
  ];
  const fixture = new URL('./agent-fixture.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [fixture, dir, JSON.stringify(pods)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let finished = false;
  t.after(async () => {
    child.kill('SIGKILL');
    if (finished) return;
    // A failed run must not leave the escaped grandchild behind either.
    const pid = Number((await readFile(gcPidFile, 'utf8').catch(() => '')).trim());
    if (pid > 1 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  const ports: Record<string, number> = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /READY (.*)\n/.exec(buf);
      if (m) resolve(JSON.parse(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  const records = await waitFor('pid files', async () => {
    const rs = await new PidFiles(join(dir, 'run')).list();
    return rs.length === 2 && rs;
  });
  const pidOf = (pod: string) => records.find((r) => r.pod === pod)!.pid;
  await waitFor('grandchild pid file', () => readFile(gcPidFile, 'utf8').then((s) => s.trim().length > 0));
  const grandchild = Number((await readFile(gcPidFile, 'utf8')).trim());
  const [sleeper, server] = [pidOf('sleeper'), pidOf('server')];
  await waitFor('server answers', () => httpGet(ports.server).then((r) => r.body === 'ok'));
  assert.ok(isAlive(sleeper) && isAlive(server) && isAlive(grandchild));

  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  if (await detectSetpriv()) {
    await waitFor('direct children gone (pdeathsig)', () => !isAlive(sleeper) && !isAlive(server), 3000);
    await assert.rejects(httpGet(ports.server), 'the port is released');
  }
  assert.ok(isAlive(grandchild), 'a grandchild in its own session escapes pdeathsig…');

  // …until the next agent start reaps it, before running anything.
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  const store = openSqliteStore(join(dir, 'state.db'));
  const svc = new ObjectService(store, reg);
  const gc = new GarbageCollector(svc);
  gc.start();
  const client = new InProcessClient(svc);
  const agent = new NodeAgent({ client, dataDir: dir, backoff: { initialMs: 100 }, probePeriodMs: 50 });
  try {
    await agent.start();
    assert.equal(isAlive(grandchild), false, 'reaped at start');
    assert.equal(isAlive(sleeper) || isAlive(server), false);
    const again = await waitFor('pods running again', async () => {
      const ps = await Promise.all(['sleeper', 'server'].map((n) => client.get('core/pods', 'default', n)));
      return ps.every((p) => p?.status?.containerStatuses?.[0]?.state?.running && p.status.containerStatuses[0].restartCount > 0) && ps;
    });
    for (const p of again) {
      const cs = p!.status.containerStatuses[0];
      assert.equal(cs.restartCount, 1, 'the restart is counted');
      assert.match(cs.lastState.terminated.message, /node agent restarted/);
    }
    await waitFor('server answers again on its recorded port', () => httpGet(ports.server).then((r) => r.body === 'ok'));
    const newGrandchild = await waitFor('new grandchild', async () => {
      const n = Number((await readFile(gcPidFile, 'utf8')).trim());
      return n !== grandchild && n;
    });
    const live = (await new PidFiles(join(dir, 'run')).list()).map((r) => r.pid);
    await agent.stop();
    for (const pid of [...live, newGrandchild]) assert.equal(isAlive(pid), false, `pid ${pid} gone after stop()`);
    finished = true;
  } finally {
    await agent.stop();
    gc.stop();
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the reaper never kills a recycled pid, and kills a recorded one whose start time matches', async (t) => {
  if (process.platform !== 'linux') return t.skip('Linux only');
  const victim = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => victim.once('spawn', r));
    const st = (await readProcStat(victim.pid!))!;
    const rec = { namespace: 'default', pod: 'p', uid: 'u', container: 'c', pid: victim.pid!, pgid: victim.pid!, startTime: st.startTime + 1 };
    assert.deepEqual(await reapStragglers({ records: [rec], agentId: 'no-such-agent', waitMs: 200 }), []);
    assert.ok(isAlive(victim.pid!), 'start time differs: treated as a recycled pid');
    const killed = await reapStragglers({ records: [{ ...rec, pgid: -1, startTime: st.startTime }], agentId: 'no-such-agent', waitMs: 2000 });
    assert.deepEqual(killed, [victim.pid]);
    await new Promise((r) => (victim.exitCode !== null || victim.signalCode ? r(null) : victim.once('exit', r)));
    assert.equal(victim.signalCode, 'SIGKILL');
  } finally {
    victim.kill('SIGKILL');
  }
});

test('a data dir held by a live agent is refused; a stale lock is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-lock-'));
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => other.once('spawn', r));
    const st = await readProcStat(other.pid!);
    await writeFile(join(dir, 'agent.lock'), JSON.stringify({ pid: other.pid, startTime: st?.startTime ?? 0 }));
    await assert.rejects(new AgentLock(join(dir, 'agent.lock')).acquire(), (e: any) => e.code === 'SKIFF_ERR_AGENT_LOCKED');
    await writeFile(join(dir, 'agent.lock'), JSON.stringify({ pid: other.pid, startTime: 1 }));
    await new AgentLock(join(dir, 'agent.lock')).acquire();
    assert.equal(JSON.parse(await readFile(join(dir, 'agent.lock'), 'utf8')).pid, process.pid);
  } finally {
    other.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
