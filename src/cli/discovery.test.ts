import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery, kindName, resourceName, resourcePath } from './discovery.js';
import { UserError } from './errors.js';

const disc = new Discovery(
  [
    {
      groupVersion: 'v1',
      resources: [
        { name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'] },
        { name: 'pods/log', kind: 'Pod', namespaced: true },
        { name: 'pods/status', kind: 'Pod', namespaced: true },
        { name: 'services', singularName: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'] },
        { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
        { name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
      ],
    },
    { groupVersion: 'apps/v1', resources: [{ name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'] }] },
    {
      groupVersion: 'serving.knative.dev/v1',
      resources: [
        { name: 'services', singularName: 'service', kind: 'Service', namespaced: true, shortNames: ['kservice', 'ksvc'], categories: ['all', 'knative', 'serving'] },
        { name: 'revisions', singularName: 'revision', kind: 'Revision', namespaced: true, shortNames: ['rev'], categories: ['all'] },
      ],
    },
    { groupVersion: 'serving.knative.dev/v1beta1', resources: [{ name: 'domainmappings', singularName: 'domainmapping', kind: 'DomainMapping', namespaced: true, shortNames: ['dm'] }] },
  ],
  new Map([
    ['apps', 'v1'],
    ['serving.knative.dev', 'v1'],
  ]),
);

describe('Discovery', () => {
  test('plain names prefer the core group, like kubectl', () => {
    assert.equal(disc.resolve('services').group, '');
    assert.equal(disc.resolve('svc').group, '');
    assert.equal(disc.resolve('Service').group, '');
    assert.equal(disc.resolve('ksvc').group, 'serving.knative.dev');
    assert.equal(disc.resolve('deploy').name, 'deployments');
    assert.equal(disc.resolve('po').name, 'pods');
  });

  test('group-qualified and version-qualified names', () => {
    const r = disc.resolve('services.serving.knative.dev');
    assert.equal(r.group, 'serving.knative.dev');
    assert.equal(r.kind, 'Service');
    assert.equal(disc.resolve('deployments.apps').name, 'deployments');
    assert.equal(disc.resolve('domainmappings.v1beta1.serving.knative.dev').version, 'v1beta1');
    assert.equal(disc.lookup('services.nope.dev'), undefined);
  });

  test('unknown kind: kubectl error text', () => {
    assert.throws(() => disc.resolve('foo'), (e: unknown) => e instanceof UserError && e.render() === 'error: the server doesn\'t have a resource type "foo"');
  });

  test('subresources are attached, not listed as resources', () => {
    assert.deepEqual(disc.resolve('pods').subresources.sort(), ['log', 'status']);
    assert.equal(disc.resources.some((r) => r.name.includes('/')), false);
  });

  test('forKind maps a manifest apiVersion+kind; inCategory lists `all`', () => {
    assert.equal(disc.forKind('serving.knative.dev/v1', 'Service')?.group, 'serving.knative.dev');
    assert.equal(disc.forKind('v1', 'Service')?.group, '');
    assert.equal(disc.forKind('serving.knative.dev/v2', 'Service'), undefined);
    assert.deepEqual(
      disc.inCategory('all').map((r) => `${r.name}.${r.group}`),
      ['pods.', 'services.', 'deployments.apps', 'services.serving.knative.dev', 'revisions.serving.knative.dev'],
    );
  });

  test('names and paths', () => {
    assert.equal(kindName('ConfigMap', ''), 'configmap');
    assert.equal(kindName('Deployment', 'apps'), 'deployment.apps');
    assert.equal(kindName('Service', 'serving.knative.dev'), 'service.serving.knative.dev');
    assert.equal(resourceName({ name: 'services', group: 'serving.knative.dev' }), 'services.serving.knative.dev');
    const pods = disc.resolve('pods');
    assert.equal(resourcePath(pods, 'default', 'p1', 'log'), '/api/v1/namespaces/default/pods/p1/log');
    assert.equal(resourcePath(pods, undefined), '/api/v1/pods');
    assert.equal(resourcePath(disc.resolve('ns'), 'ignored', 'x'), '/api/v1/namespaces/x');
    assert.equal(resourcePath(disc.resolve('ksvc'), 'demo'), '/apis/serving.knative.dev/v1/namespaces/demo/services');
  });
});
