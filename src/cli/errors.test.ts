import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError, UnreachableError, UsageError } from './errors.js';
import { errorFromResponse } from './http.js';

describe('CLI errors', () => {
  test('Status objects render in kubectl words', () => {
    const e = errorFromResponse(
      404,
      { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'services.serving.knative.dev "x" not found', details: { name: 'x', group: 'serving.knative.dev', kind: 'services' } },
      '',
    );
    assert.equal(e.render(), 'Error from server (NotFound): services.serving.knative.dev "x" not found');
    assert.equal(e.code, 'SKIFF_ERR_SERVER_NOT_FOUND');
    assert.equal(e.status, 404);
  });

  test('Invalid: one cause on one line, several as a list', () => {
    const one = new ServerError(422, 'Invalid', 'ConfigMap "x" is invalid: data: bad', { kind: 'ConfigMap', name: 'x', causes: [{ field: 'data', message: 'bad' }] });
    assert.equal(one.render(), 'The ConfigMap "x" is invalid: data: bad');
    const two = new ServerError(422, 'Invalid', '...', { kind: 'Service', name: 's', causes: [{ field: 'a', message: 'A' }, { field: 'b', message: 'B' }] });
    assert.equal(two.render(), 'The Service "s" is invalid: \n* a: A\n* b: B');
  });

  test('non-Status error bodies', () => {
    assert.equal(errorFromResponse(404, undefined, '<html>').render(), 'Error from server (NotFound): the server could not find the requested resource');
    assert.equal(errorFromResponse(500, undefined, 'boom\nmore').render(), 'Error from server (InternalError): boom');
  });

  test('usage and unreachable lines', () => {
    const u = new UsageError('unknown flag: --x');
    u.commandPath = 'skiff get';
    assert.equal(u.render(), "error: unknown flag: --x\nSee 'skiff get --help' for usage.");
    assert.equal(new UnreachableError('http://127.0.0.1:9').render(), 'skiff: cannot reach the Skiff API at http://127.0.0.1:9: is `skiff up` running?');
  });
});
