import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVING_CONFIG_MAPS } from './bootstrap.js';
import { DEFAULT_NETWORK_CONFIG, NetworkConfigError, parseNetworkConfig } from './network.js';

const tv = { Name: 'hello', Namespace: 'default', Domain: 'example.com', Annotations: undefined, Labels: undefined };

describe('config-network', () => {
  test("defaults match Knative's (and the bootstrap map, which only has _example)", () => {
    for (const cfg of [DEFAULT_NETWORK_CONFIG, parseNetworkConfig(SERVING_CONFIG_MAPS['config-network'])]) {
      assert.equal(cfg.domainTemplate.source, '{{.Name}}.{{.Namespace}}.{{.Domain}}');
      assert.equal(cfg.tagTemplate.source, '{{.Tag}}-{{.Name}}');
      assert.equal(cfg.rolloutDurationSecs, 0);
      assert.equal(cfg.autocreateClusterDomainClaims, false);
      assert.equal(cfg.defaultExternalScheme, 'http');
      assert.equal(cfg.httpProtocol, 'Enabled');
      assert.equal(cfg.ingressClass, 'istio.ingress.networking.knative.dev');
      assert.equal(cfg.externalDomainTLS, false);
      assert.deepEqual(cfg.warnings, []);
    }
  });

  test('templates, rollout-duration, autocreate, scheme and http-protocol are read', () => {
    const cfg = parseNetworkConfig({
      'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}',
      'tag-template': '{{.Name}}-{{.Tag}}',
      'rollout-duration': '380',
      'autocreate-cluster-domain-claims': 'true',
      'default-external-scheme': 'https',
      'http-protocol': 'Redirected',
    });
    assert.equal(cfg.domainTemplate.execute(tv), 'hello-default.example.com');
    assert.equal(cfg.tagTemplate.execute({ Name: 'hello', Tag: 'v2' }), 'hello-v2');
    assert.equal(cfg.rolloutDurationSecs, 380);
    assert.equal(cfg.autocreateClusterDomainClaims, true);
    assert.equal(cfg.defaultExternalScheme, 'https');
    assert.equal(cfg.httpProtocol, 'Redirected');
  });

  test('legacy camelCase keys work, the kebab-case key wins when both are set; "380s" is accepted for rollout-duration', () => {
    const cfg = parseNetworkConfig({ rolloutDuration: '60', 'rollout-duration': '380s', autocreateClusterDomainClaims: 'True', domainTemplate: '{{.Name}}.{{.Domain}}' });
    assert.equal(cfg.rolloutDurationSecs, 380);
    assert.equal(cfg.autocreateClusterDomainClaims, true);
    assert.equal(cfg.domainTemplate.execute(tv), 'hello.example.com');
    assert.equal(parseNetworkConfig({ 'rollout-duration': '2m30s' }).rolloutDurationSecs, 150);
  });

  test('a domain template with a path, or one that does not execute, is rejected naming the key', () => {
    assert.throws(
      () => parseNetworkConfig({ 'domain-template': '{{.Name}}.{{.Domain}}/path' }),
      (e: unknown) => e instanceof NetworkConfigError && e.key === 'domain-template' && /url path: \/path/.test(e.message),
    );
    assert.throws(() => parseNetworkConfig({ 'domain-template': '{{.Nope}}.{{.Domain}}' }), /can't evaluate field Nope/);
    assert.throws(() => parseNetworkConfig({ 'domain-template': '{{.Name' }), /domain-template.*unclosed action/);
    assert.throws(() => parseNetworkConfig({ 'tag-template': '{{.Domain}}-{{.Name}}' }), (e: unknown) => e instanceof NetworkConfigError && e.key === 'tag-template');
  });

  test('bad scalar values are rejected with the key in the message; unknown keys give a hint', () => {
    assert.throws(() => parseNetworkConfig({ 'rollout-duration': '-5' }), /rollout-duration: must be a non-negative integer/);
    assert.throws(() => parseNetworkConfig({ 'rollout-duration': 'soon' }), /rollout-duration: invalid value "soon"/);
    assert.throws(() => parseNetworkConfig({ 'autocreate-cluster-domain-claims': 'yes' }), /autocreate-cluster-domain-claims: invalid boolean "yes"/);
    assert.throws(() => parseNetworkConfig({ 'http-protocol': 'Sometimes' }), /http-protocol.*not supported/);
    assert.deepEqual(parseNetworkConfig({ 'domain-templat': 'x', _example: 'doc' }).warnings, ['config-network: unknown key "domain-templat" ignored']);
  });
});
