import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonMergePatch, jsonPatch, METADATA_MERGE_KEYS, podSpecMergeKeys, strategicMergePatch } from './patch.js';

test('JSON merge patch (RFC 7386 examples)', () => {
  assert.deepEqual(jsonMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
  assert.deepEqual(jsonMergePatch({ a: [1, 2] }, { a: [3] }), { a: [3] });
  assert.deepEqual(jsonMergePatch({ a: 'b' }, ['c']), ['c']);
  assert.deepEqual(jsonMergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
});

test('JSON patch operations and errors', () => {
  const doc = { spec: { replicas: 1, list: ['a', 'b'] }, metadata: { labels: { 'x/y': '1' } } };
  const out = jsonPatch(doc, [
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/spec/list/1', value: 'z' },
    { op: 'add', path: '/spec/list/-', value: 'end' },
    { op: 'remove', path: '/metadata/labels/x~1y' },
    { op: 'copy', from: '/spec/replicas', path: '/spec/copy' },
    { op: 'move', from: '/spec/copy', path: '/spec/moved' },
    { op: 'test', path: '/spec/moved', value: 3 },
  ]) as any;
  assert.deepEqual(out, { spec: { replicas: 3, list: ['a', 'z', 'b', 'end'], moved: 3 }, metadata: { labels: {} } });
  assert.equal(doc.spec.replicas, 1, 'input untouched');
  assert.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/spec/nope', value: 1 }]), (e: any) => e.status === 400 && /does not exist/.test(e.message));
  assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]), (e: any) => e.status === 422);
  assert.throws(() => jsonPatch(doc, { op: 'add' }), (e: any) => e.status === 400);
});

test('strategic merge patch merges containers and env by name, honours directives', () => {
  const keys = { ...podSpecMergeKeys('spec.template.spec'), ...METADATA_MERGE_KEYS };
  const dep = {
    metadata: { finalizers: ['a'] },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'v1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'side', image: 's1' },
          ],
        },
      },
    },
  };
  const out = strategicMergePatch(
    dep,
    {
      metadata: { finalizers: ['b'] },
      spec: {
        template: {
          spec: {
            $setElementOrder: undefined,
            'containers': [
              { name: 'app', image: 'v2', env: [{ name: 'B', $patch: 'delete' }, { name: 'C', value: '3' }] },
              { name: 'side', $patch: 'delete' },
            ],
          },
        },
      },
    },
    keys,
  ) as any;
  assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
  assert.equal(out.spec.template.spec.containers.length, 1);
  assert.equal(out.spec.template.spec.containers[0].image, 'v2');
  assert.deepEqual(out.spec.template.spec.containers[0].env, [
    { name: 'A', value: '1' },
    { name: 'C', value: '3' },
  ]);
});

test('strategic merge patch: $setElementOrder, null deletes, $patch replace, unkeyed lists replaced', () => {
  const keys = podSpecMergeKeys('spec');
  const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }], args: ['x'], nodeSelector: { k: 'v' } } };
  const out = strategicMergePatch(
    pod,
    { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'i' }], args: ['y'], nodeSelector: { k: null } } },
    keys,
  ) as any;
  assert.deepEqual(out.spec.containers, [{ name: 'b' }, { name: 'a', image: 'i' }]);
  assert.deepEqual(out.spec.args, ['y']);
  assert.deepEqual(out.spec.nodeSelector, {});
  const rep = strategicMergePatch(pod, { spec: { $patch: 'replace', containers: [] } }, keys) as any;
  assert.deepEqual(rep, { spec: { containers: [] } });
});
