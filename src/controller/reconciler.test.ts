import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import { FakeClock } from './clock.js';
import { ConditionSet } from './conditions.js';
import { PermanentError, ReconcileEvent } from './errors.js';
import { defaultFinalizerName, kindReconciler, type KindOutcome } from './reconciler.js';
import { runRow, type TableContext, type TableRow } from './testing/table.js';

const GR = 'samples.skiff.dev/widgets';
const T0 = '2024-01-01T00:00:00Z';
const widget = (o: { status?: unknown; generation?: number; finalizers?: string[]; deleting?: boolean; rv?: string; cls?: string } = {}): KObject => {
  const w: KObject = {
    apiVersion: 'samples.skiff.dev/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'ns', uid: 'w-uid', generation: o.generation ?? 1 },
    spec: {},
  };
  if (o.rv) w.metadata.resourceVersion = o.rv;
  if (o.finalizers) w.metadata.finalizers = o.finalizers;
  if (o.deleting) w.metadata.deletionTimestamp = T0;
  if (o.cls) w.metadata.annotations = { class: o.cls };
  if (o.status !== undefined) w.status = o.status;
  return w;
};

type Hooks = {
  reconcileKind?: (obj: KObject, ctx: TableContext) => Promise<KindOutcome>;
  finalizeKind?: (obj: KObject, ctx: TableContext) => Promise<KindOutcome>;
  conditions?: boolean;
  filter?: (obj: KObject) => boolean;
};
const calls: string[] = [];
function factoryWith(h: Hooks) {
  return (ctx: TableContext) =>
    kindReconciler<KObject>({
      gr: GR,
      client: ctx.client,
      lister: ctx.informers.lister(GR),
      recorder: ctx.recorder,
      logger: ctx.logger,
      conditionSet: h.conditions === false ? undefined : ConditionSet.living(['Done'], { clock: ctx.clock }),
      filter: h.filter,
      reconcileKind: async (obj) => {
        calls.push('reconcile');
        return h.reconcileKind ? h.reconcileKind(obj, ctx) : undefined;
      },
      finalizeKind: h.finalizeKind ? (obj) => h.finalizeKind!(obj, ctx) : undefined,
    });
}
// Same start time as the table's clock (the reconcile path uses its own copy bound to ctx.clock).
const set = ConditionSet.living(['Done'], { clock: new FakeClock() });
const markDone = async (obj: KObject) => {
  obj.status = set.markTrue(obj.status, 'Done');
};
const doneStatus = (gen = 1) => ({ observedGeneration: gen, conditions: [{ type: 'Done', status: 'True', lastTransitionTime: T0 }, { type: 'Ready', status: 'True', lastTransitionTime: T0 }] });

async function row(r: Omit<TableRow, 'name'>, hooks: Hooks) {
  calls.length = 0;
  return runRow({ name: 'row', ...r }, factoryWith(hooks));
}

describe('kindReconciler', () => {
  test('initialises conditions and observedGeneration, writes status once', async () => {
    await row(
      {
        key: 'ns/w',
        objects: [widget()],
        wantStatusUpdates: [
          {
            ...widget(),
            status: {
              observedGeneration: 1,
              conditions: [
                { type: 'Done', status: 'Unknown', lastTransitionTime: T0 },
                { type: 'Ready', status: 'Unknown', lastTransitionTime: T0, reason: 'NewObservedGenFailure', message: 'unsuccessfully observed a new generation' },
              ],
            },
          },
        ],
      },
      {},
    );
  });

  test('no status write when nothing changed', async () => {
    await row({ key: 'ns/w', objects: [widget({ status: doneStatus() })] }, { reconcileKind: markDone });
    assert.deepEqual(calls, ['reconcile']);
  });

  test('a 409 on status update is retried against the latest object', async () => {
    await row(
      {
        key: 'ns/w',
        objects: [widget({ rv: '1' })],
        withClient: (c) => c.induceFailure('updateStatus', GR, { times: 1, error: new ApiError(409, 'Conflict', 'stale') }),
        wantStatusUpdates: [
          { ...widget({ rv: '1' }), status: doneStatus() },
          { ...widget({ rv: '1' }), status: doneStatus() },
        ],
      },
      { reconcileKind: markDone },
    );
  });

  test('errors: status still written, InternalError event, error rethrown; PermanentError likewise', async () => {
    for (const err of [new Error('boom'), new PermanentError('bad input')]) {
      await row(
        {
          key: 'ns/w',
          objects: [widget({ status: doneStatus() })],
          wantErr: err.message,
          wantStatusUpdates: [
            {
              ...widget(),
              status: {
                observedGeneration: 1,
                conditions: [
                  { type: 'Done', status: 'False', lastTransitionTime: T0, reason: 'Broken', message: 'it broke' },
                  { type: 'Ready', status: 'False', lastTransitionTime: T0, reason: 'Broken', message: 'it broke' },
                ],
              },
            },
          ],
          wantEvents: [`Warning InternalError ${err.message}`],
        },
        {
          reconcileKind: async (obj) => {
            obj.status = set.markFalse(obj.status, 'Done', 'Broken', 'it broke');
            throw err;
          },
        },
      );
    }
  });

  test('ReconcileEvent: returned = success with its event; thrown = error with its event', async () => {
    await row(
      { key: 'ns/w', objects: [widget({ status: doneStatus() })], wantEvents: ['Normal Synced all good'] },
      {
        reconcileKind: async (o) => {
          await markDone(o);
          return new ReconcileEvent('Normal', 'Synced', 'all good');
        },
      },
    );
    await row(
      { key: 'ns/w', objects: [widget({ status: doneStatus() })], wantErr: 'not yet', wantEvents: ['Warning Waiting not yet'] },
      {
        reconcileKind: async (o) => {
          await markDone(o);
          throw new ReconcileEvent('Warning', 'Waiting', 'not yet');
        },
      },
    );
  });

  test('filter skips objects meant for another controller', async () => {
    await row({ key: 'ns/w', objects: [widget({ cls: 'other' })] }, { filter: (o) => o.metadata.annotations?.class === 'mine' });
    assert.deepEqual(calls, []);
  });

  test('finalizer is added (merge patch with resourceVersion precondition) before reconciling', async () => {
    await row(
      {
        key: 'ns/w',
        objects: [widget({ rv: '1', status: doneStatus() })],
        wantPatches: [{ name: 'w', namespace: 'ns', patch: { metadata: { finalizers: ['widgets.samples.skiff.dev'], resourceVersion: '1' } }, patchType: 'merge' }],
      },
      { reconcileKind: markDone, finalizeKind: async () => undefined },
    );
    assert.deepEqual(calls, ['reconcile']);
  });

  test('after adding the finalizer, status is written against the patched object (no conflict round-trip)', async () => {
    const patched = { ...widget({ rv: '2', finalizers: ['widgets.samples.skiff.dev'] }) };
    await row(
      {
        key: 'ns/w',
        objects: [widget({ rv: '1' })],
        // The stored object keeps rv '1' (seeded as is); the fake applies the patch as rv '2'.
        wantPatches: [{ name: 'w', namespace: 'ns', patch: { metadata: { finalizers: ['widgets.samples.skiff.dev'], resourceVersion: '1' } } }],
        wantStatusUpdates: [{ ...patched, status: doneStatus() }],
      },
      { reconcileKind: markDone, finalizeKind: async () => undefined },
    );
  });

  test('on deletion finalizeKind runs, then only our finalizer is removed', async () => {
    let finalized = 0;
    await row(
      {
        key: 'ns/w',
        objects: [widget({ rv: '1', deleting: true, finalizers: ['other', 'widgets.samples.skiff.dev'] })],
        wantPatches: [{ name: 'w', namespace: 'ns', patch: { metadata: { finalizers: ['other'], resourceVersion: '1' } } }],
        wantEvents: ['Normal Finalized cleaned up'],
      },
      {
        finalizeKind: async () => {
          finalized++;
          return new ReconcileEvent('Normal', 'Finalized', 'cleaned up');
        },
      },
    );
    assert.equal(finalized, 1);
    assert.deepEqual(calls, [], 'reconcileKind is not called for deleted objects');
  });

  test('a failing finalizeKind keeps the finalizer and reports the error', async () => {
    await row(
      {
        key: 'ns/w',
        objects: [widget({ deleting: true, finalizers: ['widgets.samples.skiff.dev'] })],
        wantErr: 'cannot clean',
        wantEvents: ['Warning InternalError cannot clean'],
      },
      {
        finalizeKind: async () => {
          throw new Error('cannot clean');
        },
      },
    );
  });

  test('deleted objects without our finalizer are ignored', async () => {
    await row({ key: 'ns/w', objects: [widget({ deleting: true, finalizers: ['other'] })] }, { finalizeKind: async () => undefined });
    assert.deepEqual(calls, []);
  });

  test('without a condition set, status is passed through untouched', async () => {
    await row({ key: 'ns/w', objects: [widget({ status: { x: 1 } })] }, { conditions: false });
  });

  test('defaultFinalizerName is resource.group', () => {
    assert.equal(defaultFinalizerName('serving.knative.dev/routes'), 'routes.serving.knative.dev');
    assert.equal(defaultFinalizerName('core/configmaps'), 'configmaps');
  });
});
