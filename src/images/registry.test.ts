import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { builtinImageArgv, listBuiltinImages, normalizeImageRef, resolveBuiltinImage } from './registry.js';

describe('normalizeImageRef', () => {
  test('strips tags, digests, Docker Hub hosts and library/', () => {
    const cases: Array<[string, string]> = [
      ['ikubernetes/helloworld-go:latest', 'ikubernetes/helloworld-go'],
      ['docker.io/ikubernetes/helloworld-go', 'ikubernetes/helloworld-go'],
      ['index.docker.io/ikubernetes/helloworld-go:v1@sha256:0123abcd', 'ikubernetes/helloworld-go'],
      ['gcr.io/knative-samples/helloworld-go@sha256:5ea96ba4b872685ff4ddb5cd8d1a97ec18c18fae79ee8df0d29f446c5efe5f50', 'gcr.io/knative-samples/helloworld-go'],
      ['docker.io/library/busybox:1.36', 'busybox'],
      ['localhost:5000/team/app', 'localhost:5000/team/app'],
      ['localhost:5000/team/app:v2', 'localhost:5000/team/app'],
      ['  IKUBERNETES/Event_Display ', 'ikubernetes/event_display'],
    ];
    for (const [input, want] of cases) assert.equal(normalizeImageRef(input), want, input);
  });
});

describe('resolveBuiltinImage', () => {
  const expected: Record<string, string> = {
    'ikubernetes/helloworld-go': 'helloworld',
    'gcr.io/knative-samples/helloworld-go': 'helloworld',
    'gcr.io/knative-samples/helloworld-nodejs:latest': 'helloworld',
    'ghcr.io/knative/helloworld-go:latest': 'helloworld',
    'gcr.io/knative-samples/autoscale-go:0.1': 'autoscale-go',
    'ghcr.io/knative/autoscale-go': 'autoscale-go',
    'ikubernetes/event_display': 'event-display',
    'gcr.io/knative-releases/knative.dev/eventing/cmd/event_display': 'event-display',
    'gcr.io/knative-releases/knative.dev/eventing-contrib/cmd/event_display@sha256:46d5a66f300c3ff3d7d70abc7c1e3e6fe5c4c7e8b2b0aa7d5c7f4b4d5d0d5a7f': 'event-display',
    'ikubernetes/appender': 'appender',
    'villardl/filter-nodejs:0.1': 'filter-nodejs',
    'ikubernetes/containersource-heartbeats:latest': 'heartbeats',
    'ikubernetes/admin-box:v1.2': 'admin-box',
  };

  test('every image of the seed resolves to its built-in program', () => {
    for (const [ref, name] of Object.entries(expected)) assert.equal(resolveBuiltinImage(ref)?.name, name, ref);
  });

  test('unknown images resolve to undefined', () => {
    assert.equal(resolveBuiltinImage('nginx:1.25'), undefined);
    assert.equal(resolveBuiltinImage('ikubernetes/helloworld-go-other'), undefined);
    assert.equal(resolveBuiltinImage(''), undefined);
  });

  test('commands run the compiled program with this node', () => {
    const names = listBuiltinImages().map((i) => i.name);
    assert.deepEqual(names, ['helloworld', 'autoscale-go', 'event-display', 'appender', 'filter-nodejs', 'heartbeats', 'admin-box']);
    for (const image of listBuiltinImages()) {
      assert.equal(image.command[0], process.execPath);
      assert.match(image.command[1]!, new RegExp(`/dist/src/images/${image.name}/main\\.cjs$`));
      assert.ok(existsSync(image.command[1]!), image.command[1]);
      assert.ok(image.description.length > 10);
      assert.ok(Object.isFrozen(image));
    }
  });
});

describe('builtinImageArgv', () => {
  test('admin-box passes the container command and args through', () => {
    const box = resolveBuiltinImage('ikubernetes/admin-box')!;
    assert.equal(box.passthroughCommand, true);
    assert.deepEqual(builtinImageArgv(box, { args: ['curl', '-s', 'hello.default'] }).slice(2), ['curl', '-s', 'hello.default']);
    assert.deepEqual(builtinImageArgv(box, { command: ['/bin/sh'], args: ['-c', 'echo hi'] }).slice(2), ['/bin/sh', '-c', 'echo hi']);
    assert.deepEqual(builtinImageArgv(box, {}).slice(2), []);
  });

  test('other images get only the container args (flags for the sample program)', () => {
    const hb = resolveBuiltinImage('ikubernetes/containersource-heartbeats')!;
    assert.equal(hb.passthroughCommand, undefined);
    assert.deepEqual(builtinImageArgv(hb, { command: ['/ko-app/heartbeats'], args: ['--period=1'] }), [...hb.command, '--period=1']);
  });
});
