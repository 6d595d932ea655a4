import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVING_CONFIG_MAPS } from './bootstrap.js';
import { CLUSTER_LOCAL_DOMAIN, DomainConfigError, lookupDomainForLabels, parseDomainConfig } from './domain.js';

describe('config-domain', () => {
  test("Skiff's bootstrap map gives every route example.com, as the seed shows", () => {
    const cfg = parseDomainConfig(SERVING_CONFIG_MAPS['config-domain']);
    assert.equal(lookupDomainForLabels(cfg, {}), 'example.com');
    assert.equal(lookupDomainForLabels(cfg, { app: 'x' }), 'example.com');
  });

  test('no selector-less entry: the default is svc.cluster.local (cluster-local only)', () => {
    assert.equal(lookupDomainForLabels(parseDomainConfig({}), {}), CLUSTER_LOCAL_DOMAIN);
    assert.equal(lookupDomainForLabels(parseDomainConfig(undefined), undefined), 'svc.cluster.local');
    const cfg = parseDomainConfig({ 'example.org': 'selector:\n  app: nonprofit\n' });
    assert.equal(lookupDomainForLabels(cfg, { app: 'nonprofit' }), 'example.org');
    assert.equal(lookupDomainForLabels(cfg, { app: 'other' }), 'svc.cluster.local');
  });

  test('the most specific matching selector wins; ties go to the lexicographically smallest domain', () => {
    const cfg = parseDomainConfig({
      'example.com': '',
      'b.example.org': 'selector:\n  app: web\n',
      'a.example.org': 'selector:\n  app: web\n',
      'team.example.net': 'selector:\n  app: web\n  team: blue\n',
    });
    assert.equal(lookupDomainForLabels(cfg, { app: 'web' }), 'a.example.org');
    assert.equal(lookupDomainForLabels(cfg, { app: 'web', team: 'blue' }), 'team.example.net');
    assert.equal(lookupDomainForLabels(cfg, { team: 'blue' }), 'example.com');
    const twoDefaults = parseDomainConfig({ 'z.com': '', 'a.com': '' });
    assert.equal(lookupDomainForLabels(twoDefaults, {}), 'a.com');
  });

  test('the cluster-local visibility label always yields svc.cluster.local; _example is ignored', () => {
    const cfg = parseDomainConfig({ 'example.com': '', _example: 'not: [valid' });
    assert.equal(lookupDomainForLabels(cfg, { 'networking.knative.dev/visibility': 'cluster-local' }), 'svc.cluster.local');
    assert.equal(cfg.entries.length, 1);
  });

  test('bad values are rejected with an error naming the key', () => {
    assert.throws(() => parseDomainConfig({ 'bad.com': 'selector: [a' }), (e: unknown) => e instanceof DomainConfigError && e.key === 'bad.com' && /not valid YAML/.test(e.message));
    assert.throws(() => parseDomainConfig({ 'bad.com': 'selector:\n  app: 1\n' }), /selector.app must be a string/);
    assert.throws(() => parseDomainConfig({ 'bad.com': '- a\n- b\n' }), /must be empty or a YAML map/);
  });
});
