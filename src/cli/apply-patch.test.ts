import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { desiredObject, LAST_APPLIED_ANNOTATION, threeWayMergePatch } from './apply-patch.js';

describe('threeWayMergePatch', () => {
  const live = {
    metadata: { name: 'x', uid: 'u', resourceVersion: '7', labels: { a: '1', ctrl: 'y' } },
    spec: { replicas: 2, template: { image: 'v1', pullPolicy: 'IfNotPresent' } },
    status: { ready: true },
  };

  test('no difference → empty patch (unchanged)', () => {
    assert.deepEqual(threeWayMergePatch({ spec: { replicas: 2 } }, { metadata: { name: 'x' }, spec: { replicas: 2 } }, live), {});
  });

  test('changed fields are set; server and controller fields untouched', () => {
    const p = threeWayMergePatch(undefined, { metadata: { name: 'x', labels: { a: '2' } }, spec: { template: { image: 'v2' } } }, live);
    assert.deepEqual(p, { metadata: { labels: { a: '2' } }, spec: { template: { image: 'v2' } } });
  });

  test('fields the last apply set and this one drops are deleted (null)', () => {
    const last = { metadata: { name: 'x', labels: { a: '1' } }, spec: { replicas: 2 } };
    const p = threeWayMergePatch(last, { metadata: { name: 'x' }, spec: { template: { image: 'v1' } } }, live);
    assert.deepEqual(p, { metadata: { labels: null }, spec: { replicas: null } });
  });

  test('lists are replaced whole when they differ', () => {
    const p = threeWayMergePatch(undefined, { spec: { ports: [{ port: 80 }] } }, { spec: { ports: [{ port: 80, protocol: 'TCP' }] } });
    assert.deepEqual(p, { spec: { ports: [{ port: 80 }] } });
  });
});

describe('desiredObject', () => {
  test('drops status and server metadata, sets namespace, records the manifest in kubectl’s annotation', () => {
    const m: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: 'u', resourceVersion: '3', annotations: { keep: 'me' } }, data: { a: 'b' }, status: {} };
    const { desired, annotation } = desiredObject(m, 'demo');
    assert.equal(desired.status, undefined);
    assert.equal(desired.metadata.uid, undefined);
    assert.equal(desired.metadata.resourceVersion, undefined);
    assert.equal(desired.metadata.namespace, 'demo');
    assert.equal(desired.metadata.annotations?.keep, 'me');
    assert.equal(desired.metadata.annotations?.[LAST_APPLIED_ANNOTATION], annotation);
    const recorded = JSON.parse(annotation);
    assert.deepEqual(recorded, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { keep: 'me' }, namespace: 'demo' }, data: { a: 'b' } });
    assert.ok(annotation.endsWith('\n'));
    // The input manifest is not modified.
    assert.equal(m.metadata.uid, 'u');
  });
});
