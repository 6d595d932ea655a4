import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCoreKinds } from '../api/core/kinds.js';
import { ResourceRegistry, type ResourceType } from '../api/registry.js';
import { minimalOpenApiV2Protobuf, OpenApiBuilder, overlayMergeKeys, schemaPrefix } from './openapi.js';

const widget: ResourceType = {
  group: 'example.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  singular: 'widget',
  namespaced: false,
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  mergeKeys: { 'spec.template.spec.containers': 'name', 'spec.template.spec.containers[].env': 'name', 'spec.tags#set': '' },
};

function setup(source?: ConstructorParameters<typeof OpenApiBuilder>[1]) {
  const reg = new ResourceRegistry();
  registerCoreKinds(reg);
  reg.register(widget);
  return { reg, oa: new OpenApiBuilder(reg, source) };
}

describe('OpenAPI', () => {
  test('schema names follow Kubernetes conventions', () => {
    assert.equal(schemaPrefix(''), 'io.k8s.api.core');
    assert.equal(schemaPrefix('apps'), 'io.k8s.api.apps');
    assert.equal(schemaPrefix('serving.knative.dev'), 'dev.knative.serving');
  });

  test('merge keys from the registry become x-kubernetes-patch-* along the path', () => {
    const s: Record<string, any> = { type: 'object', properties: {} };
    overlayMergeKeys(s, widget.mergeKeys!);
    const containers = s.properties.spec.properties.template.properties.spec.properties.containers;
    assert.equal(containers.type, 'array');
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(containers.items.properties.env['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(s.properties.spec.properties.tags['x-kubernetes-list-type'], 'set');
    assert.equal(s.properties.spec['x-kubernetes-preserve-unknown-fields'], true, 'created nodes stay permissive');
  });

  test('every PATCH operation offers fieldValidation and names its GVK; strategic merge is not advertised', () => {
    const { oa } = setup();
    for (const [group, version] of [
      ['', 'v1'],
      ['apps', 'v1'],
      ['example.dev', 'v1'],
    ]) {
      const doc = oa.v3Doc(group, version)!.doc as any;
      let patches = 0;
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        if (!item.patch) continue;
        patches++;
        assert.ok(item.patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'), path);
        assert.ok(item.patch['x-kubernetes-group-version-kind'].kind, path);
        assert.ok(!('application/strategic-merge-patch+json' in item.patch.requestBody.content), path);
      }
      assert.ok(patches > 0);
    }
    const w = oa.v3Doc('example.dev', 'v1')!.doc as any;
    assert.ok(w.paths['/apis/example.dev/v1/widgets/{name}'], 'cluster-scoped paths have no namespace segment');
    assert.deepEqual(w.paths['/apis/example.dev/v1/widgets/{name}/scale'].patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(w.components.schemas['dev.example.v1.WidgetList']);
    assert.ok(w.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
    const core = oa.v3Doc('', 'v1')!.doc as any;
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get);
    assert.ok(core.paths['/api/v1/configmaps'].get, 'all-namespaces list path');
    assert.equal(oa.v3Doc('nope', 'v1'), undefined);
  });

  test('the v3 index hash changes when a kind is registered', () => {
    const { reg, oa } = setup();
    const before = (oa.v3Root() as any).paths['api/v1'].serverRelativeURL;
    reg.register({ group: '', version: 'v1', kind: 'Gadget', plural: 'gadgets', singular: 'gadget', namespaced: true });
    const after = (oa.v3Root() as any).paths['api/v1'].serverRelativeURL;
    assert.notEqual(before, after);
    assert.ok((oa.v3Doc('', 'v1')!.doc as any).components.schemas['io.k8s.api.core.v1.Gadget']);
  });

  test('unknownFields: closed schemas flag typos by path; maps, preserved nodes and patch directives pass', () => {
    const { reg, oa } = setup();
    const deploy = reg.get('apps/deployments')!;
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { any: 'key' }, annotations: { 'a/b': 'c' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u', blockOwnerDeletion: true, extra: 1 }] },
      spec: {
        replicas: 1,
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: {
            containers: [{ name: 'c', image: 'i', imagePullPolicyy: 'Always', resources: { limits: { cpu: '1' }, whatever: true } }],
            $setElementOrder: [],
            someNewPodField: true,
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      },
      status: { anything: 1 },
      bogusTop: 1,
    };
    assert.deepEqual(oa.unknownFields(deploy, 'v1', body), ['metadata.ownerReferences[0].extra', 'spec.template.spec.containers[0].imagePullPolicyy', 'bogusTop']);
    assert.deepEqual(oa.unknownFields(widget, 'v1', { spec: { anything: 1 }, whatever: 2, metadata: { nme: 'x' } }), ['metadata.nme']);
    assert.equal(oa.unknownFields(deploy, 'v1', { spec: { x: 1, y: 2, z: 3 } }, 2).length, 2, 'capped');
  });

  test('a schema source replaces the built-in schema (and still gets merge keys and the GVK)', () => {
    const { oa } = setup((t) => (t.kind === 'Widget' ? { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } : undefined));
    const s = oa.kindSchema(widget) as any;
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'example.dev', kind: 'Widget', version: 'v1' }]);
    assert.equal(s.properties.spec.properties.template.properties.spec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.deepEqual(oa.unknownFields(widget, 'v1', { spec: { size: 1, colour: 'red' } }), ['spec.colour']);
  });

  test('v2: JSON document with #/definitions refs; minimal protobuf Document for kubectl', () => {
    const { oa } = setup();
    const v2 = oa.v2Doc() as any;
    assert.equal(v2.swagger, '2.0');
    assert.ok(!JSON.stringify(v2).includes('#/components/schemas/'));
    const op = v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.deepEqual(op.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    assert.ok(op.parameters.some((p: any) => p.name === 'body' && p.in === 'body'));
    // Decode the protobuf by hand: field 1 string, field 2 message {1: title, 2: version}, field 8 empty message.
    const pb = minimalOpenApiV2Protobuf();
    const fields: Array<[number, Buffer]> = [];
    for (let i = 0; i < pb.length; ) {
      const tag = pb[i++];
      const len = pb[i++];
      fields.push([tag >> 3, pb.subarray(i, i + len)]);
      assert.equal(tag & 7, 2, 'length-delimited');
      i += len;
    }
    assert.deepEqual(fields.map(([n]) => n), [1, 2, 8]);
    assert.equal(fields[0][1].toString(), '2.0');
    assert.match(fields[1][1].toString('latin1'), /Kubernetes.*v1\.\d+/s);
    assert.equal(fields[2][1].length, 0);
  });
});
