// Table tests for the KPA PodAutoscaler reconciler: the decider's status is
// given per row (a fake multiscaler), the world (PA, SKS, Deployment, pods,
// config-autoscaler) is seeded, and each row states the exact writes.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { ConfigMapAutoscalingConfig } from '../../autoscaler/runner/config-store.js';
import type { DeciderSnapshot } from '../../autoscaler/runner/multiscaler.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import type { ScalingSpec } from '../../autoscaler/annotations.js';
import { newKpaReconciler } from './kpa.js';
import {
  activeConds,
  at,
  c,
  configAutoscaler,
  deployment,
  inactiveConds,
  NO_TRAFFIC,
  NOW,
  NS,
  pa,
  paStatus,
  pod,
  pods,
  QUEUED,
  REV,
  scalePatch,
  sks,
  sksWithSpec,
  T_NOW,
} from './testing.js';
import { makeSks } from './resources/sks.js';

type Decider = Partial<DeciderSnapshot>;

interface KpaRow extends TableRow {
  decider?: Decider;
  /** Checked against the spec the reconciler hands the multiscaler. */
  wantSpec?: (spec: ScalingSpec) => void;
}

const KEY = `${NS}/${REV}`;
const HOUR = 3_600_000;

function run(rows: KpaRow[]): void {
  for (const row of rows) {
    let seenSpec: ScalingSpec | undefined;
    const snapshot: DeciderSnapshot = { desiredScale: -1, excessBurstCapacity: -111, numActivators: 2, panicking: false, ...row.decider };
    const { decider: _d, wantSpec, ...tableRow } = row;
    const post = tableRow.postConditions;
    tableRow.postConditions = async (ctx, outcome) => {
      if (wantSpec) {
        assert.ok(seenSpec, `${row.name}: the decider was not ensured`);
        wantSpec(seenSpec);
      }
      await post?.(ctx, outcome);
    };
    runTable(
      [tableRow],
      (ctx) =>
        newKpaReconciler({
          client: ctx.client,
          informers: ctx.informers,
          recorder: ctx.recorder,
          clock: ctx.clock,
          logger: ctx.logger,
          config: new ConfigMapAutoscalingConfig(ctx.informers.lister('core/configmaps')),
          multiscaler: {
            ensure: (key, spec) => {
              assert.equal(key, KEY);
              seenSpec = spec;
              return snapshot;
            },
          },
        }),
      { now: NOW },
    );
  }
}

const steady = (activeAgo: number, o: { desired?: number; actual?: number } = {}) =>
  paStatus(activeConds(at(activeAgo)), { desired: o.desired ?? 1, actual: o.actual ?? 1 });
const inactive = (inactiveAgo: number, o: { desired?: number; actual?: number } = {}) =>
  paStatus(inactiveConds(at(inactiveAgo)), { desired: o.desired ?? 0, actual: o.actual ?? 0 });
const withStatus = (p: KObject, status: unknown) => ({ ...p, status });

describe('KPA reconciler', () => {
  run([
    {
      name: 'a PA of another class is left alone',
      key: KEY,
      objects: [pa({ annotations: { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' } }), deployment(1)],
    },
    {
      name: 'new PA: creates its SKS in Serve mode with 2 activators and waits for the private service',
      key: KEY,
      objects: [pa(), deployment(1), pod(0)],
      wantCreates: [makeSks(pa(), 'Serve', 2)],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('Ready', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('SKSReady', 'Unknown', T_NOW, 'NotReady', 'No Private Service Name'),
              c('ScaleTargetInitialized', 'Unknown', T_NOW),
            ],
            { desired: -1, actual: 0, withServices: false },
          ),
        ),
      ],
    },
    {
      name: 'first decision on a fresh revision: pod ready ⇒ Active, initialised, SKS to Proxy (EBC < 0), no scaling while desired is unknown',
      key: KEY,
      objects: [
        pa({
          status: paStatus(
            [
              c('Active', 'Unknown', at(5_000), 'Queued', QUEUED),
              c('Ready', 'Unknown', at(5_000), 'Queued', QUEUED),
              c('SKSReady', 'Unknown', at(5_000), 'NotReady', 'No Private Service Name'),
              c('ScaleTargetInitialized', 'Unknown', at(5_000)),
            ],
            { desired: -1, actual: 0, withServices: false },
          ),
        }),
        sks('Serve', { proxySinceMsAgo: 2_000 }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: -1, excessBurstCapacity: -111 },
      wantUpdates: [sksWithSpec(sks('Serve', { proxySinceMsAgo: 2_000 }), 'Proxy')],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'True', T_NOW),
              c('Ready', 'Unknown', at(5_000), 'NotReady', 'ServerlessService is not ready.'),
              c('SKSReady', 'Unknown', at(5_000), 'NotReady', 'ServerlessService is not ready.'),
              c('ScaleTargetInitialized', 'True', T_NOW),
            ],
            { desired: -1, actual: 1 },
          ),
        ),
      ],
      // The SKS spec changed (generation not yet observed): SKSReady waits for the SKS reconciler.
      // -1 while activating: the gate rechecks at the activation timeout (600 s + 30 s).
      wantRequeueAfterMs: 630_000,
    },
    {
      name: 'scale from zero: decider woke up (poke) ⇒ replicas 0 → 1, SKS stays Proxy, Active Queued',
      key: KEY,
      objects: [pa({ status: inactive(100_000) }), sks('Proxy'), deployment(0)],
      decider: { desiredScale: 1, excessBurstCapacity: -212 },
      wantPatches: [scalePatch(1)],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('Ready', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('SKSReady', 'True', at(HOUR)),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 1, actual: 0 },
          ),
        ),
      ],
    },
    {
      name: 'the pod came up: Active again, nothing to scale',
      key: KEY,
      objects: [
        pa({
          status: paStatus(
            [
              c('Active', 'Unknown', at(3_000), 'Queued', QUEUED),
              c('Ready', 'Unknown', at(3_000), 'Queued', QUEUED),
              c('SKSReady', 'True', at(HOUR)),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 1, actual: 0 },
          ),
        }),
        sks('Proxy'),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 1, excessBurstCapacity: -111 },
      wantStatusUpdates: [withStatus(pa(), paStatus(activeConds(T_NOW), { desired: 1, actual: 1 }))],
    },
    {
      name: 'hold at 1 during the stable window after activity: desired 0 but active for 10 s ⇒ keep 1, requeue after the remaining 50 s',
      key: KEY,
      objects: [pa({ status: steady(10_000) }), sks('Proxy'), deployment(1), pod(0)],
      decider: { desiredScale: 0 },
      wantRequeueAfterMs: 50_000,
    },
    {
      name: 'stable window over: report 0 without applying ⇒ Inactive NoTraffic; SKS already Proxy ⇒ recheck in 3 s',
      key: KEY,
      objects: [pa({ status: steady(70_000) }), sks('Proxy'), deployment(1), pod(0)],
      decider: { desiredScale: 0 },
      wantStatusUpdates: [withStatus(pa(), paStatus(inactiveConds(T_NOW), { desired: 0, actual: 1 }))],
      wantRequeueAfterMs: 3_000,
    },
    {
      name: 'deactivating from Serve: SKS switched to Proxy (its update re-triggers us), no requeue',
      key: KEY,
      objects: [pa({ status: steady(70_000, { desired: 3, actual: 3 }) }), sks('Serve'), deployment(1), pod(0)],
      decider: { desiredScale: 0, excessBurstCapacity: 50 },
      wantUpdates: [sksWithSpec(sks('Serve'), 'Proxy')],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'False', T_NOW, 'NoTraffic', NO_TRAFFIC),
              c('Ready', 'False', T_NOW, 'NoTraffic', NO_TRAFFIC),
              c('SKSReady', 'Unknown', T_NOW, 'NotReady', 'ServerlessService is not ready.'),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 0, actual: 1 },
          ),
        ),
      ],
    },
    {
      name: 'inactive for 5 s, activator in path for only 10 s ⇒ wait the remaining 20 s of grace',
      key: KEY,
      objects: [pa({ status: inactive(5_000, { actual: 1 }) }), sks('Proxy', { proxySinceMsAgo: 10_000 }), deployment(1), pod(0)],
      decider: { desiredScale: 0 },
      wantRequeueAfterMs: 20_000,
    },
    {
      name: 'scale to zero after grace: activator in path for 40 s ⇒ replicas 1 → 0',
      key: KEY,
      objects: [pa({ status: inactive(5_000, { actual: 1 }) }), sks('Proxy', { proxySinceMsAgo: 40_000 }), deployment(1), pod(0)],
      decider: { desiredScale: 0 },
      wantPatches: [scalePatch(0)],
    },
    {
      name: 'scaled to zero and gone: kubectl get kpa shows 0 0 False NoTraffic',
      key: KEY,
      objects: [pa({ status: inactive(60_000, { actual: 1 }) }), sks('Proxy'), deployment(0)],
      decider: { desiredScale: 0 },
      wantStatusUpdates: [withStatus(pa(), inactive(60_000, { desired: 0, actual: 0 }))],
      postConditions: (ctx) => {
        const got = ctx.client.statusUpdates()[0]!;
        assert.deepEqual([got.status.desiredScale, got.status.actualScale], [0, 0]);
        const ready = got.status.conditions.find((x: { type: string }) => x.type === 'Ready');
        assert.deepEqual([ready.status, ready.reason], ['False', 'NoTraffic']);
      },
    },
    {
      name: 'retention keeps the last pod: retention 2m, inactive for 40 s ⇒ keep, recheck in 80 s',
      key: KEY,
      objects: [
        pa({ annotations: { 'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '2m' }, status: inactive(40_000, { actual: 1 }) }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '2m' } }) }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 0 },
      wantRequeueAfterMs: 80_000,
    },
    {
      name: 'retention over ⇒ scale to zero',
      key: KEY,
      objects: [
        pa({ annotations: { 'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '2m' }, status: inactive(121_000, { actual: 1 }) }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '2m' } }) }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 0 },
      wantPatches: [scalePatch(0)],
    },
    {
      name: 'min-scale 2: desired 0 ⇒ 2 pods; with 1 ready the PA is Activating (Queued)',
      key: KEY,
      objects: [
        pa({ annotations: { 'autoscaling.knative.dev/min-scale': '2' }, status: steady(HOUR) }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/min-scale': '2' } }) }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 0 },
      wantPatches: [scalePatch(2)],
      wantStatusUpdates: [
        withStatus(
          pa({ annotations: { 'autoscaling.knative.dev/min-scale': '2' } }),
          paStatus(
            [
              c('Active', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('Ready', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('SKSReady', 'True', at(HOUR)),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 2, actual: 1 },
          ),
        ),
      ],
      wantSpec: (s) => assert.equal(s.minScale, 2),
    },
    {
      name: 'min-scale is ignored for an unreachable revision',
      key: KEY,
      objects: [
        pa({ annotations: { 'autoscaling.knative.dev/min-scale': '2' }, reachability: 'Unreachable', status: inactive(HOUR, { actual: 1 }) }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/min-scale': '2' }, reachability: 'Unreachable' }) }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 0 },
      wantPatches: [scalePatch(0)],
    },
    {
      name: 'max-scale 3 caps a desired 10',
      key: KEY,
      objects: [
        pa({ annotations: { 'autoscaling.knative.dev/max-scale': '3' }, status: steady(HOUR) }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/max-scale': '3' } }) }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 10 },
      wantPatches: [scalePatch(3)],
      wantStatusUpdates: [withStatus(pa({ annotations: { 'autoscaling.knative.dev/max-scale': '3' } }), paStatus(activeConds(at(HOUR)), { desired: 3, actual: 1 }))],
    },
    {
      name: 'initial-scale 3 is a floor until the target is initialised: desired 1 ⇒ 3',
      key: KEY,
      objects: [
        pa({
          annotations: { 'autoscaling.knative.dev/initial-scale': '3' },
          status: paStatus(
            [
              c('Active', 'Unknown', at(5_000), 'Queued', QUEUED),
              c('Ready', 'Unknown', at(5_000), 'Queued', QUEUED),
              c('SKSReady', 'True', at(5_000)),
              c('ScaleTargetInitialized', 'Unknown', at(5_000)),
            ],
            { desired: 3, actual: 1 },
          ),
        }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/initial-scale': '3' } }) }),
        deployment(1),
        pod(0),
      ],
      decider: { desiredScale: 1 },
      wantPatches: [scalePatch(3)],
    },
    {
      name: 'initial-scale 3 reached: ScaleTargetInitialized and Active',
      key: KEY,
      objects: [
        pa({
          annotations: { 'autoscaling.knative.dev/initial-scale': '3' },
          status: paStatus(
            [
              c('Active', 'Unknown', at(5_000), 'Queued', QUEUED),
              c('Ready', 'Unknown', at(5_000), 'Queued', QUEUED),
              c('SKSReady', 'True', at(5_000)),
              c('ScaleTargetInitialized', 'Unknown', at(5_000)),
            ],
            { desired: 3, actual: 1 },
          ),
        }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/initial-scale': '3' } }) }),
        deployment(3),
        ...pods(3),
      ],
      decider: { desiredScale: 1 },
      wantStatusUpdates: [
        withStatus(
          pa({ annotations: { 'autoscaling.knative.dev/initial-scale': '3' } }),
          paStatus(
            [c('Active', 'True', T_NOW), c('Ready', 'True', T_NOW), c('SKSReady', 'True', at(5_000)), c('ScaleTargetInitialized', 'True', T_NOW)],
            { desired: 3, actual: 3 },
          ),
        ),
      ],
    },
    {
      name: 'initialised: the initial-scale floor is gone, desired 1 ⇒ 3 → 1',
      key: KEY,
      objects: [
        pa({ annotations: { 'autoscaling.knative.dev/initial-scale': '3' }, status: steady(HOUR, { desired: 3, actual: 3 }) }),
        sks('Proxy', { owner: pa({ annotations: { 'autoscaling.knative.dev/initial-scale': '3' } }) }),
        deployment(3),
        ...pods(3),
      ],
      decider: { desiredScale: 1 },
      wantPatches: [scalePatch(1)],
      wantStatusUpdates: [withStatus(pa({ annotations: { 'autoscaling.knative.dev/initial-scale': '3' } }), steady(HOUR, { desired: 1, actual: 3 }))],
    },
    {
      name: 'enable-scale-to-zero=false: desired 0 ⇒ 1, the PA stays Active',
      key: KEY,
      objects: [configAutoscaler({ 'enable-scale-to-zero': 'false' }), pa({ status: steady(HOUR) }), sks('Proxy'), deployment(1), pod(0)],
      decider: { desiredScale: 0 },
      wantSpec: (s) => assert.equal(s.enableScaleToZero, false),
    },
    {
      name: 'enable-scale-to-zero=false raises replicas left at 0 back to 1',
      key: KEY,
      objects: [configAutoscaler({ 'enable-scale-to-zero': 'false' }), pa({ status: inactive(HOUR) }), sks('Proxy'), deployment(0)],
      decider: { desiredScale: 0 },
      wantPatches: [scalePatch(1)],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('Ready', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('SKSReady', 'True', at(HOUR)),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 1, actual: 0 },
          ),
        ),
      ],
    },
    {
      name: 'activating for longer than the activation timeout (600 s + 30 s) ⇒ scale to 0, Inactive TimedOut',
      key: KEY,
      objects: [
        pa({
          status: paStatus(
            [
              c('Active', 'Unknown', at(700_000), 'Queued', QUEUED),
              c('Ready', 'Unknown', at(700_000), 'Queued', QUEUED),
              c('SKSReady', 'True', at(700_000)),
              c('ScaleTargetInitialized', 'Unknown', at(700_000)),
            ],
            { desired: 1, actual: 0 },
          ),
        }),
        sks('Proxy'),
        deployment(1),
      ],
      decider: { desiredScale: 0 },
      wantPatches: [scalePatch(0)],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'False', T_NOW, 'TimedOut', 'The target could not be activated.'),
              c('Ready', 'False', T_NOW, 'TimedOut', 'The target could not be activated.'),
              c('SKSReady', 'True', at(700_000)),
              c('ScaleTargetInitialized', 'Unknown', at(700_000)),
            ],
            { desired: 0, actual: 0 },
          ),
        ),
      ],
    },
    {
      name: 'SKS mode by EBC: EBC ≥ 0 with pods wanted ⇒ Serve',
      key: KEY,
      objects: [pa({ status: steady(HOUR, { desired: 3, actual: 3 }) }), sks('Proxy'), deployment(3), ...pods(3)],
      decider: { desiredScale: 3, excessBurstCapacity: 89, numActivators: 3 },
      wantUpdates: [sksWithSpec(sks('Proxy'), 'Serve', 3)],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus([c('Active', 'True', at(HOUR)), c('Ready', 'Unknown', T_NOW, 'NotReady', 'ServerlessService is not ready.'), c('SKSReady', 'Unknown', T_NOW, 'NotReady', 'ServerlessService is not ready.'), c('ScaleTargetInitialized', 'True', at(HOUR))], {
            desired: 3,
            actual: 3,
          }),
        ),
      ],
    },
    {
      name: 'SKS mode by EBC: EBC < 0 ⇒ back to Proxy',
      key: KEY,
      objects: [pa({ status: steady(HOUR, { desired: 3, actual: 3 }) }), sks('Serve'), deployment(3), ...pods(3)],
      decider: { desiredScale: 3, excessBurstCapacity: -20, numActivators: 3 },
      wantUpdates: [sksWithSpec(sks('Serve'), 'Proxy', 3)],
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus([c('Active', 'True', at(HOUR)), c('Ready', 'Unknown', T_NOW, 'NotReady', 'ServerlessService is not ready.'), c('SKSReady', 'Unknown', T_NOW, 'NotReady', 'ServerlessService is not ready.'), c('ScaleTargetInitialized', 'True', at(HOUR))], {
            desired: 3,
            actual: 3,
          }),
        ),
      ],
    },
    {
      name: 'unknown desired scale (autoscaler restart) on an active PA keeps Serve and the last desiredScale',
      key: KEY,
      objects: [pa({ status: steady(HOUR, { desired: 3, actual: 3 }) }), sks('Serve', { numActivators: 3 }), deployment(3), ...pods(3)],
      decider: { desiredScale: -1, excessBurstCapacity: 89, numActivators: 3 },
    },
    {
      name: 'unknown desired scale on an inactive PA keeps Proxy',
      key: KEY,
      objects: [pa({ status: inactive(HOUR) }), sks('Proxy', { numActivators: 3 }), deployment(0)],
      decider: { desiredScale: -1, excessBurstCapacity: 0, numActivators: 3 },
    },
    {
      name: 'an SKS owned by someone else: SKSReady False NotOwned, warning event, no writes to it',
      key: KEY,
      objects: [pa({ status: steady(HOUR) }), { ...sks('Proxy'), metadata: { ...sks('Proxy').metadata, ownerReferences: [] } }, deployment(1), pod(0)],
      decider: { desiredScale: 1 },
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'True', at(HOUR)),
              c('Ready', 'False', T_NOW, 'NotOwned', 'There is an existing ServerlessService "rev" that we do not own.'),
              c('SKSReady', 'False', T_NOW, 'NotOwned', 'There is an existing ServerlessService "rev" that we do not own.'),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 1, actual: 1 },
          ),
        ),
      ],
      wantEvents: ['Warning NotOwned ServerlessService "rev" is not owned by PodAutoscaler "rev"'],
    },
    {
      name: 'a missing Deployment is an error (retried), status is still written',
      key: KEY,
      objects: [pa({ status: steady(HOUR) }), sks('Proxy')],
      decider: { desiredScale: 2 },
      wantErr: /failed to get scale target Deployment "rev-deployment"/,
      wantStatusUpdates: [
        withStatus(
          pa(),
          paStatus(
            [
              c('Active', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('Ready', 'Unknown', T_NOW, 'Queued', QUEUED),
              c('SKSReady', 'True', at(HOUR)),
              c('ScaleTargetInitialized', 'True', at(HOUR)),
            ],
            { desired: 2, actual: 0 },
          ),
        ),
      ],
      wantEvents: ['Warning InternalError failed to get scale target Deployment "rev-deployment": not found'],
    },
  ]);
});
