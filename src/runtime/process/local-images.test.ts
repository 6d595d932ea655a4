import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageNotRunnableError } from './images.js';
import { isLocalImageRef, localImageDir, planLocalImage } from './local-images.js';
import { builtinImageRegistry } from '../builtin-images.js';

describe('local directory images', () => {
  test('references: local:/abs and file:///abs name a directory; relative ones are refused', () => {
    assert.ok(isLocalImageRef('local:/srv/app') && isLocalImageRef('file:///srv/app') && !isLocalImageRef('nginx:1.25'));
    assert.equal(localImageDir('local:/srv/app/'), '/srv/app');
    assert.equal(localImageDir('file:///srv/my%20app'), '/srv/my app');
    assert.throws(() => localImageDir('local:app'), (e: ImageNotRunnableError) => e.reason === 'ErrImagePull' && /absolute directory/.test(e.message));
  });

  test('package.json start script → npm start in the directory; else run, then start', () => {
    const npm = planLocalImage('local:/a', '/a', { isDirectory: true, packageJson: { scripts: { start: 'node server.js' } }, executables: ['run'] });
    assert.deepEqual([npm.command, npm.cwd, npm.imageID], [['npm', 'start'], '/a', 'local:///a']);
    assert.deepEqual(planLocalImage('local:/a', '/a', { isDirectory: true, packageJson: { scripts: {} }, executables: ['start', 'run'] }).command, ['/a/run']);
    assert.deepEqual(planLocalImage('local:/a', '/a', { isDirectory: true, executables: ['start'] }).command, ['/a/start']);
  });

  test('nothing runnable, not a directory, broken package.json → ErrImagePull naming what was looked for', () => {
    assert.throws(() => planLocalImage('local:/a', '/a', { isDirectory: true, packageJson: {}, executables: [] }), /looked for package.json with a "start" script, then an executable file "run" or "start" \(package.json has no "start" script\)/);
    assert.throws(() => planLocalImage('local:/a', '/a', { isDirectory: false, executables: [] }), /\/a is not a directory/);
    assert.throws(() => planLocalImage('local:/a', '/a', { isDirectory: true, packageJson: 'Unexpected token', executables: [] }), /package.json is not valid JSON/);
  });

  test('the default registry answers local images (a missing directory is ErrImagePull, not a command fallback)', async () => {
    const resolve = builtinImageRegistry().resolve;
    await assert.rejects(async () => resolve('local:/nonexistent/skiff-dir', { name: 'c' }), (e: ImageNotRunnableError) => e instanceof ImageNotRunnableError && /not a directory/.test(e.message));
  });
});
