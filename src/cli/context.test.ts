import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseOutputFormat, resolveDataDir, resolveEndpoint } from './context.js';
import { UnreachableError, UsageError, UserError } from './errors.js';

const files = (m: Record<string, string>) => async (p: string) => {
  if (p in m) return m[p];
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

describe('finding the API', () => {
  test('--api, then SKIFF_API, then <data-dir>/api.json', async () => {
    const read = files({ '/d/api.json': JSON.stringify({ api: 'http://127.0.0.1:4000/', gateway: 'http://127.0.0.1:8080', pid: 1 }) });
    assert.deepEqual(await resolveEndpoint({ apiFlag: 'http://a:1', env: { SKIFF_API: 'http://b:2' }, dataDir: '/d', read }), { url: 'http://a:1', source: 'flag' });
    assert.deepEqual(await resolveEndpoint({ env: { SKIFF_API: 'http://b:2' }, dataDir: '/d', read }), { url: 'http://b:2', source: 'env' });
    const ep = await resolveEndpoint({ env: {}, dataDir: '/d', read });
    assert.equal(ep.url, 'http://127.0.0.1:4000');
    assert.equal(ep.source, 'file');
    assert.equal(ep.record?.gateway, 'http://127.0.0.1:8080');
  });

  test('nothing configured: the unreachable line names what was tried', async () => {
    await assert.rejects(
      resolveEndpoint({ env: {}, dataDir: '/d', read: files({}) }),
      (e: unknown) => e instanceof UnreachableError && e.render() === 'skiff: cannot reach the Skiff API: no --api, no SKIFF_API and no /d/api.json: is `skiff up` running?',
    );
  });

  test('a broken api.json or URL is a clear error', async () => {
    await assert.rejects(resolveEndpoint({ env: {}, dataDir: '/d', read: files({ '/d/api.json': '{' }) }), (e: unknown) => e instanceof UserError && /cannot parse \/d\/api\.json/.test(e.message));
    await assert.rejects(resolveEndpoint({ env: {}, dataDir: '/d', read: files({ '/d/api.json': '{}' }) }), /has no "api" URL/);
    await assert.rejects(resolveEndpoint({ apiFlag: 'localhost:80', env: {}, dataDir: '/d' }), /only http and https/);
    await assert.rejects(resolveEndpoint({ apiFlag: '::', env: {}, dataDir: '/d' }), /invalid API URL "::" \(from --api\)/);
  });

  test('data dir: flag, env, ~/.skiff', () => {
    assert.equal(resolveDataDir('/x', { SKIFF_DATA_DIR: '/y' }, '/home/u'), '/x');
    assert.equal(resolveDataDir(undefined, { SKIFF_DATA_DIR: '/y' }, '/home/u'), '/y');
    assert.equal(resolveDataDir(undefined, {}, '/home/u'), '/home/u/.skiff');
  });

  test('output formats', () => {
    assert.equal(parseOutputFormat('yaml'), 'yaml');
    assert.equal(parseOutputFormat(undefined), undefined);
    assert.throws(() => parseOutputFormat('xml'), (e: unknown) => e instanceof UsageError && /allowed formats are: json,name,wide,yaml/.test(e.message));
  });
});
