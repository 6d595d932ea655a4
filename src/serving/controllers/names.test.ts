import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  childName,
  deploymentName,
  generatedRevisionName,
  imageCacheName,
  podAutoscalerName,
  revisionNameFor,
  serviceConfigurationName,
  serviceRouteName,
} from './names.js';

describe('childName (kmeta.ChildName)', () => {
  test('short names are parent + suffix', () => {
    assert.equal(childName('asdf', '-deployment'), 'asdf-deployment');
    assert.equal(childName('hello-00001', '-deployment'), 'hello-00001-deployment');
  });

  test('long parents are cut and hashed exactly as Knative does (vectors from kmeta names_test.go)', () => {
    const f63 = 'f'.repeat(63);
    assert.equal(childName(f63, '-deployment'), 'ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment');
    assert.equal(childName(f63, '-deploy'), 'ffffffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deploy');
  });

  test('results never exceed 63 characters, also when the suffix itself is long', () => {
    const parent = 'a'.repeat(40);
    const suffix = '-' + 'b'.repeat(40);
    const n = childName(parent, suffix);
    assert.ok(n.length <= 63, n);
    assert.ok(n.startsWith('a'.repeat(31)));
    assert.notEqual(childName(parent, suffix), childName(parent + 'x', suffix), 'still unique');
  });

  test('a name exactly 63 long is not hashed', () => {
    const parent = 'p'.repeat(52);
    assert.equal(childName(parent, '-deployment'), parent + '-deployment');
    assert.equal(childName(parent, '-deployment').length, 63);
  });

  test('a cut that ends in "-" is trimmed to an alphanumeric end', () => {
    // Hash-of-everything path: parent cut to 31 chars + 32 hex = 63, nothing appended.
    const n = childName('x'.repeat(10), '-' + 'y'.repeat(60));
    assert.equal(n.length, 10 + 32 + 21);
    assert.match(n, /[a-z0-9]$/);
  });
});

describe('Serving names', () => {
  test('revision names use the Configuration generation, zero-padded to 5 digits', () => {
    assert.equal(generatedRevisionName('hello', 1), 'hello-00001');
    assert.equal(generatedRevisionName('hello', 42), 'hello-00042');
    assert.equal(generatedRevisionName('hello', 123456), 'hello-123456');
  });

  test('revisionNameFor prefers the template name (BYO)', () => {
    const cfg = (tplName?: string) => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 'hello', generation: 3 },
      spec: { template: { metadata: tplName ? { name: tplName } : {}, spec: {} } },
    });
    assert.equal(revisionNameFor(cfg()), 'hello-00003');
    assert.equal(revisionNameFor(cfg('hello-world')), 'hello-world');
  });

  test('children of Services and Revisions', () => {
    const rev = { metadata: { name: 'hello-world' } };
    assert.equal(deploymentName(rev), 'hello-world-deployment');
    assert.equal(podAutoscalerName(rev), 'hello-world');
    assert.equal(imageCacheName('hello-world'), 'hello-world-cache');
    assert.equal(serviceConfigurationName({ metadata: { name: 'hello' } }), 'hello');
    assert.equal(serviceRouteName('hello'), 'hello');
  });
});
