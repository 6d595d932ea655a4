import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import type { ResourceType } from '../api/registry.js';
import { columnsFor, evalJsonPath, makeTable } from './table.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const ksvc: KObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: {
    url: 'http://hello.default.example.com',
    latestReadyRevisionName: 'hello-00001',
    conditions: [
      { type: 'ConfigurationsReady', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'RevisionMissing', lastTransitionTime: '2025-12-31T23:00:00Z' },
    ],
    traffic: [{ percent: 100 }],
    'a.b': 'dotted',
  },
};

const ksvcType = (cols: ResourceType['printerColumns']): ResourceType => ({
  group: 'serving.knative.dev',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  printerColumns: cols,
});

describe('server-side tables', () => {
  test('evalJsonPath covers the printer-column subset', () => {
    assert.equal(evalJsonPath(ksvc, '.status.url'), 'http://hello.default.example.com');
    assert.equal(evalJsonPath(ksvc, '{.status.url}'), 'http://hello.default.example.com');
    assert.equal(evalJsonPath(ksvc, 'status.latestReadyRevisionName'), 'hello-00001');
    assert.equal(evalJsonPath(ksvc, '.status.conditions[?(@.type=="Ready")].status'), 'False');
    assert.equal(evalJsonPath(ksvc, ".status.conditions[?(@.type=='Ready')].reason"), 'RevisionMissing');
    assert.equal(evalJsonPath(ksvc, '.status.conditions[?(@.type!="Ready")].type'), 'ConfigurationsReady');
    assert.equal(evalJsonPath(ksvc, '.status.conditions[-1].type'), 'Ready');
    assert.equal(evalJsonPath(ksvc, '.status.traffic[*].percent'), 100);
    assert.equal(evalJsonPath(ksvc, ".status['a.b']"), 'dotted');
    assert.equal(evalJsonPath(ksvc, '.status.nope.deeper'), undefined);
    assert.equal(evalJsonPath(ksvc, '.status.conditions[?(@.type=="Missing")].status'), undefined);
  });

  test('columns: NAME first, printer columns, AGE only when declared (CRD rule); cells typed, missing = null, dates as ages', () => {
    const t = ksvcType([
      { name: 'URL', type: 'string', jsonPath: '.status.url' },
      { name: 'LatestCreated', type: 'string', jsonPath: '.status.latestCreatedRevisionName' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Since', type: 'date', jsonPath: '.status.conditions[?(@.type=="Ready")].lastTransitionTime', priority: 1 },
      { name: 'Traffic', type: 'string', jsonPath: '.status.traffic' },
      { name: 'Broken', type: 'string', value: () => { throw new Error('boom'); } },
      { name: 'Weird', type: 'string', jsonPath: '.status[?(bad' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(
      columnsFor(t).map((c) => [c.def.name, c.def.priority]),
      [
        ['Name', 0],
        ['URL', 0],
        ['LatestCreated', 0],
        ['Ready', 0],
        ['Since', 1],
        ['Traffic', 0],
        ['Broken', 0],
        ['Weird', 0],
        ['Age', 0],
      ],
    );
    const table = makeTable(t, [ksvc], { now: T0 + 90_000, includeObject: 'None', tableVersion: 'v1' });
    assert.deepEqual(table.rows[0].cells, ['hello', 'http://hello.default.example.com', null, 'False', '61m', '[{"percent":100}]', null, null, '90s']);
    assert.equal(table.rows[0].object, undefined);
    assert.deepEqual(table.metadata, {});
  });

  test('a kind that declares Name and Age itself keeps its own order', () => {
    const t = ksvcType([
      { name: 'Age', type: 'string', value: () => 'x' },
      { name: 'Name', type: 'string', value: (o) => o.metadata.name!.toUpperCase() },
    ]);
    const table = makeTable(t, [ksvc], { now: T0, includeObject: 'Metadata', tableVersion: 'v1beta1', resourceVersion: '7' });
    assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Age', 'Name']);
    assert.deepEqual(table.rows[0].cells, ['x', 'HELLO']);
    assert.deepEqual(table.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1beta1', metadata: ksvc.metadata });
    assert.equal(table.apiVersion, 'meta.k8s.io/v1beta1');
    assert.deepEqual(table.metadata, { resourceVersion: '7' });
  });

  test('includeObject=Object presents objects at the requested version', () => {
    const t = ksvcType(undefined);
    const table = makeTable(t, [ksvc], { now: T0, includeObject: 'Object', tableVersion: 'v1', present: (o) => ({ ...o, apiVersion: 'serving.knative.dev/v1beta1' }) });
    assert.equal(table.rows[0].object.apiVersion, 'serving.knative.dev/v1beta1');
    assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Age']);
  });
});
