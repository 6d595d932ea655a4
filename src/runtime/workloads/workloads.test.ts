// Deployments and ReplicaSets end to end on the embedded API with the node
// agent running real processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import type { Controller } from '../../controller/controller.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { NodeAgent } from '../agent.js';
import { hostPortFor } from '../process/ports.js';
import { httpGet, isAlive, nodeServer, testApi, waitFor, type TestApi } from '../test-helpers.js';
import { newWorkloadControllers, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from './index.js';

let api: TestApi;
let agent: NodeAgent;
let informers: SharedInformerFactory;
let controllers: Controller[];

const deployment = (name: string, replicas: number, env: Record<string, string> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'app',
            image: 'node',
            command: nodeServer(),
            env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
            ports: [{ containerPort: 8080 }],
            readinessProbe: { tcpSocket: { port: 8080 } },
          },
        ],
      },
    },
  },
});

const pods = async (app: string) => (await api.client.list('core/pods', { namespace: 'default', labelSelector: `app=${app}` })).items;
const ready = (p: KObject) => p.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
const getDeploy = (n: string) => api.client.get('apps/deployments', 'default', n);

async function pidsOf(app: string): Promise<number[]> {
  const out: number[] = [];
  for (const p of (await pods(app)).filter((p) => ready(p) && !p.metadata.deletionTimestamp)) out.push(Number((await httpGet(hostPortFor(p, 8080)!)).body));
  return out;
}

before(async () => {
  api = await testApi();
  informers = new SharedInformerFactory(api.client);
  controllers = newWorkloadControllers({ client: api.client, informers });
  agent = new NodeAgent({ client: api.client, dataDir: api.dataDir, informers, backoff: { initialMs: 100 }, probePeriodMs: 50 });
  informers.start();
  await informers.waitForSync();
  for (const c of controllers) c.start();
  await agent.start();
});

after(async () => {
  for (const c of controllers) await c.stop({ drain: false });
  await agent.stop();
  informers.stop();
  await api.close();
});

describe('Deployment → ReplicaSet → Pods', () => {
  test('create: two pods Running and Ready behind PORT, owned by a hashed ReplicaSet; status complete', async () => {
    await api.client.create('apps/deployments', deployment('web', 2));
    const d = await waitFor('deployment available', async () => {
      const d = await getDeploy('web');
      return d?.status?.availableReplicas === 2 && d.status.conditions?.find((c: any) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' && d;
    });
    assert.equal(d.status.readyReplicas, 2);
    assert.equal(d.status.updatedReplicas, 2);
    assert.equal(d.status.observedGeneration, d.metadata.generation);
    assert.equal(d.status.selector, 'app=web');
    assert.equal(d.metadata.annotations?.[REVISION_ANNOTATION], '1');
    assert.deepEqual(d.status.conditions.find((c: any) => c.type === 'Available').status, 'True');
    const rsList = (await api.client.list('apps/replicasets', { namespace: 'default' })).items.filter((r) => r.metadata.name!.startsWith('web-'));
    assert.equal(rsList.length, 1);
    const rs = rsList[0];
    const hash = rs.metadata.labels![POD_TEMPLATE_HASH_LABEL];
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.deepEqual(rs.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['Deployment', 'web', true]]);
    assert.deepEqual({ r: rs.status.replicas, ready: rs.status.readyReplicas, avail: rs.status.availableReplicas, full: rs.status.fullyLabeledReplicas }, { r: 2, ready: 2, avail: 2, full: 2 });
    const ps = await pods('web');
    assert.equal(ps.length, 2);
    for (const p of ps) {
      assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.equal(p.metadata.ownerReferences?.[0].name, rs.metadata.name);
      assert.ok(ready(p));
    }
    const pids = await pidsOf('web');
    assert.equal(new Set(pids).size, 2);
    assert.ok(pids.every(isAlive));
  });

  test('scale to 0 through the scale subresource stops the processes; scale back up', async () => {
    const pids = await pidsOf('web');
    await api.client.patch('apps/deployments', 'default', 'web', { spec: { replicas: 0 } }, { type: 'merge', subresource: 'scale' });
    await waitFor('pods gone', async () => (await pods('web')).length === 0);
    await waitFor('processes gone', () => pids.every((p) => !isAlive(p)));
    const d = await waitFor('status at 0', async () => {
      const d = await getDeploy('web');
      return d && d.status?.replicas === undefined && d.status?.observedGeneration === d.metadata.generation && d;
    });
    assert.equal(d.status.conditions.find((c: any) => c.type === 'Available').status, 'True');
    await api.client.patch('apps/deployments', 'default', 'web', { spec: { replicas: 2 } }, { type: 'merge', subresource: 'scale' });
    await waitFor('back to 2 ready', async () => (await getDeploy('web'))?.status?.availableReplicas === 2);
  });

  test('template change rolls out a new ReplicaSet and retires the old one without losing availability', async () => {
    const before = (await pods('web')).map((p) => p.metadata.name);
    const oldPids = await pidsOf('web');
    const cur = (await getDeploy('web'))!;
    const next = structuredClone(cur);
    next.spec.template.spec.containers[0].env = [{ name: 'VERSION', value: 'v2' }];
    await api.client.update('apps/deployments', next);
    let minReady = Infinity;
    const d = await waitFor(
      'rollout complete',
      async () => {
        const ps = await pods('web');
        minReady = Math.min(minReady, ps.filter((p) => ready(p) && !p.metadata.deletionTimestamp).length);
        const d = await getDeploy('web');
        return d?.status?.observedGeneration === d?.metadata.generation && d?.status?.updatedReplicas === 2 && d.status.availableReplicas === 2 && d.status.replicas === 2 && d.status.conditions?.find((c: any) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' && d;
      },
      15000,
    );
    assert.ok(minReady >= 2, `maxUnavailable 0 keeps two ready pods throughout (saw ${minReady})`);
    assert.equal(d.metadata.annotations?.[REVISION_ANNOTATION], '2');
    const rsList = (await api.client.list('apps/replicasets', { namespace: 'default' })).items.filter((r) => r.metadata.name!.startsWith('web-'));
    assert.equal(rsList.length, 2);
    const old = rsList.find((r) => r.metadata.annotations?.[REVISION_ANNOTATION] === '1')!;
    assert.equal(old.spec.replicas, 0);
    await waitFor('old pods gone', async () => (await pods('web')).every((p) => !before.includes(p.metadata.name)));
    await waitFor('old processes gone', () => oldPids.every((p) => !isAlive(p)));
  });

  test('deleting the Deployment cascades to ReplicaSets, pods and processes', async () => {
    const pids = await pidsOf('web');
    await api.client.delete('apps/deployments', 'default', 'web');
    await waitFor('everything gone', async () => (await pods('web')).length === 0 && (await api.client.list('apps/replicasets', { namespace: 'default' })).items.length === 0);
    await waitFor('processes gone', () => pids.every((p) => !isAlive(p)));
  });

  test('a built-in sample image runs as its local program', async () => {
    await api.client.create('apps/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'hello' } },
        template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'user-container', image: 'gcr.io/knative-samples/helloworld-go', env: [{ name: 'TARGET', value: 'Skiff' }], ports: [{ containerPort: 8080 }] }] } },
      },
    });
    const p = await waitFor('hello ready', async () => (await pods('hello')).find(ready));
    assert.equal(p.status.containerStatuses[0].imageID, 'skiff.dev/images/helloworld');
    const res = await waitFor('hello answers', () => httpGet(hostPortFor(p, 8080)!).catch(() => undefined));
    assert.equal(res.body, 'Hello Skiff!\n');
    await api.client.delete('apps/deployments', 'default', 'hello');
    await waitFor('hello gone', async () => (await pods('hello')).length === 0);
  });
});
