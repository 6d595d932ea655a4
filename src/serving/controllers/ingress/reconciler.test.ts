import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { FakeClock } from '../../../controller/clock.js';
import { nopEventRecorder } from '../../../controller/events.js';
import { SharedInformerFactory } from '../../../controller/informer.js';
import { FakeApiClient } from '../../../controller/testing/fake-client.js';
import { runTable, settle, type TableRow } from '../../../controller/testing/table.js';
import { cond } from '../route/testing/fixtures.js';
import { ImmediateIngressProgrammer, ManualIngressProgrammer } from './programmer.js';
import { newIngressController, newIngressReconciler, validateIngressSpec } from './reconciler.js';
import { INGRESS_GR, isIngressReady } from './types.js';

const NOW = Date.UTC(2024, 0, 1, 1);
const T1 = '2024-01-01T01:00:00Z';
const GW = { ingress: [{ domainInternal: 'skiff-gateway.knative-serving.svc.cluster.local' }] };

function kingress(o: { generation?: number; splits?: Array<[string, number]>; status?: KObject['status'] } = {}): KObject {
  const k: KObject = {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: 'hello', namespace: 'default', uid: 'ing-uid', generation: o.generation ?? 1 },
    spec: {
      rules: [
        {
          hosts: ['hello.default.example.com'],
          visibility: 'ExternalIP',
          http: { paths: [{ splits: (o.splits ?? [['hello-00001', 100]]).map(([serviceName, percent]) => ({ serviceNamespace: 'default', serviceName, servicePort: 80, percent })) }] },
        },
      ],
    },
  };
  if (o.status) k.status = o.status;
  return k;
}

const readyStatus = (gen = 1, at = T1) => ({
  observedGeneration: gen,
  conditions: [cond('LoadBalancerReady', 'True', undefined, undefined, at), cond('NetworkConfigured', 'True', undefined, undefined, at), cond('Ready', 'True', undefined, undefined, at)],
  publicLoadBalancer: GW,
  privateLoadBalancer: GW,
});
const waiting = (gen = 1, configuredAt = T1) => ({
  observedGeneration: gen,
  conditions: [
    cond('LoadBalancerReady', 'Unknown', 'Uninitialized', 'Waiting for load balancer to be ready', T1),
    cond('NetworkConfigured', 'True', undefined, undefined, configuredAt),
    cond('Ready', 'Unknown', 'Uninitialized', 'Waiting for load balancer to be ready', T1),
  ],
});

describe('KIngress status reconciler (table)', () => {
  const immediate: TableRow[] = [
    { name: 'gone: nothing to do', key: 'default/nope' },
    {
      name: 'programmed at once: NetworkConfigured, LoadBalancerReady → Ready, load balancers point at the gateway',
      key: 'default/hello',
      objects: [kingress()],
      wantStatusUpdates: [{ ...kingress(), status: readyStatus() }],
    },
    { name: 'steady state: no writes', key: 'default/hello', objects: [kingress({ status: readyStatus(1, '2024-01-01T00:00:00Z') })] },
    {
      name: 'a spec the gateway cannot serve: NetworkConfigured False naming the field',
      key: 'default/hello',
      objects: [kingress({ splits: [['a', 50], ['b', 40]] })],
      wantStatusUpdates: [
        {
          ...kingress({ splits: [['a', 50], ['b', 40]] }),
          status: {
            observedGeneration: 1,
            conditions: [
              cond('LoadBalancerReady', 'Unknown', undefined, undefined, T1),
              cond('NetworkConfigured', 'False', 'InvalidSpec', 'spec.rules[0].http.paths[0].splits: Invalid value: the sum of percentages is 90, want 100', T1),
              cond('Ready', 'False', 'InvalidSpec', 'spec.rules[0].http.paths[0].splits: Invalid value: the sum of percentages is 90, want 100', T1),
            ],
          },
        },
      ],
    },
  ];
  runTable(immediate, (ctx) => newIngressReconciler({ ...ctx, programmer: new ImmediateIngressProgrammer() }), { now: NOW });

  const manual = new ManualIngressProgrammer();
  manual.program('default', 'hello', 1);
  runTable(
    [
      {
        name: 'a new generation the data plane has not acknowledged: Ready Unknown Uninitialized, load balancers kept',
        key: 'default/hello',
        objects: [kingress({ generation: 2, status: readyStatus(1, '2024-01-01T00:00:00Z') })],
        wantStatusUpdates: [{ ...kingress({ generation: 2 }), status: { ...waiting(2, '2024-01-01T00:00:00Z'), publicLoadBalancer: GW, privateLoadBalancer: GW } }],
      },
    ],
    (ctx) => newIngressReconciler({ ...ctx, programmer: manual }),
    { now: NOW },
  );

  test('validateIngressSpec names the field at fault', () => {
    assert.equal(validateIngressSpec(undefined), 'spec: Required value');
    assert.equal(validateIngressSpec({ rules: [] }), 'spec.rules: Required value');
    assert.equal(validateIngressSpec({ rules: [{ hosts: [], http: { paths: [] } }] }), 'spec.rules[0].hosts: Required value');
    assert.match(validateIngressSpec({ rules: [{ hosts: ['a'], visibility: 'Public', http: { paths: [] } }] })!, /visibility: Unsupported value: "Public"/);
    assert.equal(validateIngressSpec({ rules: [{ hosts: ['a'], http: { paths: [{ splits: [{ serviceName: 'x' }] }] } }] }), undefined, 'a lone split defaults to 100 %');
  });
});

describe('KIngress controller with a data plane that acknowledges later', () => {
  test('Ready only after the programmer reports the generation; the callback re-enqueues', async () => {
    const clock = new FakeClock();
    const client = new FakeApiClient({ clock });
    const informers = new SharedInformerFactory(client, { clock });
    const programmer = new ManualIngressProgrammer();
    const ctrl = newIngressController({ client, informers, recorder: nopEventRecorder, clock, programmer });
    informers.start();
    await informers.waitForSync();
    ctrl.start();
    try {
      await client.create(INGRESS_GR, { ...kingress(), metadata: { name: 'hello', namespace: 'default' } });
      await settle(20);
      let ing = client.peek(INGRESS_GR, 'default', 'hello')!;
      assert.equal(isIngressReady(ing), false);
      assert.equal(ing.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason, 'Uninitialized');

      programmer.program('default', 'hello', 1);
      await settle(20);
      ing = client.peek(INGRESS_GR, 'default', 'hello')!;
      assert.equal(isIngressReady(ing), true);
      assert.deepEqual(ing.status.privateLoadBalancer, GW);

      // A spec change is a new generation: not ready until acknowledged again.
      await client.update(INGRESS_GR, { ...structuredClone(ing), spec: kingress({ splits: [['hello-00002', 100]] }).spec });
      await settle(20);
      assert.equal(isIngressReady(client.peek(INGRESS_GR, 'default', 'hello')!), false);
      programmer.program('default', 'hello', 2);
      await settle(20);
      assert.equal(isIngressReady(client.peek(INGRESS_GR, 'default', 'hello')!), true);
    } finally {
      await ctrl.stop();
      informers.stop();
    }
  });
});
