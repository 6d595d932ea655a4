import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentError, ReconcileEvent, RequeueAfter, isConflict, isNotFound, isPermanentError, isReconcileEvent, permanent, requeueDelayOf } from './errors.js';

test('error classes carry stable codes', () => {
  assert.equal(new PermanentError('x').code, 'SKIFF_ERR_PERMANENT');
  assert.equal(new RequeueAfter(5).code, 'SKIFF_ERR_REQUEUE_AFTER');
  assert.equal(new ReconcileEvent('Normal', 'R', 'm').code, 'SKIFF_ERR_RECONCILE_EVENT');
});

test('isPermanentError sees through cause chains; permanent() wraps once and keeps the cause', () => {
  const inner = new Error('inner');
  const p = permanent(inner);
  assert.equal(p.message, 'inner');
  assert.equal(p.cause, inner);
  assert.equal(permanent(p), p);
  assert.equal(isPermanentError(new Error('outer', { cause: p })), true);
  assert.equal(isPermanentError(inner), false);
  assert.equal(isPermanentError(undefined), false);
});

test('requeueDelayOf / isReconcileEvent / status helpers', () => {
  assert.equal(requeueDelayOf(new RequeueAfter(250)), 250);
  assert.equal(requeueDelayOf(new Error('x')), undefined);
  assert.equal(isReconcileEvent(new ReconcileEvent('Warning', 'R', 'm')), true);
  assert.equal(isReconcileEvent(new Error('x')), false);
  assert.equal(isConflict({ status: 409 }), true);
  assert.equal(isNotFound({ status: 404 }), true);
  assert.equal(isConflict(null), false);
  assert.throws(() => new RequeueAfter(Number.NaN), /finite number >= 0/);
});
