import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterLocalHostnames, validateMainToWorker, validateWorkerToMain } from './protocol.js';
import { DataPlaneProtocolError } from './errors.js';

function rejects(msg: unknown, path: string, re: RegExp): void {
  assert.throws(
    () => validateMainToWorker(msg),
    (e: unknown) => e instanceof DataPlaneProtocolError && e.code === 'SKIFF_ERR_DATAPLANE_PROTOCOL' && e.path === path && re.test(e.message),
  );
}

describe('protocol validators', () => {
  test('deltas: partial + removed keys are kept; removed without partial is rejected', () => {
    const m = validateMainToWorker({ type: 'revisions', seq: 3, partial: true, removed: ['ns/gone'], revisions: {} });
    assert.deepEqual(m, { type: 'revisions', seq: 3, revisions: {}, partial: true, removed: ['ns/gone'] });
    const full = validateMainToWorker({ type: 'services', seq: 4, services: {} });
    assert.equal('partial' in full, false);
    rejects({ type: 'hosts', seq: 5, hosts: {}, removed: ['x'] }, 'removed', /only allowed with partial/);
    rejects({ type: 'hosts', seq: 5, hosts: {}, partial: true, removed: [1] }, 'removed[0]', /string/);
  });

  test('hosts: defaults filled, splits must sum to 100', () => {
    const m = validateMainToWorker({
      type: 'hosts',
      seq: 3,
      hosts: { 'hello.default.example.com': { kind: 'route', namespace: 'default', name: 'hello', splits: [{ revision: 'hello-00001', percent: 100 }] } },
    });
    assert.equal(m.type, 'hosts');
    if (m.type !== 'hosts') return;
    assert.equal(m.hosts['hello.default.example.com']!.visibility, 'ExternalIP');
    assert.equal(m.hosts['hello.default.example.com']!.ingressKey, '');
    rejects(
      { type: 'hosts', seq: 1, hosts: { 'h.x': { kind: 'route', namespace: 'd', name: 'h', splits: [{ revision: 'a', percent: 60 }, { revision: 'b', percent: 30 }] } } },
      'hosts["h.x"].splits',
      /sum to 100, got 90/,
    );
  });
  test('hosts: upper-case or ported keys rejected, header values checked', () => {
    rejects({ type: 'hosts', seq: 1, hosts: { 'H.x': { kind: 'revision', namespace: 'd', name: 'h' } } }, 'hosts["H.x"] (key)', /lower-case/);
    rejects({ type: 'hosts', seq: 1, hosts: { 'h.x:80': { kind: 'revision', namespace: 'd', name: 'h' } } }, 'hosts["h.x:80"] (key)', /without port/);
    rejects(
      { type: 'hosts', seq: 1, hosts: { 'h.x': { kind: 'route', namespace: 'd', name: 'h', splits: [{ revision: 'a', percent: 100, headers: { X: 'a\r\nb' } }] } } },
      'hosts["h.x"].splits[0].headers["X"]',
      /CR, LF/,
    );
  });
  test('revisions: fields checked with paths, protocol defaults to http1', () => {
    const ok = validateMainToWorker({
      type: 'revisions',
      seq: 2,
      revisions: { 'default/hello-00001': { containerConcurrency: 0, timeoutSeconds: 300, mode: 'Serve', endpoints: [{ pod: 'p', port: 8080, ready: true }] } },
    });
    assert.equal(ok.type === 'revisions' && ok.revisions['default/hello-00001']!.protocol, 'http1');
    rejects(
      { type: 'revisions', seq: 2, revisions: { 'default/r': { containerConcurrency: 0, timeoutSeconds: 300, mode: 'Serve', endpoints: [{ pod: 'p', port: 0, ready: true }] } } },
      'revisions["default/r"].endpoints[0].port',
      /between 1 and 65535/,
    );
    rejects(
      { type: 'revisions', seq: 2, revisions: { 'default/r': { containerConcurrency: 0, timeoutSeconds: 300, mode: 'Maybe', endpoints: [] } } },
      'revisions["default/r"].mode',
      /"Serve", "Proxy"/,
    );
    rejects({ type: 'revisions', seq: 2, revisions: { r: { containerConcurrency: 0, timeoutSeconds: 1, mode: 'Serve', endpoints: [] } } }, 'revisions["r"]', /namespace\/name/);
  });
  test('static: only http base URLs', () => {
    rejects({ type: 'static', seq: 1, backends: { 'a.b': 'https://x' } }, 'backends["a.b"]', /only http/);
    const m = validateMainToWorker({ type: 'static', seq: 1, backends: { '*-kn-channel.*.svc.cluster.local': 'http://127.0.0.1:9/' } });
    assert.equal(m.type, 'static');
  });
  test('type and seq are required', () => {
    rejects({ type: 'nope', seq: 1 }, 'type', /one of/);
    rejects({ type: 'drain', pod: 'x' }, 'seq', /finite number/);
    rejects({ type: 'drain', seq: 1.5, pod: 'x' }, 'seq', /integer/);
  });
  test('worker → main messages', () => {
    assert.equal(validateWorkerToMain({ type: 'ack', seq: 4 }).type, 'ack');
    assert.throws(() => validateWorkerToMain({ type: 'stats', time: 1, windowMs: 1000, revisions: [{ key: 'a/b' }] }), /revisions\[0\]\.pods/);
  });
  test('cluster-local host names', () => {
    assert.deepEqual(clusterLocalHostnames('hello', 'default'), ['hello.default', 'hello.default.svc', 'hello.default.svc.cluster.local']);
  });
});
