// Table tests for the HPA-class PodAutoscaler reconciler (the HPA loop itself
// is tested in autoscaler/runner/hpa-scalers.test.ts; here its last result is given).
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import type { HpaSpec } from '../../autoscaler/hpa.js';
import { ConfigMapAutoscalingConfig } from '../../autoscaler/runner/config-store.js';
import type { HpaSyncResult } from '../../autoscaler/runner/hpa-scalers.js';
import { newHpaReconciler } from './hpa.js';
import { makeSks } from './resources/sks.js';
import { at, c, deployment, NOW, NS, pa, paStatus, pod, pods, QUEUED, REV, sks, T_NOW } from './testing.js';

const KEY = `${NS}/${REV}`;
const HPA = { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev', 'autoscaling.knative.dev/target': '70' };
const hpaPa = (status?: KObject['status']) => pa({ annotations: HPA, ...(status ? { status } : {}) });
const hpaSks = (o: Parameters<typeof sks>[1] = {}) => sks('Serve', { numActivators: 0, owner: hpaPa(), ...o });
const withStatus = (p: KObject, status: unknown) => ({ ...p, status });
const HOUR = 3_600_000;

interface HpaRow extends TableRow {
  last?: Partial<HpaSyncResult>;
  wantHpa?: (spec: HpaSpec) => void;
}

function run(rows: HpaRow[]): void {
  for (const row of rows) {
    const { last, wantHpa, ...tableRow } = row;
    let seen: HpaSpec | undefined;
    const post = tableRow.postConditions;
    tableRow.postConditions = async (ctx, outcome) => {
      if (wantHpa) wantHpa(seen!);
      await post?.(ctx, outcome);
    };
    runTable(
      [tableRow],
      (ctx) =>
        newHpaReconciler({
          client: ctx.client,
          informers: ctx.informers,
          recorder: ctx.recorder,
          clock: ctx.clock,
          logger: ctx.logger,
          config: new ConfigMapAutoscalingConfig(ctx.informers.lister('core/configmaps')),
          hpaScalers: {
            ensure: (key, spec, target) => {
              assert.equal(key, KEY);
              assert.deepEqual(target, { gr: 'apps/deployments', namespace: NS, name: `${REV}-deployment` });
              seen = spec;
              return last ? ({ desiredReplicas: 1, reason: 'DesiredWithinRange', metricReplicas: 1, currentValue: 0, currentReplicas: 1, at: NOW, ...last } as HpaSyncResult) : undefined;
            },
          },
        }),
      { now: NOW },
    );
  }
}

describe('HPA reconciler', () => {
  run([
    {
      name: 'a KPA-class PA is left alone',
      key: KEY,
      objects: [pa(), deployment(1)],
    },
    {
      name: 'new HPA PA: SKS in Serve mode with all activators, HPA min 1 / max ∞ / 70 % CPU, Active with a ready pod',
      key: KEY,
      objects: [hpaPa(), deployment(1), pod(0)],
      wantCreates: [makeSks(hpaPa(), 'Serve', 0)],
      wantStatusUpdates: [
        withStatus(
          hpaPa(),
          paStatus(
            [
              c('Active', 'True', T_NOW),
              c('Ready', 'Unknown', T_NOW),
              c('SKSReady', 'Unknown', T_NOW, 'NotReady', 'ServerlessService is not ready.'),
              c('ScaleTargetInitialized', 'Unknown', T_NOW),
            ],
            { desired: 1, actual: 1, withServices: false },
          ),
        ),
      ],
      wantHpa: (s) => {
        assert.deepEqual([s.minReplicas, s.maxReplicas], [1, 2147483647]);
        assert.deepEqual(s.target, { metric: 'cpu', type: 'Utilization', averageUtilization: 70 });
      },
    },
    {
      name: 'steady: the HPA wants 3, 2 pods ready ⇒ desiredScale 3, actualScale 2, initialised and Ready',
      key: KEY,
      objects: [
        hpaPa(
          paStatus(
            [c('Active', 'True', at(HOUR)), c('Ready', 'Unknown', at(HOUR)), c('SKSReady', 'Unknown', at(HOUR), 'NotReady'), c('ScaleTargetInitialized', 'Unknown', at(HOUR))],
            { desired: 2, actual: 2, withServices: false },
          ),
        ),
        hpaSks(),
        deployment(3),
        ...pods(2),
      ],
      last: { desiredReplicas: 3 },
      wantStatusUpdates: [
        withStatus(hpaPa(), {
          ...paStatus([c('Active', 'True', at(HOUR)), c('Ready', 'True', T_NOW), c('SKSReady', 'True', T_NOW), c('ScaleTargetInitialized', 'True', T_NOW)], {
            desired: 3,
            actual: 2,
          }),
          metricsServiceName: undefined,
        }),
      ],
    },
    {
      name: 'no ready pod: Activating (Queued)',
      key: KEY,
      objects: [
        hpaPa({ ...paStatus([c('Active', 'True', at(HOUR)), c('Ready', 'True', at(HOUR)), c('SKSReady', 'True', at(HOUR)), c('ScaleTargetInitialized', 'True', at(HOUR))], { desired: 1, actual: 1 }), metricsServiceName: undefined }),
        hpaSks(),
        deployment(1),
        pod(0, false),
      ],
      last: { desiredReplicas: 1 },
      wantStatusUpdates: [
        withStatus(hpaPa(), {
          ...paStatus(
            [
              c('Active', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('Ready', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('SKSReady', 'True', at(HOUR)),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 1, actual: 0 },
          ),
          metricsServiceName: undefined,
        }),
      ],
    },
  ]);
});
