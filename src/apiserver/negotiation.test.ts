import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkShape, chooseObjectFormat, decodeObjectBody, decodePatchBody, parseAccept, wantsAggregatedDiscovery } from './negotiation.js';

const KUBECTL_TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('negotiation', () => {
  test('parseAccept keeps parameters and orders by q (stable)', () => {
    const r = parseAccept('text/plain;q=0.5, application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml;q=0.9, */*;q=0');
    assert.deepEqual(
      r.map((m) => [m.type, m.q]),
      [
        ['application/json', 1],
        ['application/yaml', 0.9],
        ['text/plain', 0.5],
      ],
    );
    assert.deepEqual(r[0].params, { as: 'Table', v: 'v1', g: 'meta.k8s.io' });
    assert.deepEqual(parseAccept(undefined), [{ type: '*/*', params: {}, q: 1 }]);
  });

  test('chooseObjectFormat: Table for kubectl get, JSON where tables do not apply, 406 for protobuf only', () => {
    assert.deepEqual(chooseObjectFormat(parseAccept(KUBECTL_TABLE), true), { kind: 'table', version: 'v1' });
    assert.deepEqual(chooseObjectFormat(parseAccept(KUBECTL_TABLE), false), { kind: 'json' });
    assert.deepEqual(chooseObjectFormat(parseAccept('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), true), { kind: 'table', version: 'v1beta1' });
    assert.deepEqual(chooseObjectFormat(parseAccept('application/json;as=Table;v=v9;g=meta.k8s.io,application/yaml'), true), { kind: 'yaml' });
    assert.deepEqual(chooseObjectFormat(parseAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), true), { kind: 'partial', version: 'v1' });
    assert.deepEqual(chooseObjectFormat(parseAccept('application/json, */*'), true), { kind: 'json' });
    assert.equal(chooseObjectFormat(parseAccept('application/vnd.kubernetes.protobuf'), true), undefined);
  });

  test('aggregated discovery only when asked for before plain JSON', () => {
    const v2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    assert.equal(wantsAggregatedDiscovery(parseAccept(v2)), 'v2');
    assert.equal(wantsAggregatedDiscovery(parseAccept(v2.split(',').slice(1).join(','))), 'v2beta1');
    assert.equal(wantsAggregatedDiscovery(parseAccept('application/json')), undefined);
    assert.equal(wantsAggregatedDiscovery(parseAccept('application/json,' + v2)), undefined);
  });

  test('decodeObjectBody: JSON, YAML, sniffing without Content-Type, clear errors', () => {
    assert.deepEqual(decodeObjectBody(Buffer.from('{"a":1}'), 'application/json; charset=utf-8'), { a: 1 });
    assert.deepEqual(decodeObjectBody(Buffer.from('a: 1\nb: [x]\n'), 'application/yaml'), { a: 1, b: ['x'] });
    assert.deepEqual(decodeObjectBody(Buffer.from('a: yes'), undefined), { a: 'yes' }, 'YAML 1.2: yes stays a string');
    assert.deepEqual(decodeObjectBody(Buffer.from(' {"a":2}'), undefined), { a: 2 });
    assert.throws(() => decodeObjectBody(Buffer.from('{'), 'application/json'), (e: any) => e.status === 400 && /not valid JSON/.test(e.message));
    assert.throws(() => decodeObjectBody(Buffer.from('a: 1\na: 2'), 'application/yaml'), (e: any) => e.status === 400 && /not valid YAML/.test(e.message));
    assert.throws(() => decodeObjectBody(Buffer.from('x'), 'application/cbor'), (e: any) => e.status === 415 && /vnd\.kubernetes\.protobuf/.test(e.message));
    assert.throws(() => decodeObjectBody(Buffer.from('not protobuf'), 'application/vnd.kubernetes.protobuf'), (e: any) => e.status === 400 && /envelope/.test(e.message));
    assert.throws(() => decodeObjectBody(Buffer.from('  '), 'application/json'), (e: any) => e.status === 400 && /empty/.test(e.message));
  });

  test('decodePatchBody maps Content-Type to the patch flavour', () => {
    assert.equal(decodePatchBody(Buffer.from('{}'), 'application/merge-patch+json').type, 'merge');
    assert.equal(decodePatchBody(Buffer.from('[]'), 'application/json-patch+json').type, 'json');
    assert.equal(decodePatchBody(Buffer.from('{}'), 'application/strategic-merge-patch+json; charset=utf-8').type, 'strategic');
    assert.deepEqual(decodePatchBody(Buffer.from('data:\n  k: v\n'), 'application/apply-patch+yaml'), { type: 'apply', patch: { data: { k: 'v' } } });
    assert.throws(() => decodePatchBody(Buffer.from('{}'), 'application/json'), (e: any) => e.status === 415 && /merge-patch/.test(e.message));
    assert.throws(() => decodePatchBody(Buffer.from('{}'), 'application/apply-patch+cbor'), (e: any) => e.status === 415);
  });

  test('checkShape rejects absurd nesting and __proto__ keys, naming where', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 150; i++) deep = { a: deep };
    assert.throws(() => checkShape(deep), (e: any) => e.status === 400 && /nested deeper than 100/.test(e.message));
    assert.throws(() => checkShape(JSON.parse('{"spec":{"x":[{"__proto__":{}}]}}')), (e: any) => /spec\.x\[0\]/.test(e.message));
    assert.doesNotThrow(() => checkShape({ spec: { template: { spec: { containers: [{ env: [{ name: 'a' }] }] } } } }));
  });
});
