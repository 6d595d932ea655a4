import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { selectorFromObject } from '../../api/labels.js';
import { apiServerEventType, inScope, makeApiServerEvent, selfLink, type ApiServerJob, type WatchedResource } from './apiserversource.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client02', namespace: 'default', labels: { app: 'demo' }, resourceVersion: '7' }, spec: { containers: [] } };
const podRes: WatchedResource = { gr: 'core/pods', apiVersion: 'v1', kind: 'Pod' };
const job = (over: Partial<ApiServerJob> = {}): ApiServerJob => ({ namespace: 'default', name: 'pods-event', mode: 'Reference', sinkUri: 'http://s/', resources: [podRes], namespaces: ['default'], ...over });
const T = Date.UTC(2024, 0, 1);

describe('ApiServerSource events (§3.2)', () => {
  test('Reference mode: ref.* type, subject self link, kind/apiversion/name/namespace extensions, ObjectReference data', () => {
    const ev = makeApiServerEvent(job(), podRes, 'update', pod, 'id', T, 'https://10.68.0.1:443');
    assert.equal(ev.type, 'dev.knative.apiserver.ref.update');
    assert.equal(ev.source, 'https://10.68.0.1:443');
    assert.equal(ev.subject, '/apis/v1/namespaces/default/pods/client02');
    assert.equal(ev.datacontenttype, 'application/json');
    assert.deepEqual([ev.kind, ev.apiversion, ev.name, ev.namespace], ['Pod', 'v1', 'client02', 'default']);
    assert.deepEqual(JSON.parse(Buffer.from(ev.data as Uint8Array).toString()), { kind: 'Pod', namespace: 'default', name: 'client02', apiVersion: 'v1' });
  });
  test('Resource mode: resource.* type and the whole object as data', () => {
    const ev = makeApiServerEvent(job({ mode: 'Resource', extensions: { team: 'x' } }), podRes, 'delete', pod, 'id', T, 'h');
    assert.equal(ev.type, 'dev.knative.apiserver.resource.delete');
    assert.deepEqual(JSON.parse(Buffer.from(ev.data as Uint8Array).toString()), pod);
    assert.equal(ev.team, 'x');
  });
  test('type names and self links', () => {
    assert.equal(apiServerEventType('Reference', 'add'), 'dev.knative.apiserver.ref.add');
    assert.equal(apiServerEventType('Resource', 'add'), 'dev.knative.apiserver.resource.add');
    assert.equal(selfLink('apps/v1', 'deployments', 'ns', 'd'), '/apis/apps/v1/namespaces/ns/deployments/d');
    assert.equal(selfLink('v1', 'namespaces', undefined, 'ns'), '/apis/v1/namespaces/ns');
    assert.equal(selfLink('example.com', 'foos', 'ns', 'f'), '/apis/example.com/versionUnknown/namespaces/ns/foos/f');
  });
  test('scope: namespace list, label selector, owner kind', () => {
    assert.equal(inScope(job(), podRes, pod), true);
    assert.equal(inScope(job({ namespaces: ['other'] }), podRes, pod), false);
    assert.equal(inScope(job({ namespaces: undefined }), podRes, pod), true);
    assert.equal(inScope(job(), { ...podRes, selector: selectorFromObject({ matchLabels: { app: 'demo' } }) }, pod), true);
    assert.equal(inScope(job(), { ...podRes, selector: selectorFromObject({ matchLabels: { app: 'other' } }) }, pod), false);
    assert.equal(inScope(job({ owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet' } }), podRes, pod), false);
    const owned = { ...pod, metadata: { ...pod.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u' }] } };
    assert.equal(inScope(job({ owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet' } }), podRes, owned), true);
  });
});
