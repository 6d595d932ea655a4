import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KObject } from '../api/meta.js';
import { FakeEventRecorder } from '../controller/events.js';
import { AGENT_FINALIZER, NodeAgent } from './agent.js';
import { hostPortFor, PORTS_ANNOTATION } from './process/ports.js';
import { httpGet, isAlive, nodeServer, podManifest, testApi, waitFor, type TestApi } from './test-helpers.js';

let api: TestApi;
let agent: NodeAgent;
const recorder = new FakeEventRecorder();

const get = (name: string) => api.client.get('core/pods', 'default', name);
const cond = (pod: KObject | undefined, type: string) => pod?.status?.conditions?.find((c: any) => c.type === type)?.status;
const cstatus = (pod: KObject | undefined, i = 0) => pod?.status?.containerStatuses?.[i];

function sink() {
  let text = '';
  return {
    out: new Writable({
      write(c, _e, cb) {
        text += c.toString();
        cb();
      },
    }),
    text: () => text,
  };
}

async function readLog(name: string, opts: any = {}): Promise<string> {
  const s = sink();
  await agent.read('default', name, opts, s.out, new AbortController().signal);
  return s.text();
}

before(async () => {
  api = await testApi();
  agent = new NodeAgent({ client: api.client, dataDir: api.dataDir, backoff: { initialMs: 100 }, probePeriodMs: 50, recorder });
  await agent.start();
});

after(async () => {
  await agent.stop();
  await api.close();
});

describe('NodeAgent', () => {
  test('a bare pod runs: bound, ports recorded, Running/Ready, PORT answers; delete stops the process promptly', async () => {
    await api.client.create('core/pods', podManifest('web', { containers: [{ name: 'app', image: 'node', command: nodeServer(), ports: [{ containerPort: 8080, name: 'http' }] }] }));
    const pod = await waitFor('web ready', async () => {
      const p = await get('web');
      return cond(p, 'Ready') === 'True' && p;
    });
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.status.podIP, '127.0.0.1');
    assert.equal(pod.spec.nodeName, 'skiff');
    assert.ok(pod.metadata.finalizers?.includes(AGENT_FINALIZER));
    assert.ok(pod.metadata.annotations?.[PORTS_ANNOTATION]);
    assert.equal(cstatus(pod).restartCount, 0);
    assert.ok(cstatus(pod).state.running.startedAt);
    assert.match(cstatus(pod).containerID, /^skiff:\/\//);
    const port = hostPortFor(pod, 8080)!;
    assert.equal(hostPortFor(pod, 'http'), port);
    const res = await waitFor('http answer', () => httpGet(port).catch(() => undefined));
    const pid = Number(res.body);
    assert.ok(isAlive(pid));
    assert.deepEqual(agent.pidsOf('default', 'web'), [pid], 'the container process is the pod\'s pid (HPA metrics read it)');
    assert.deepEqual(agent.pidsOf('other', 'web'), []);
    assert.match(await readLog('web'), new RegExp(`listening on ${port}`));

    const t0 = Date.now();
    await api.client.delete('core/pods', 'default', 'web');
    await waitFor('web gone', async () => !(await get('web')));
    assert.ok(Date.now() - t0 < 3000, 'a process that exits on SIGTERM is deleted promptly');
    assert.equal(isAlive(pid), false);
    assert.deepEqual(agent.pidsOf('default', 'web'), []);
  });

  test('a crashing container goes into CrashLoopBackOff with restartCount and lastState; previous logs are kept', async () => {
    await api.client.create('core/pods', podManifest('crash', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo "run $$(date +%s)"; echo boom >&2; exit 3'] }] }));
    const pod = await waitFor('crash loop', async () => {
      const p = await get('crash');
      return cstatus(p)?.state?.waiting?.reason === 'CrashLoopBackOff' && cstatus(p).restartCount >= 1 && p;
    });
    const c = cstatus(pod);
    assert.match(c.state.waiting.message, /^back-off \d+ms restarting failed container=c pod=crash_default\(/);
    assert.equal(c.lastState.terminated.exitCode, 3);
    assert.equal(c.lastState.terminated.reason, 'Error');
    assert.equal(pod.status.phase, 'Running');
    assert.equal(cond(pod, 'Ready'), 'False');
    const prev = await readLog('crash', { previous: true });
    assert.match(prev, /^run \d+\nboom\n$/);
    assert.ok(recorder.events.includes('Normal Started Started container c'));
    assert.ok(recorder.events.some((e) => e.startsWith('Warning BackOff Back-off restarting failed container c in pod crash_default(')));
    assert.ok(recorder.events.includes('Normal Scheduled Successfully assigned default/crash to skiff'));
    await api.client.delete('core/pods', 'default', 'crash');
    await waitFor('crash gone', async () => !(await get('crash')));
  });

  test('restartPolicy Never: completes as Succeeded/Completed; a missing command is a StartError; bad image is ErrImagePull', async () => {
    await api.client.create('core/pods', podManifest('once', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo done'] }] }));
    await api.client.create('core/pods', podManifest('nocmd', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x', command: ['definitely-not-a-command-xyz'] }] }));
    await api.client.create('core/pods', podManifest('noimg', { containers: [{ name: 'c', image: 'nginx:1.25' }] }));
    const once = await waitFor('once succeeded', async () => {
      const p = await get('once');
      return p?.status?.phase === 'Succeeded' && p;
    });
    assert.equal(cstatus(once).state.terminated.reason, 'Completed');
    assert.equal(await readLog('once'), 'done\n');
    const nocmd = await waitFor('nocmd failed', async () => {
      const p = await get('nocmd');
      return p?.status?.phase === 'Failed' && p;
    });
    assert.equal(cstatus(nocmd).state.terminated.reason, 'StartError');
    assert.match(cstatus(nocmd).state.terminated.message, /exec: "definitely-not-a-command-xyz": executable file not found in \$PATH/);
    const noimg = await waitFor('noimg pull error', async () => {
      const p = await get('noimg');
      return /ErrImagePull|ImagePullBackOff/.test(cstatus(p)?.state?.waiting?.reason ?? '') && p;
    });
    assert.equal(noimg.status.phase, 'Pending');
    assert.match(cstatus(noimg).state.waiting.message, /nginx:1.25/);
    await assert.rejects(readLog('noimg'), (e: any) => e.status === 400 && /is waiting to start/.test(e.message));
    for (const n of ['once', 'nocmd', 'noimg']) await api.client.delete('core/pods', 'default', n);
    await waitFor('all gone', async () => !(await get('once')) && !(await get('nocmd')) && !(await get('noimg')));
  });

  test('env from ConfigMap/Secret/fieldRef; a missing ConfigMap waits as CreateContainerConfigError until it exists', async () => {
    await api.client.create('core/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, stringData: { password: 'hunter2' } });
    await api.client.create(
      'core/pods',
      podManifest(
        'envy',
        {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'c',
              image: 'busybox',
              command: ['sh', '-c', 'echo "$GREETING $PASS $ME $(MODE)"'],
              env: [
                { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
                { name: 'ME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
                { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
              ],
              envFrom: [{ configMapRef: { name: 'settings' } }],
            },
          ],
        },
        { labels: { app: 'envy' } },
      ),
    );
    const waiting = await waitFor('config error', async () => {
      const p = await get('envy');
      return cstatus(p)?.state?.waiting?.reason === 'CreateContainerConfigError' && p;
    });
    assert.equal(cstatus(waiting).state.waiting.message, 'configmap "settings" not found');
    await api.client.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast', GREETING: 'hi' } });
    await waitFor('envy succeeded', async () => (await get('envy'))?.status?.phase === 'Succeeded');
    assert.equal(await readLog('envy'), 'hi hunter2 envy fast\n');
    await api.client.delete('core/pods', 'default', 'envy');
  });

  test('probes: exec readiness follows a file, http readiness on a named port, tcp liveness failure restarts', async () => {
    const flag = join(api.dataDir, 'ready-flag');
    await api.client.create(
      'core/pods',
      podManifest('probed', {
        containers: [
          {
            name: 'web',
            image: 'x',
            command: nodeServer(),
            ports: [{ containerPort: 8080, name: 'http' }],
            readinessProbe: { httpGet: { path: '/', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] } },
          },
          { name: 'gate', image: 'x', command: ['sleep', '1000'], readinessProbe: { exec: { command: ['test', '-f', flag] } } },
          // Nothing listens on this container's port: liveness fails, the container restarts.
          { name: 'dead', image: 'x', command: ['sleep', '1000'], ports: [{ containerPort: 9999 }], livenessProbe: { tcpSocket: { port: 9999 }, failureThreshold: 2 } },
        ],
        terminationGracePeriodSeconds: 1,
      }),
    );
    const p1 = await waitFor('web ready, gate not', async () => {
      const p = await get('probed');
      return cstatus(p, 0)?.ready && cstatus(p, 1)?.state?.running && p;
    });
    assert.equal(cstatus(p1, 1).ready, false);
    assert.equal(cond(p1, 'Ready'), 'False');
    await writeFile(flag, 'ok');
    await waitFor('gate ready', async () => cstatus(await get('probed'), 1)?.ready === true);
    const p2 = await waitFor('dead restarted by liveness', async () => {
      const p = await get('probed');
      return cstatus(p, 2)?.restartCount >= 1 && p;
    });
    assert.match(cstatus(p2, 2).lastState.terminated.message, /failed liveness probe/);
    await rm(flag);
    await waitFor('gate unready again', async () => cstatus(await get('probed'), 1)?.ready === false);
    await assert.rejects(readLog('probed'), (e: any) => e.status === 400 && /a container name must be specified for pod probed, choose one of: \[web gate dead\]/.test(e.message));
    await assert.rejects(readLog('probed', { container: 'nope' }), (e: any) => e.status === 404);
    await assert.rejects(readLog('missing'), (e: any) => e.status === 404);
    await api.client.delete('core/pods', 'default', 'probed');
    await waitFor('probed gone', async () => !(await get('probed')));
  });

  test('deletion grace: SIGTERM first, SIGKILL after terminationGracePeriodSeconds', async () => {
    const marker = join(api.dataDir, 'got-term');
    await api.client.create(
      'core/pods',
      podManifest('stubborn', {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'x', command: [process.execPath, '-e', `process.on('SIGTERM',()=>require('fs').writeFileSync(${JSON.stringify(marker)},'1'));console.log('up');setInterval(()=>{},1000)`] }],
      }),
    );
    await waitFor('stubborn running', async () => cstatus(await get('stubborn'))?.state?.running && (await readLog('stubborn')).includes('up'));
    const t0 = Date.now();
    await api.client.delete('core/pods', 'default', 'stubborn');
    const terminating = await get('stubborn');
    assert.ok(terminating?.metadata.deletionTimestamp, 'the agent finalizer holds the pod while it terminates');
    await waitFor('stubborn gone', async () => !(await get('stubborn')));
    const took = Date.now() - t0;
    assert.ok(existsSync(marker), 'SIGTERM was delivered');
    assert.ok(took >= 900 && took < 4000, `killed after the grace period (took ${took} ms)`);
  });

  test('a shorter grace period on a later delete kills at once; kubectl-run style args-only pods run', async () => {
    await api.client.create(
      'core/pods',
      podManifest('deaf', {
        terminationGracePeriodSeconds: 30,
        containers: [{ name: 'c', image: 'x', command: [process.execPath, '-e', `process.on('SIGTERM',()=>{});console.log('up');setInterval(()=>{},1000)`] }],
      }),
    );
    await api.client.create('core/pods', podManifest('runargs', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', args: ['sh', '-c', 'echo from args'] }] }));
    await waitFor('deaf running', async () => (await readLog('deaf')).includes('up'));
    await api.client.delete('core/pods', 'default', 'deaf');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    // What `kubectl delete --grace-period=0 --force` records on the object.
    const cur = (await get('deaf'))!;
    await api.client.update('core/pods', { ...structuredClone(cur), metadata: { ...structuredClone(cur.metadata), deletionGracePeriodSeconds: 0 } });
    await waitFor('deaf gone', async () => !(await get('deaf')), 3000);
    assert.ok(Date.now() - t0 < 2000);
    await waitFor('runargs done', async () => (await get('runargs'))?.status?.phase === 'Succeeded');
    assert.equal(await readLog('runargs'), 'from args\n');
    await api.client.delete('core/pods', 'default', 'runargs');
  });

  test('startup probe gates readiness and liveness until it passes', async () => {
    const flag = join(api.dataDir, 'started-flag');
    await api.client.create(
      'core/pods',
      podManifest('slowstart', {
        containers: [{ name: 'c', image: 'x', command: ['sleep', '1000'], startupProbe: { exec: { command: ['test', '-f', flag] }, failureThreshold: 1000 }, livenessProbe: { exec: { command: ['test', '-f', flag] } } }],
      }),
    );
    const p = await waitFor('running, not started', async () => {
      const p = await get('slowstart');
      return cstatus(p)?.state?.running && p;
    });
    await new Promise((r) => setTimeout(r, 300));
    const p2 = (await get('slowstart'))!;
    assert.deepEqual([cstatus(p2).started, cstatus(p2).ready, cstatus(p2).restartCount], [false, false, 0], 'liveness does not run before startup succeeds');
    assert.ok(p);
    await writeFile(flag, '1');
    await waitFor('started and ready', async () => {
      const c = cstatus(await get('slowstart'));
      return c?.started && c.ready;
    });
    await api.client.delete('core/pods', 'default', 'slowstart');
    await waitFor('slowstart gone', async () => !(await get('slowstart')));
  });

  test('logs: follow streams new lines until the container ends; tail and timestamps', async () => {
    await api.client.create('core/pods', podManifest('talk', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x', command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo "n$i"; sleep 0.1; done'] }] }));
    await waitFor('talk started', async () => (await get('talk'))?.status?.containerStatuses?.[0]?.state?.running || (await get('talk'))?.status?.phase === 'Succeeded');
    const s = sink();
    await agent.read('default', 'talk', { follow: true }, s.out, new AbortController().signal);
    assert.equal(s.text(), 'n1\nn2\nn3\nn4\nn5\n');
    assert.equal(await readLog('talk', { tailLines: 2 }), 'n4\nn5\n');
    assert.match(await readLog('talk', { tailLines: 1, timestamps: true }), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z n5\n$/);
    await api.client.delete('core/pods', 'default', 'talk');
  });
});

describe('NodeAgent with Kubernetes probe periods (no test override)', () => {
  let api2: TestApi;
  let agent2: NodeAgent;
  before(async () => {
    api2 = await testApi();
    agent2 = new NodeAgent({ client: api2.client, dataDir: api2.dataDir, backoff: { initialMs: 100 } });
    await agent2.start();
  });
  after(async () => {
    await agent2.stop();
    await api2.close();
  });

  test('fast first readiness: an HTTP readiness probe with the default 10 s period turns Ready soon after the server listens, not a period later', async () => {
    // Listens 300 ms after start and records when: the first probe (at start) fails for sure.
    const src = "const http=require('http');setTimeout(()=>{const t=Date.now();http.createServer((q,s)=>s.end(String(t))).listen(Number(process.env.PORT),'127.0.0.1')},300)";
    const created = Date.now();
    await api2.client.create('core/pods', podManifest('late', { containers: [{ name: 'app', image: 'x', command: [process.execPath, '-e', src], readinessProbe: { httpGet: { path: '/', port: 8080 } } }] }));
    const pod = await waitFor('late ready', async () => {
      const p = await api2.client.get('core/pods', 'default', 'late');
      return cond(p, 'Ready') === 'True' && p;
    });
    const readyAt = Date.now();
    const listenedAt = Number((await httpGet(hostPortFor(pod, 8080)!)).body);
    assert.ok(readyAt >= listenedAt, 'Ready only once the server answers');
    assert.ok(readyAt - created < 5000, `Ready ${readyAt - created} ms after creation: well before the 10 s period`);
    assert.equal(cstatus(pod).ready, true);
    await api2.client.delete('core/pods', 'default', 'late');
    await waitFor('late gone', async () => !(await api2.client.get('core/pods', 'default', 'late')));
  });
});

describe('NodeAgent — first status of a fresh pod', () => {
  let api3: TestApi;
  let agent3: NodeAgent;
  before(async () => {
    api3 = await testApi();
    // Images named "slow/…" take 700 ms to resolve (a start that stays in ContainerCreating for a while).
    const images = async (image: string, c: any) => {
      if (image.startsWith('slow/')) await new Promise((r) => setTimeout(r, 700));
      return { command: c.command };
    };
    agent3 = new NodeAgent({ client: api3.client, dataDir: api3.dataDir, backoff: { initialMs: 100 }, images });
    await agent3.start();
  });
  after(async () => {
    await agent3.stop();
    await api3.close();
  });

  /** Every status the pod's watch shows until it is Running: `phase/state-of-container-0`. */
  async function statusesUntilRunning(name: string, image: string): Promise<string[]> {
    const seen: string[] = [];
    let done!: () => void;
    const running = new Promise<void>((r) => (done = r));
    const list = await api3.client.list('core/pods', { namespace: 'default' });
    const w = api3.client.watch(
      'core/pods',
      { namespace: 'default', resourceVersion: list.resourceVersion },
      (ev) => {
        if (ev.object.metadata.name !== name || !ev.object.status) return;
        const st = ev.object.status.containerStatuses?.[0]?.state ?? {};
        const s = `${ev.object.status.phase}/${Object.keys(st)[0]}${st.waiting ? `:${st.waiting.reason}` : ''}`;
        if (seen.at(-1) !== s) seen.push(s);
        if (ev.object.status.phase === 'Running') done();
      },
      () => {},
    );
    try {
      await api3.client.create('core/pods', podManifest(name, { containers: [{ name: 'app', image, command: nodeServer() }] }));
      await Promise.race([running, new Promise((_, rej) => setTimeout(() => rej(new Error(`${name} not Running: ${seen.join(' → ')}`)), 8000))]);
    } finally {
      w.stop();
    }
    await api3.client.delete('core/pods', 'default', name);
    await waitFor(`${name} gone`, async () => !(await api3.client.get('core/pods', 'default', name)));
    return seen;
  }

  test('a quick start reports Running as its first status (the ContainerCreating write is folded into it)', async () => {
    assert.deepEqual(await statusesUntilRunning('quick', 'fast/app'), ['Running/running']);
  });

  test('a slow start still shows Pending / ContainerCreating first, then Running', async () => {
    assert.deepEqual(await statusesUntilRunning('slowpoke', 'slow/app'), ['Pending/waiting:ContainerCreating', 'Running/running']);
  });
});
