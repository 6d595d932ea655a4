import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubeProtobuf, decodeMessage } from './kube-protobuf.js';
import { call, startTestServer, type TestServer } from './testing.js';

// Request bodies captured from kubectl 1.33 (client-go typed clients send protobuf):
//   kubectl create cm fx-cm --from-literal=greeting=hello --from-literal=empty=
//   kubectl create secret generic fx-secret --from-literal=password=s3cret
//   kubectl create deployment fx-deploy --image=nginx:1.25 --replicas=0 --port=8080 -- /bin/sh -c 'echo hi'
//   kubectl create service nodeport fx-svc --tcp=80:8080
//   kubectl create ns fx-ns
const KUBECTL_133 = {
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjUKFQoFZngtY20SABoAIgAqADIAOABCABIJCgVlbXB0eRIAEhEKCGdyZWV0aW5nEgVoZWxsbxoAIgA=',
  secret: 'azhzAAoMCgJ2MRIGU2VjcmV0EjEKGQoJZngtc2VjcmV0EgAaACIAKgAyADgAQgASEgoIcGFzc3dvcmQSBnMzY3JldBoAGgAiAA==',
  deployment:
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Eu0BCisKCWZ4LWRlcGxveRIAGgAiACoAMgA4AEIAWhAKA2FwcBIJZngtZGVwbG95Eq8BCAASEgoQCgNhcHASCWZ4LWRlcGxveRqOAQoiCgASABoAIgAqADIAOABCAFoQCgNhcHASCWZ4LWRlcGxveRJoEkoKBW5naW54EgpuZ2lueDoxLjI1GgcvYmluL3NoGgItYxoHZWNobyBoaSoAMgsKABAAGJA/IgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==',
  service: 'azhzAAoNCgJ2MRIHU2VydmljZRJxCiUKBmZ4LXN2YxIAGgAiACoAMgA4AEIAWg0KA2FwcBIGZngtc3ZjEkQKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABINCgNhcHASBmZ4LXN2YxoAIghOb2RlUG9ydDoAQgBSAFoAYABoABoCCgAaACIA',
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh0KFQoFZngtbnMSABoAIgAqADIAOABCABIAGgIKABoAIgA=',
};
const b64 = (s: string) => Buffer.from(s, 'base64');

// A minimal protobuf writer to build the cases kubectl's fixtures do not cover.
const varint = (n: number | bigint): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
};
const vField = (num: number, n: number | bigint | boolean) => Buffer.concat([varint(num << 3), varint(typeof n === 'boolean' ? (n ? 1 : 0) : n)]);
const lField = (num: number, payload: Buffer | string) => {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((num << 3) | 2), varint(p.length), p]);
};
const msg = (...parts: Buffer[]) => Buffer.concat(parts);
const envelope = (apiVersion: string, kind: string, raw: Buffer, encoding = '') =>
  Buffer.concat([Buffer.from('k8s\0'), lField(1, msg(lField(1, apiVersion), lField(2, kind))), lField(2, raw), ...(encoding ? [lField(3, encoding)] : [])]);

describe('Kubernetes protobuf request bodies', () => {
  test('bodies from kubectl 1.33 decode to what kubectl would send as JSON', () => {
    assert.deepEqual(decodeKubeProtobuf(b64(KUBECTL_133.configMap)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fx-cm' },
      data: { empty: '', greeting: 'hello' },
    });
    assert.deepEqual(decodeKubeProtobuf(b64(KUBECTL_133.secret)), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fx-secret' },
      data: { password: Buffer.from('s3cret').toString('base64') },
    });
    assert.deepEqual(decodeKubeProtobuf(b64(KUBECTL_133.deployment)), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'fx-deploy', labels: { app: 'fx-deploy' } },
      spec: {
        replicas: 0, // a pointer field set to zero survives
        selector: { matchLabels: { app: 'fx-deploy' } },
        template: {
          metadata: { labels: { app: 'fx-deploy' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', command: ['/bin/sh', '-c', 'echo hi'], ports: [{ containerPort: 8080 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    assert.deepEqual(decodeKubeProtobuf(b64(KUBECTL_133.service)), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fx-svc', labels: { app: 'fx-svc' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'fx-svc' }, type: 'NodePort' },
      status: { loadBalancer: {} },
    });
    assert.deepEqual(decodeKubeProtobuf(b64(KUBECTL_133.namespace)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fx-ns' }, spec: {}, status: {} });
  });

  test('Go pointer fields keep explicit zeros; value fields with omitempty drop them', () => {
    const podSpec = msg(
      vField(21, false), // automountServiceAccountToken *bool: false is meaningful
      vField(11, false), // hostNetwork bool,omitempty: dropped
      vField(4, 0), // terminationGracePeriodSeconds *int64: 0 kept
      lField(3, ''), // restartPolicy string,omitempty: dropped
    );
    assert.deepEqual(decodeMessage(podSpec, 'core.PodSpec'), { automountServiceAccountToken: false, terminationGracePeriodSeconds: 0 });
  });

  test('inline structs, Time, IntOrString, Quantity maps, packed and unpacked repeats, negative ints', () => {
    const volume = msg(lField(1, 'scratch'), lField(2, lField(2, msg()))); // Volume{name, VolumeSource{emptyDir: {}}}
    assert.deepEqual(decodeMessage(volume, 'core.Volume'), { name: 'scratch', emptyDir: {} });
    const meta = msg(lField(1, 'x'), lField(8, msg(vField(1, 1767225600))), lField(9, msg()));
    assert.deepEqual(decodeMessage(meta, 'meta.ObjectMeta'), { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' });
    const port = msg(vField(3, 80), lField(4, msg(vField(1, 1), lField(3, 'http'))));
    assert.deepEqual(decodeMessage(port, 'core.ServicePort'), { port: 80, targetPort: 'http' });
    const limits = msg(lField(1, msg(lField(1, 'cpu'), lField(2, lField(1, '500m')))), lField(1, msg(lField(1, 'memory'), lField(2, lField(1, '64Mi')))));
    assert.deepEqual(decodeMessage(limits, 'core.ResourceRequirements'), { limits: { cpu: '500m', memory: '64Mi' } });
    const unpacked = msg(vField(4, 1000), vField(4, 2000));
    const packed = lField(4, Buffer.concat([varint(1000), varint(2000)]));
    assert.deepEqual(decodeMessage(unpacked, 'core.PodSecurityContext'), { supplementalGroups: [1000, 2000] });
    assert.deepEqual(decodeMessage(packed, 'core.PodSecurityContext'), { supplementalGroups: [1000, 2000] });
    assert.deepEqual(decodeMessage(vField(8, -5), 'core.EventSeries'), {}, 'unknown field numbers are skipped');
    assert.deepEqual(decodeMessage(vField(5, -1), 'core.PodSpec'), { activeDeadlineSeconds: -1 });
  });

  test('bad bodies: 400 for broken framing, 415 for kinds without a schema or compressed bodies', () => {
    assert.throws(() => decodeKubeProtobuf(Buffer.from('{"kind":"ConfigMap"}')), (e: any) => e.status === 400 && /k8s\\0/.test(e.message));
    assert.throws(() => decodeKubeProtobuf(b64(KUBECTL_133.configMap).subarray(0, 40)), (e: any) => e.status === 400 && /truncated/.test(e.message));
    assert.throws(() => decodeKubeProtobuf(envelope('serving.knative.dev/v1', 'Service', msg())), (e: any) => e.status === 415 && /send application\/json/.test(e.message));
    assert.throws(() => decodeKubeProtobuf(envelope('v1', 'ConfigMap', msg(), 'gzip')), (e: any) => e.status === 415 && /gzip/.test(e.message));
    assert.throws(() => decodeKubeProtobuf(envelope('v1', 'ConfigMap', Buffer.from([0x0b]))), (e: any) => e.status === 400 && /wire type/.test(e.message));
  });
});

describe('Kubernetes protobuf over HTTP', () => {
  let ts: TestServer;
  before(async () => (ts = await startTestServer()));
  after(() => ts.close());

  test('POST with Content-Type application/vnd.kubernetes.protobuf creates the object and answers JSON', async () => {
    const headers = { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf,application/json' };
    const r = await call(ts, 'POST', '/apis/apps/v1/namespaces/default/deployments', b64(KUBECTL_133.deployment), headers);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json.spec.replicas, 0);
    assert.equal(r.json.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent', 'admission defaults applied as for JSON');
    const cmr = await call(ts, 'POST', '/api/v1/namespaces/default/configmaps', b64(KUBECTL_133.configMap), headers);
    assert.equal(cmr.status, 201);
    assert.deepEqual(ts.svc.get('core/configmaps', 'default', 'fx-cm').data, { empty: '', greeting: 'hello' });
    const wrongKind = await call(ts, 'POST', '/api/v1/namespaces/default/secrets', b64(KUBECTL_133.configMap), headers);
    assert.equal(wrongKind.status, 400, 'the envelope kind is checked like a JSON kind');
  });
});
