import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.js';
import { FakeClock } from './clock.js';
import { ApiEventRecorder, EVENTS_GR, FakeEventRecorder } from './events.js';
import { MemoryLogger } from './logger.js';
import { FakeApiClient } from './testing/fake-client.js';

const rev: KObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Revision',
  metadata: { name: 'hello-00001', namespace: 'default', uid: 'uid-1', resourceVersion: '7' },
};

function setup() {
  const clock = new FakeClock();
  const client = new FakeApiClient({ clock });
  const logger = new MemoryLogger();
  const rec = new ApiEventRecorder(client, { component: 'revision-controller', host: 'skiff-0', clock, logger });
  return { clock, client, logger, rec };
}

describe('ApiEventRecorder', () => {
  test('writes a v1 Event kubectl describe can show', async () => {
    const { client, rec } = setup();
    rec.event(rev, 'Warning', 'InternalError', 'failed to create deployment');
    await rec.flush();
    const [ev] = client.all(EVENTS_GR);
    assert.match(ev.metadata.name!, /^hello-00001\.[0-9a-f]+$/);
    const { metadata: _m, ...rest } = ev;
    assert.equal(ev.metadata.namespace, 'default');
    assert.deepEqual(rest, {
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'hello-00001', namespace: 'default', uid: 'uid-1', resourceVersion: '7' },
      reason: 'InternalError',
      message: 'failed to create deployment',
      type: 'Warning',
      source: { component: 'revision-controller', host: 'skiff-0' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:00Z',
      count: 1,
      reportingComponent: 'revision-controller',
      reportingInstance: 'skiff-0',
    });
  });

  test('identical repeats bump count and lastTimestamp on the same Event; different ones create new Events', async () => {
    const { client, rec, clock } = setup();
    rec.event(rev, 'Normal', 'Created', 'Created Deployment "hello-00001-deployment"');
    clock.advance(5000);
    rec.event(rev, 'Normal', 'Created', 'Created Deployment "hello-00001-deployment"');
    rec.event(rev, 'Normal', 'Created', 'Created Deployment "hello-00001-deployment"');
    rec.eventf(rev, 'Normal', 'Created', 'Created %s %q', 'Service', 'hello-00001');
    await rec.flush();
    const events = client.all(EVENTS_GR);
    assert.equal(events.length, 2);
    const dep = events.find((e) => e.message.includes('Deployment'))!;
    assert.equal(dep.count, 3);
    assert.equal(dep.firstTimestamp, '2024-01-01T00:00:00Z');
    assert.equal(dep.lastTimestamp, '2024-01-01T00:00:05Z');
    assert.equal(events.find((e) => e.message === 'Created Service "hello-00001"')!.count, 1);
    assert.equal(client.patches(EVENTS_GR).length, 2);
  });

  test('when the earlier Event is gone (404 on patch) a new one is created with count 1', async () => {
    const { client, rec } = setup();
    rec.event(rev, 'Warning', 'Failed', 'x');
    await rec.flush();
    const [ev] = client.all(EVENTS_GR);
    await client.delete(EVENTS_GR, ev.metadata.namespace!, ev.metadata.name!);
    rec.event(rev, 'Warning', 'Failed', 'x');
    await rec.flush();
    const now = client.all(EVENTS_GR);
    assert.equal(now.length, 1);
    assert.notEqual(now[0].metadata.name, ev.metadata.name);
    assert.equal(now[0].count, 1);
  });

  test('API failures are logged, never thrown at the caller', async () => {
    const { client, rec, logger } = setup();
    client.induceFailure('create', EVENTS_GR);
    assert.doesNotThrow(() => rec.event(rev, 'Normal', 'Created', 'x'));
    await rec.flush();
    assert.ok(logger.entries.some((e) => e.level === 'error' && e.msg === 'failed to write event' && String(e.fields?.error).includes('inducing failure')));
    assert.doesNotThrow(() => rec.event({ apiVersion: 'v1', kind: 'Broken' } as KObject, 'Normal', 'R', 'm'), 'even for a malformed object');
    await rec.flush();
  });

  test('cluster-scoped objects get their events in the default namespace; long messages are cut', async () => {
    const { client, rec } = setup();
    const ns: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'u' } };
    rec.event(ns, 'Normal', 'Seen', 'x'.repeat(5000));
    await rec.flush();
    const [ev] = client.all(EVENTS_GR);
    assert.equal(ev.metadata.namespace, 'default');
    assert.equal('namespace' in ev.involvedObject, false);
    assert.equal(ev.message.length, 1024);
    assert.ok(ev.message.endsWith('...'));
  });
});

test('FakeEventRecorder keeps "<Type> <Reason> <message>" strings', () => {
  const r = new FakeEventRecorder();
  r.eventf(rev, 'Warning', 'InternalError', 'failed: %v', new Error('boom'));
  assert.deepEqual(r.events, ['Warning InternalError failed: boom']);
});
