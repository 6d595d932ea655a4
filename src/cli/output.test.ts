import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { formatObjects, objectName, toJson, toYaml } from './output.js';

const cm: KObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', namespace: 'default' }, data: { b: '2', a: 'true' } };

describe('object output', () => {
  test('YAML: sorted keys, unindented sequences, strings that look like other types quoted', () => {
    assert.equal(toYaml({ spec: { containers: [{ name: 'c', image: 'i' }] }, apiVersion: 'v1' }), 'apiVersion: v1\nspec:\n  containers:\n  - image: i\n    name: c\n');
    assert.match(toYaml(cm), /a: "true"/);
  });

  test('JSON: 4-space indent', () => {
    assert.equal(toJson({ a: { b: 1 } }), '{\n    "a": {\n        "b": 1\n    }\n}\n');
  });

  test('one named object prints alone; lists print a v1 List', () => {
    assert.match(formatObjects([cm], 'yaml', true), /^apiVersion: v1\ndata:/);
    const list = JSON.parse(formatObjects([cm, cm], 'json', false));
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 2);
    assert.equal(JSON.parse(formatObjects([], 'json', false)).items.length, 0);
  });

  test('names: kind lowercased, group appended for non-core groups', () => {
    assert.equal(objectName('ConfigMap', '', 'x'), 'configmap/x');
    assert.equal(objectName('Service', 'serving.knative.dev', 'hello'), 'service.serving.knative.dev/hello');
  });
});
