import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { containerMounts, fallbackEnvName, volumeContent, volumeSources, VolumeError, wrapWithMounts } from './volumes.js';

const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'x=1', other: 'y' } };
const secret: KObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { token: Buffer.from('s3cret').toString('base64') } };
const sources = { configMap: (n: string) => (n === 'cfg' ? cm : undefined), secret: (n: string) => (n === 'sec' ? secret : undefined) };
const pod = (volumes: any[], mounts: any[] = []): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { volumes, containers: [{ name: 'c', volumeMounts: mounts }] } });
const text = (c: any) => Object.fromEntries(c.files.map((f: any) => [f.path, [f.data.toString(), f.mode.toString(8)]]));

describe('volume contents', () => {
  test('configMap: every key, or items with key→path and per-item mode; defaultMode', () => {
    const all = volumeContent(pod([]), { name: 'v', configMap: { name: 'cfg' } }, sources);
    assert.deepEqual(text(all), { 'app.conf': ['x=1', '644'], other: ['y', '644'] });
    const items = volumeContent(pod([]), { name: 'v', configMap: { name: 'cfg', defaultMode: 0o400, items: [{ key: 'app.conf', path: 'conf/app.conf' }, { key: 'other', path: 'o', mode: 0o600 }] } }, sources);
    assert.deepEqual(text(items), { 'conf/app.conf': ['x=1', '400'], o: ['y', '600'] });
  });

  test('secret values are base64-decoded; projected merges sources', () => {
    assert.deepEqual(text(volumeContent(pod([]), { name: 's', secret: { secretName: 'sec' } }, sources)), { token: ['s3cret', '644'] });
    const proj = volumeContent(pod([]), { name: 'p', projected: { sources: [{ configMap: { name: 'cfg', items: [{ key: 'other', path: 'o' }] } }, { secret: { name: 'sec' } }] } }, sources);
    assert.deepEqual(text(proj), { o: ['y', '644'], token: ['s3cret', '644'] });
  });

  test('missing source: error unless optional; missing item key; path escapes refused', () => {
    assert.throws(() => volumeContent(pod([]), { name: 'v', configMap: { name: 'nope' } }, sources), (e: VolumeError) => e.code === 'SKIFF_ERR_VOLUME' && /configmap "nope" not found/.test(e.message));
    assert.deepEqual(volumeContent(pod([]), { name: 'v', secret: { secretName: 'nope', optional: true } }, sources), { kind: 'files', files: [] });
    assert.throws(() => volumeContent(pod([]), { name: 'v', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'z' }] } }, sources), /couldn't find key zz in ConfigMap default\/cfg/);
    assert.throws(() => volumeContent(pod([]), { name: 'v', configMap: { name: 'cfg', items: [{ key: 'other', path: '../x' }] } }, sources), /invalid path/);
    assert.equal(volumeContent(pod([]), { name: 'v', emptyDir: {} }, sources).kind, 'emptyDir');
    assert.equal(volumeContent(pod([]), { name: 'v', persistentVolumeClaim: { claimName: 'x' } }, sources).kind, 'unsupported');
  });

  test('volumeSources lists configMaps and secrets of volumes and projections', () => {
    const s = volumeSources(pod([{ name: 'a', configMap: { name: 'c1' } }, { name: 'b', secret: { secretName: 's1' } }, { name: 'p', projected: { sources: [{ configMap: { name: 'c2' } }, { secret: { name: 's2' } }] } }]));
    assert.deepEqual([[...s.configMaps], [...s.secrets]], [['c1', 'c2'], ['s1', 's2']]);
  });
});

describe('mount plan', () => {
  test('mounts sorted parents first; configMap/secret read-only; emptyDir as asked', () => {
    const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'scratch', emptyDir: {} }], [{ name: 'cfg', mountPath: '/etc/app/conf/' }, { name: 'scratch', mountPath: '/data' }]);
    const mounts = containerMounts(p, p.spec.containers[0], (v) => `/d/${v.name}`);
    assert.deepEqual(mounts, [
      { volume: 'scratch', source: '/d/scratch', mountPath: '/data', readOnly: false },
      { volume: 'cfg', source: '/d/cfg', mountPath: '/etc/app/conf', readOnly: true },
    ]);
  });

  test('unknown volume, relative mountPath and subPath are refused with the field', () => {
    const p = pod([{ name: 'a', emptyDir: {} }]);
    assert.throws(() => containerMounts(p, { volumeMounts: [{ name: 'b', mountPath: '/x' }] }, () => ''), (e: VolumeError) => e.field === 'volumeMounts[0].name');
    assert.throws(() => containerMounts(p, { volumeMounts: [{ name: 'a', mountPath: 'x' }] }, () => ''), (e: VolumeError) => e.field === 'volumeMounts[0].mountPath');
    assert.throws(() => containerMounts(p, { volumeMounts: [{ name: 'a', mountPath: '/x', subPath: 'y' }] }, () => ''), (e: VolumeError) => e.field === 'volumeMounts[0].subPath');
  });

  test('wrapper: unshare + script + stage + triples + -- + argv; no mounts → argv unchanged; fallback env names', () => {
    assert.deepEqual(wrapWithMounts(['app'], [], '/s'), ['app']);
    const w = wrapWithMounts(['app', '-x'], [{ volume: 'v', source: '/d/v', mountPath: '/data', readOnly: true }], '/s');
    assert.deepEqual(w.slice(0, 6), ['unshare', '-m', '--propagation', 'private', '/bin/sh', '-c']);
    assert.deepEqual(w.slice(7), ['skiff-mounts', '/s', '/d/v', '/data', 'ro', '--', 'app', '-x']);
    assert.equal(fallbackEnvName('my-config.v1'), 'SKIFF_VOLUME_MY_CONFIG_V1');
  });
});
