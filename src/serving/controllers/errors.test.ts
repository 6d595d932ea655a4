import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildWriteError, NotOwnedError } from './errors.js';

test('errors carry stable codes and Knative-worded messages', () => {
  const a = new NotOwnedError('Revision', 'hello-00001', 'Deployment', 'hello-00001-deployment');
  assert.equal(a.code, 'SKIFF_ERR_NOT_OWNED');
  assert.equal(a.message, 'revision: "hello-00001" does not own Deployment: "hello-00001-deployment"');
  assert.equal(new NotOwnedError('Service', 'hello', 'Route', 'hello', 'route').message, 'service: "hello" does not own route: "hello"');
  const cause = Object.assign(new Error('boom'), { status: 409 });
  const b = new ChildWriteError('failed to create Revision: boom', { cause });
  assert.equal(b.code, 'SKIFF_ERR_CHILD_WRITE');
  assert.equal(b.status, 409);
  assert.equal(b.cause, cause);
});
