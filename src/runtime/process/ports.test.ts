import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { KObject } from '../../api/meta.js';
import { assignPorts, containerListenPort, formatPortMappings, hostPortFor, LoopbackPortAllocator, mappingsCover, parsePortMappings, portNeeds, PORTS_ANNOTATION, resolveHostPort } from './ports.js';

const pod = (containers: any[]): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers } });

describe('port mapping', () => {
  test('declared ports each get a host port; the first container gets one even without ports; UDP is skipped', () => {
    const p = pod([
      { name: 'user', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090 }, { containerPort: 53, protocol: 'UDP' }] },
      { name: 'side', ports: [{ containerPort: 8012, name: 'queue' }] },
      { name: 'quiet' },
    ]);
    const needs = portNeeds(p);
    assert.deepEqual(needs, [
      { container: 'user', name: 'http', containerPort: 8080 },
      { container: 'user', containerPort: 9090 },
      { container: 'side', name: 'queue', containerPort: 8012 },
    ]);
    const m = assignPorts(needs, [41001, 41002, 41003]);
    assert.equal(containerListenPort(m, 'user'), 41001);
    assert.equal(containerListenPort(m, 'side'), 41003);
    assert.equal(containerListenPort(m, 'quiet'), undefined);
    assert.equal(resolveHostPort(m, 'user', 8080), 41001);
    assert.equal(resolveHostPort(m, 'user', 'http'), 41001);
    assert.equal(resolveHostPort(m, 'user', 'queue'), 41003, 'names resolve pod-wide');
    assert.equal(resolveHostPort(m, 'user', 'nope'), undefined);
    assert.equal(resolveHostPort(m, 'user', 7777), 7777, 'unmapped numbers are used as is');
  });

  test('a container without declared ports maps any probe port to its PORT', () => {
    const m = assignPorts(portNeeds(pod([{ name: 'app' }])), [42000]);
    assert.deepEqual(m, [{ container: 'app', hostPort: 42000 }]);
    assert.equal(resolveHostPort(m, 'app', 8080), 42000);
  });

  test('annotation round trip, reuse check and hostPortFor', () => {
    const p = pod([{ name: 'app', ports: [{ containerPort: 8080 }] }]);
    const m = assignPorts(portNeeds(p), [43000]);
    p.metadata.annotations = { [PORTS_ANNOTATION]: formatPortMappings(m) };
    assert.deepEqual(parsePortMappings(p), m);
    assert.ok(mappingsCover(portNeeds(p), m));
    assert.ok(!mappingsCover(portNeeds(pod([{ name: 'app', ports: [{ containerPort: 9000 }] }])), m));
    assert.equal(hostPortFor(p, 8080), 43000);
    assert.equal(parsePortMappings({ ...p, metadata: { annotations: { [PORTS_ANNOTATION]: '{bad' } } }), undefined);
  });

  test('the loopback allocator never hands out a port twice and can reclaim a released one', async () => {
    const a = new LoopbackPortAllocator();
    const ports = await Promise.all([a.allocate(), a.allocate(), a.allocate()]);
    assert.equal(new Set(ports).size, 3);
    assert.equal(await a.reclaim(ports[0]), false, 'still in use by this allocator');
    a.release(ports[0]);
    assert.equal(await a.reclaim(ports[0]), true);
  });
});

describe('loopback allocator pool', () => {
  const bindable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
    });

  test('held ports are taken for everyone else; one handed out is free to bind at once; the pool refills', async () => {
    const a = new LoopbackPortAllocator(2);
    try {
      await a.warm();
      const held = a.heldPorts();
      assert.equal(held.length, 2);
      for (const p of held) assert.equal(await bindable(p), false, `held port ${p} cannot be bound by others`);
      const p = await a.allocate();
      assert.ok(held.includes(p), 'served from the pool');
      assert.ok(!a.heldPorts().includes(p));
      assert.equal(await bindable(p), true, 'the pod process can bind it');
      await a.warm();
      assert.equal(a.heldPorts().length, 2, 'refilled');
      assert.ok(!a.heldPorts().includes(p), 'a handed-out port is never pooled again while in use');
    } finally {
      a.close();
    }
  });

  test('never hands out a port twice (pool and probe paths), reclaims pooled and released ports, close frees everything', async () => {
    const a = new LoopbackPortAllocator(2);
    try {
      await a.warm();
      const ports = await Promise.all(Array.from({ length: 6 }, () => a.allocate()));
      assert.equal(new Set(ports).size, 6);
      assert.equal(await a.reclaim(ports[0]), false, 'in use');
      a.release(ports[0]);
      assert.equal(await a.reclaim(ports[0]), true, 'released ports can be claimed again');
      await a.warm();
      const pooled = a.heldPorts()[0];
      assert.equal(await a.reclaim(pooled), true, 'a held port is ours to claim');
      assert.ok(!a.heldPorts().includes(pooled));
      assert.equal(await a.allocate().then((p) => p !== pooled), true);
      await a.warm();
      const still = a.heldPorts();
      a.close();
      assert.deepEqual(a.heldPorts(), []);
      for (const p of still) assert.equal(await bindable(p), true, 'closed: held ports are free again');
    } finally {
      a.close();
    }
  });

  test('poolSize 0 probes every time', async () => {
    const a = new LoopbackPortAllocator(0);
    await a.warm();
    assert.deepEqual(a.heldPorts(), []);
    const p = await a.allocate();
    assert.ok(p > 0);
    assert.deepEqual(a.heldPorts(), []);
  });
});
