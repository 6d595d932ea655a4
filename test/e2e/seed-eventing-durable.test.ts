// The durable default broker class across a crash: events a SkiffLogBroker accepted (202) while
// its trigger's subscriber had no pods are delivered after Skiff is killed with SIGKILL and
// started again on the same data directory, once the subscriber comes back.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { getJson, kubectl, pidAlive, startSkiffProcess, tempDir, waitFor, type SkiffProcess } from './harness.js';
import { apply, blocksWithId, ceHeaders, curlPost, lines, maskArrivalTime, waitReady } from './eventing-helpers.js';

const EVENT = '☁️  cloudevents.Event';
const INGRESS = 'http://broker-ingress.knative-eventing.svc.cluster.local';

// event_display as a Deployment + Service (the seed's "PingSource → Kubernetes Service Sink"
// shape), created with no replicas: the subscriber is down.
const SETUP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sink
spec:
  replicas: 0
  selector:
    matchLabels: { app: sink }
  template:
    metadata:
      labels: { app: sink }
    spec:
      containers:
      - name: event-display
        image: ikubernetes/event_display
---
apiVersion: v1
kind: Service
metadata:
  name: sink
spec:
  selector: { app: sink }
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: durable
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: to-sink
spec:
  broker: durable
  subscriber:
    ref:
      apiVersion: v1
      kind: Service
      name: sink
  delivery:
    retry: 1000
    backoffPolicy: linear
    backoffDelay: PT0.05S
`;

async function sinkPod(s: SkiffProcess): Promise<string> {
  return waitFor('a ready sink pod', async () => {
    const list = await getJson(s, '/api/v1/namespaces/default/pods?labelSelector=app%3Dsink');
    const ready = (list?.items ?? []).find((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return ready?.metadata?.name as string | undefined;
  }, 30000);
}

describe('durable default broker (SkiffLogBroker) across kill -9 and restart', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('events accepted while the subscriber is down arrive after Skiff restarts', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const s = await startSkiffProcess({ dataDir });
    let s2: SkiffProcess | undefined;
    try {
      await apply(s, SETUP);
      await waitReady(s, 'broker durable');
      await waitReady(s, 'trigger to-sink');
      const cls = await kubectl(s, ['get', 'broker', 'durable', '-o', 'jsonpath={.metadata.annotations.eventing\\.knative\\.dev/broker\\.class}']);
      assert.equal(cls.stdout, 'SkiffLogBroker');

      for (const n of [1, 2, 3]) {
        const r = await curlPost(s, `${INGRESS}/default/durable`, ceHeaders(`kept-${n}`, 'com.magedu.durable'), `{"n":${n}}`);
        assert.equal(r.status, 202, r.out);
      }
      // Nothing can have been delivered: the Service has no endpoints.
      const direct = await curlPost(s, 'http://sink.default.svc.cluster.local/', ceHeaders('probe', 'x'), '{}');
      assert.equal(direct.status, 503, direct.out);

      s.proc.kill('SIGKILL');
      await waitFor('skiff to die', () => !pidAlive(s.proc.pid!), 10000);

      s2 = await startSkiffProcess({ dataDir });
      await waitReady(s2, 'broker durable');
      // One more while still down, after the restart.
      const late = await curlPost(s2, `${INGRESS}/default/durable`, ceHeaders('kept-4', 'com.magedu.durable'), '{"n":4}');
      assert.equal(late.status, 202, late.out);

      assert.equal((await kubectl(s2, ['scale', 'deployment', 'sink', '--replicas=1'])).code, 0);
      const pod = await sinkPod(s2);
      for (const n of [1, 2, 3, 4]) {
        const blocks = await waitFor(`kept-${n} at the sink`, async () => {
          const b = await blocksWithId(s2!, pod, `kept-${n}`, 'event-display');
          return b.length ? b : undefined;
        }, 20000, 100);
        assert.equal(
          maskArrivalTime(blocks[0]!),
          lines(
            EVENT,
            'Context Attributes,',
            '  specversion: 1.0',
            '  type: com.magedu.durable',
            '  source: curl',
            `  id: kept-${n}`,
            '  datacontenttype: application/json',
            'Extensions,',
            '  knativearrivaltime: <time>',
            'Data,',
            '  {',
            `    "n": ${n}`,
            '  }',
          ),
        );
      }
      const logs = (await kubectl(s2, ['logs', pod])).stdout;
      for (const n of [1, 2, 3, 4]) assert.equal(logs.split(`  id: kept-${n}\n`).length - 1, 1, `kept-${n} delivered once:\n${logs}`);
    } finally {
      await s2?.stop('SIGTERM');
      await s.stop('SIGKILL');
    }
  });
  test('events for a ksvc at zero survive a kill -9 during its cold start (delivered before or after the restart)', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const s = await startSkiffProcess({ dataDir });
    let s2: SkiffProcess | undefined;
    try {
      assert.equal((await kubectl(s, ['patch', 'cm', 'config-autoscaler', '-n', 'knative-serving', '--type', 'merge', '-p', '{"data":{"allow-zero-initial-scale":"true"}}'])).code, 0);
      await apply(
        s,
        `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: event-display
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/initial-scale: "0"
    spec:
      containers:
      - image: ikubernetes/event_display
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: to-display
spec:
  broker: default
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: event-display
`,
      );
      await waitReady(s, 'ksvc event-display');
      await waitReady(s, 'trigger to-display');
      const pods = await getJson(s, '/api/v1/namespaces/default/pods?labelSelector=serving.knative.dev%2Fservice%3Devent-display');
      assert.equal(pods.items.length, 0, 'the ksvc starts at zero');
      for (const n of [1, 2]) {
        const r = await curlPost(s, `${INGRESS}/default/default`, ceHeaders(`zero-${n}`, 'com.magedu.durable'), `{"n":${n}}`);
        assert.equal(r.status, 202, r.out);
      }
      s.proc.kill('SIGKILL');
      await waitFor('skiff to die', () => !pidAlive(s.proc.pid!), 10000);

      s2 = await startSkiffProcess({ dataDir });
      const pod = await waitFor('an event-display pod', async () => {
        const list = await getJson(s2!, '/api/v1/namespaces/default/pods?labelSelector=serving.knative.dev%2Fservice%3Devent-display');
        return list?.items?.[0]?.metadata?.name as string | undefined;
      }, 30000);
      // A delivery that beat the kill is in the logs of the container that ran before the restart.
      const seen = async (id: string) => {
        for (const args of [['logs', pod], ['logs', pod, '--previous']]) {
          const r = await kubectl(s2!, args);
          if (r.code === 0 && r.stdout.includes(`  id: ${id}\n`)) return true;
        }
        return false;
      };
      for (const n of [1, 2]) await waitFor(`zero-${n} printed by event-display`, () => seen(`zero-${n}`), 30000, 200);
    } finally {
      await s2?.stop('SIGTERM');
      await s.stop('SIGKILL');
    }
  });
});
