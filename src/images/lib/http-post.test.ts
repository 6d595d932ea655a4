import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyFor } from './http-post.cjs';

test('proxyFor honours http_proxy/HTTP_PROXY and NO_PROXY like curl', () => {
  const env = { HTTP_PROXY: 'http://127.0.0.1:8080', NO_PROXY: '127.0.0.1,localhost,.internal' };
  assert.equal(proxyFor(new URL('http://event-display.default.svc.cluster.local/'), env)?.href, 'http://127.0.0.1:8080/');
  assert.equal(proxyFor(new URL('http://127.0.0.1:9999/'), env), undefined);
  assert.equal(proxyFor(new URL('http://localhost/'), env), undefined);
  assert.equal(proxyFor(new URL('http://a.internal/'), env), undefined);
  assert.equal(proxyFor(new URL('https://example.com/'), env), undefined, 'https goes direct');
  assert.equal(proxyFor(new URL('http://x/'), {}), undefined);
  assert.equal(proxyFor(new URL('http://x/'), { http_proxy: '127.0.0.1:1' })?.port, '1');
  assert.equal(proxyFor(new URL('http://x/'), { HTTP_PROXY: 'http://p:1', NO_PROXY: '*' }), undefined);
});
