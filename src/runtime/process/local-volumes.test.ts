import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeClock } from '../../controller/clock.js';
import { podManifest, testApi } from '../test-helpers.js';
import { LocalVolumes, VOLUME_FALLBACK_ANNOTATION } from './local-volumes.js';

describe('LocalVolumes', () => {
  test('without mount namespaces: files under the data dir, SKIFF_VOLUME_<NAME> env, argv unwrapped, pod annotated; refresh and tear-down', async () => {
    const api = await testApi();
    try {
      const clock = new FakeClock(0);
      const events: string[] = [];
      const hook = new LocalVolumes({ client: api.client, dataDir: api.dataDir, clock, namespaces: false, refreshMs: 1000, event: (_p, _t, reason) => events.push(reason) });
      await api.client.create('core/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { token: Buffer.from('s3cret').toString('base64') } });
      const pod = await api.client.create(
        'core/pods',
        podManifest('p', {
          volumes: [{ name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } }, { name: 'tmp', emptyDir: {} }, { name: 'gone', configMap: { name: 'missing' } }],
          containers: [{ name: 'c', command: ['app'], volumeMounts: [{ name: 'sec', mountPath: '/var/sec' }, { name: 'tmp', mountPath: '/tmp/x' }] }],
        }),
      );
      await hook.setUp(pod);
      const env = hook.envFor(pod, pod.spec.containers[0]);
      assert.deepEqual(Object.keys(env), ['SKIFF_VOLUME_SEC', 'SKIFF_VOLUME_TMP']);
      assert.equal(await readFile(join(env.SKIFF_VOLUME_SEC, 'token'), 'utf8'), 's3cret');
      assert.equal((await stat(join(env.SKIFF_VOLUME_SEC, 'token'))).mode & 0o777, 0o400);
      assert.ok((await stat(env.SKIFF_VOLUME_TMP)).isDirectory());
      assert.deepEqual(await hook.wrapArgv(pod, pod.spec.containers[0], ['app']), ['app']);
      assert.match((await api.client.get('core/pods', 'default', 'p'))?.metadata.annotations?.[VOLUME_FALLBACK_ANNOTATION] ?? '', /SKIFF_VOLUME_/);
      assert.deepEqual(events.sort(), ['FailedMount', 'VolumeFallback']);
      const s = await api.client.get('core/secrets', 'default', 'sec');
      await api.client.update('core/secrets', { ...s!, data: { token: Buffer.from('rotated').toString('base64') } });
      clock.advance(1000);
      let v = '';
      for (let i = 0; i < 100 && v !== 'rotated'; i++) {
        await new Promise((r) => setTimeout(r, 5));
        v = await readFile(join(env.SKIFF_VOLUME_SEC, 'token'), 'utf8');
      }
      assert.equal(v, 'rotated');
      await hook.tearDown(pod);
      await assert.rejects(stat(env.SKIFF_VOLUME_SEC));
    } finally {
      await api.close();
    }
  });
});
