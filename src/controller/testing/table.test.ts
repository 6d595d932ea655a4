// The harness must fail rows whose wants are wrong; otherwise every table test is vacuous.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import type { Reconciler } from '../controller.js';
import { RequeueAfter } from '../errors.js';
import { runRow, type TableContext, type TableRow } from './table.js';

const cm = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: {} });

/** Creates `<key name>-child`, records one event, and fails when the object is labelled `fail`. */
const factory = (ctx: TableContext): Reconciler => {
  const lister = ctx.informers.lister('core/configmaps');
  return {
    async reconcile(key) {
      const o = lister.getByKey(key);
      if (!o) return;
      if (o.metadata.labels?.fail) throw new Error('told to fail');
      if (o.metadata.labels?.requeue) throw new RequeueAfter(42);
      await ctx.client.create('core/configmaps', cm(`${o.metadata.name}-child`));
      ctx.recorder.event(o, 'Normal', 'Made', 'made a child');
    },
  };
};

const good: TableRow = { name: 'good', key: 'ns/a', objects: [cm('a')], wantCreates: [cm('a-child')], wantEvents: ['Normal Made made a child'] };

describe('table harness', () => {
  test('a correct row passes and reports the outcome', async () => {
    const out = await runRow(good, factory);
    assert.equal(out.error, undefined);
  });

  const broken: Array<[string, Partial<TableRow>, RegExp]> = [
    ['missing create', { wantCreates: [] }, /unexpected creates/],
    ['wrong create', { wantCreates: [cm('other')] }, /unexpected creates/],
    ['missing event', { wantEvents: [] }, /unexpected events/],
    ['unlisted status update', { wantStatusUpdates: [cm('a')] }, /unexpected status updates/],
    ['error wanted but none', { wantErr: true }, /wanted an error/],
    ['requeue wanted but none', { wantRequeueAfterMs: 5 }, /requeueAfterMs/],
  ];
  for (const [name, patch, re] of broken) {
    test(`fails a row with a ${name}`, async () => {
      await assert.rejects(runRow({ ...good, ...patch }, factory), re);
    });
  }

  test('unexpected errors fail the row; wanted ones match by string or RegExp', async () => {
    const failing: TableRow = { name: 'f', key: 'ns/a', objects: [{ ...cm('a'), metadata: { name: 'a', namespace: 'ns', labels: { fail: 'y' } } }] };
    await assert.rejects(runRow(failing, factory), /unexpected error: Error: told to fail/);
    await runRow({ ...failing, wantErr: 'told to fail' }, factory);
    await runRow({ ...failing, wantErr: /told/ }, factory);
    await assert.rejects(runRow({ ...failing, wantErr: 'other' }, factory), /error message/);
  });

  test('RequeueAfter is an outcome, not an error', async () => {
    const row: TableRow = { name: 'r', key: 'ns/a', objects: [{ ...cm('a'), metadata: { name: 'a', namespace: 'ns', labels: { requeue: 'y' } } }], wantRequeueAfterMs: 42 };
    const out = await runRow(row, factory);
    assert.equal(out.requeueAfterMs, 42);
  });
});
