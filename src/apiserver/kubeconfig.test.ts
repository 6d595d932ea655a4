import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { KubeconfigError, makeKubeconfig } from './kubeconfig.js';

describe('kubeconfig', () => {
  test('one skiff cluster, user and context pointing at the server', () => {
    const cfg = parse(makeKubeconfig('http://127.0.0.1:6443/', 'team-a'));
    assert.equal(cfg.kind, 'Config');
    assert.equal(cfg['current-context'], 'skiff');
    assert.deepEqual(cfg.clusters, [{ name: 'skiff', cluster: { server: 'http://127.0.0.1:6443' } }]);
    assert.deepEqual(cfg.contexts, [{ name: 'skiff', context: { cluster: 'skiff', user: 'skiff', namespace: 'team-a' } }]);
    assert.deepEqual(cfg.users, [{ name: 'skiff', user: {} }]);
    assert.equal(parse(makeKubeconfig('http://localhost:1')).contexts[0].context.namespace, 'default');
  });

  test('bad input names the field at fault', () => {
    assert.throws(() => makeKubeconfig('not a url'), (e: unknown) => e instanceof KubeconfigError && e.code === 'SKIFF_ERR_KUBECONFIG' && e.field === 'server');
    assert.throws(() => makeKubeconfig('ftp://x'), (e: unknown) => e instanceof KubeconfigError && /http/.test(e.message));
    assert.throws(() => makeKubeconfig('http://x', 'Bad_NS'), (e: unknown) => e instanceof KubeconfigError && e.field === 'namespace');
  });
});
