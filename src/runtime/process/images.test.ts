import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commandOnlyResolver, imageRepository, ImageNotRunnableError, ImageRegistry } from './images.js';

describe('image resolution', () => {
  test('imageRepository strips docker.io defaults, tags and digests', () => {
    assert.equal(imageRepository('docker.io/library/nginx:1.25'), 'nginx');
    assert.equal(imageRepository('gcr.io/knative-samples/helloworld-go@sha256:abc'), 'gcr.io/knative-samples/helloworld-go');
    assert.equal(imageRepository('localhost:5000/app'), 'localhost:5000/app');
  });

  test('registered images win; otherwise a command runs; otherwise ErrImagePull', async () => {
    const reg = new ImageRegistry();
    reg.register('gcr.io/knative-samples/helloworld-go', () => ({ command: ['node', 'hello.js'], env: { TARGET: 'World' }, imageID: 'skiff://helloworld' }));
    assert.deepEqual(await reg.resolve('gcr.io/knative-samples/helloworld-go:latest', {}), { command: ['node', 'hello.js'], env: { TARGET: 'World' }, imageID: 'skiff://helloworld' });
    assert.deepEqual(await reg.resolve('busybox', { command: ['sleep', '1'] }), { command: [], imageID: '' });
    assert.throws(
      () => commandOnlyResolver('nginx', {}),
      (e: any) => e instanceof ImageNotRunnableError && e.reason === 'ErrImagePull' && /image "nginx" cannot run in embedded mode/.test(e.message),
    );
  });
});
