import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { buildPodStatus, podPhase, type ContainerStatus } from './pod-status.js';

const cs = (name: string, state: any, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({ name, image: 'i', imageID: '', ready: false, started: false, restartCount: 0, state, lastState: {}, ...extra });
const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };
const exited = (code: number) => ({ terminated: { exitCode: code, reason: code ? 'Error' : 'Completed', finishedAt: '2026-01-01T00:00:01Z' } });
const spec = (restartPolicy: string, names = ['a']) => ({ restartPolicy, containers: names.map((name) => ({ name })) });

describe('podPhase (kubelet rules)', () => {
  test('waiting → Pending; running → Running', () => {
    assert.equal(podPhase(spec('Always'), [], [cs('a', { waiting: { reason: 'ContainerCreating' } })]), 'Pending');
    assert.equal(podPhase(spec('Always'), [], [cs('a', running)]), 'Running');
  });
  test('crash loop (waiting with a last termination) counts as Running', () => {
    assert.equal(podPhase(spec('Always'), [], [cs('a', { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: { terminated: exited(1).terminated } })]), 'Running');
  });
  test('all exited: Never → Succeeded/Failed, OnFailure failed → Running', () => {
    assert.equal(podPhase(spec('Never', ['a', 'b']), [], [cs('a', exited(0)), cs('b', exited(0))]), 'Succeeded');
    assert.equal(podPhase(spec('Never', ['a', 'b']), [], [cs('a', exited(0)), cs('b', exited(2))]), 'Failed');
    assert.equal(podPhase(spec('OnFailure'), [], [cs('a', exited(2))]), 'Running');
    assert.equal(podPhase(spec('OnFailure'), [], [cs('a', exited(0))]), 'Succeeded');
  });
  test('init containers: pending until done, failed init with Never fails the pod', () => {
    const s = { ...spec('Never'), initContainers: [{ name: 'init' }] };
    assert.equal(podPhase(s, [cs('init', running)], [cs('a', { waiting: { reason: 'PodInitializing' } })]), 'Pending');
    assert.equal(podPhase(s, [cs('init', exited(1))], []), 'Failed');
    assert.equal(podPhase(s, [cs('init', exited(0))], [cs('a', running)]), 'Running');
  });
});

describe('buildPodStatus', () => {
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: spec('Always', ['a', 'b']) };
  test('conditions name unready containers and keep lastTransitionTime while unchanged', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const s1 = buildPodStatus({ pod, initStatuses: [], statuses: [cs('a', running, { ready: true }), cs('b', running)], startTime: '2026-01-01T00:00:00Z', now: t0 }) as any;
    assert.equal(s1.phase, 'Running');
    assert.equal(s1.podIP, '127.0.0.1');
    const ready = s1.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual({ status: ready.status, reason: ready.reason, message: ready.message }, { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [b]' });
    assert.deepEqual(s1.conditions.map((c: any) => c.type), ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    const s2 = buildPodStatus({ pod: { ...pod, status: s1 }, initStatuses: [], statuses: [cs('a', running, { ready: true }), cs('b', running, { ready: true })], now: t0 + 5000 }) as any;
    const r2 = s2.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(r2.status, 'True');
    assert.equal(r2.lastTransitionTime, '2026-01-01T00:00:05Z');
    assert.equal(s2.conditions.find((c: any) => c.type === 'PodScheduled').lastTransitionTime, '2026-01-01T00:00:00Z');
  });
});
