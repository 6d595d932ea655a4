// Revision GC: config-gc parsing, the pure plan, and the reconciler as a table.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { configStatus, configuration } from '../configuration/fixtures.js';
import { GR } from '../names.js';
import { configMap, NS, revision, withAnnotation, withCreationTimestamp, withLabel, withRoutingState } from '../revision/fixtures.js';
import { planRevisionGc } from './collect.js';
import { DEFAULT_GC_CONFIG, DISABLED, parseGcConfig } from './config.js';
import { newRevisionGcReconciler } from './reconciler.js';

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2024, 0, 1);
const NOW = DAY0 + 10 * 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const KEY = `${NS}/hello`;

/** Revision n of hello, created n hours after DAY0, retired (`reserve`) at `retiredAt`. */
function rev(n: number, o: { state?: string; retiredAt?: number; createdAt?: number } = {}, ...extra: Parameters<typeof revision>[1][]): KObject {
  const name = `hello-${String(n).padStart(5, '0')}`;
  const created = o.createdAt ?? DAY0 + n * HOUR;
  return revision(
    name,
    withLabel('serving.knative.dev/configurationGeneration', String(n)),
    withCreationTimestamp(iso(created)),
    withRoutingState(o.state ?? 'reserve', iso(o.retiredAt ?? created + HOUR)),
    ...extra,
  );
}

const cfg = (latest = 'hello-00005', created = latest) => configuration('hello', { generation: 5, status: configStatus({ created, ready: latest, gen: 5 }) });
const gcMap = (data: Record<string, string>) => configMap('config-gc', data);
const five = () => [rev(1), rev(2), rev(3), rev(4), rev(5, { state: 'active' })];

describe('config-gc', () => {
  test('defaults as Knative', () => {
    assert.deepEqual(parseGcConfig({}), DEFAULT_GC_CONFIG);
    assert.deepEqual(parseGcConfig({}), { retainSinceCreateTimeMs: 48 * HOUR, retainSinceLastActiveTimeMs: 15 * HOUR, minNonActiveRevisions: 20, maxNonActiveRevisions: 1000 });
  });
  test('"disabled" and explicit values', () => {
    assert.deepEqual(
      parseGcConfig({ 'retain-since-create-time': 'disabled', 'retain-since-last-active-time': '1h30m', 'min-non-active-revisions': '0', 'max-non-active-revisions': 'Disabled' }),
      { retainSinceCreateTimeMs: DISABLED, retainSinceLastActiveTimeMs: 1.5 * HOUR, minNonActiveRevisions: 0, maxNonActiveRevisions: DISABLED },
    );
  });
  test('bad values name the key', () => {
    assert.throws(() => parseGcConfig({ 'retain-since-create-time': 'two days' }), /config-gc: retain-since-create-time: invalid duration/);
    assert.throws(() => parseGcConfig({ 'min-non-active-revisions': '-1' }), /min-non-active-revisions: invalid value "-1"/);
    assert.throws(() => parseGcConfig({ 'min-non-active-revisions': 'disabled' }), /min-non-active-revisions/);
    assert.throws(() => parseGcConfig({ 'min-non-active-revisions': '5', 'max-non-active-revisions': '2' }), /must be <= max-non-active-revisions\(2\)/);
  });
});

describe('planRevisionGc', () => {
  const c = { ...DEFAULT_GC_CONFIG, minNonActiveRevisions: 1 };
  test('stale reserve revisions go, oldest first, keeping min-non-active', () => {
    assert.deepEqual(planRevisionGc(cfg(), five(), c, NOW), { delete: ['hello-00001', 'hello-00002', 'hello-00003'] });
  });
  test('never: latest ready, latest created, routed, pending, no-gc', () => {
    const revs = [
      rev(1, { state: 'active' }),
      rev(2, { state: 'pending' }),
      rev(3, {}, withAnnotation('serving.knative.dev/no-gc', 'True')),
      rev(4, {}, withLabel('serving.knative.dev/routingState', undefined)),
      rev(5),
      rev(6),
    ];
    assert.deepEqual(planRevisionGc(cfg('hello-00005', 'hello-00006'), revs, { ...c, minNonActiveRevisions: 0 }, NOW), { delete: [] });
  });
  test('young or recently active revisions stay, and the plan says when to look again', () => {
    const revs = [rev(1, { createdAt: NOW - HOUR }), rev(2, { retiredAt: NOW - 2 * HOUR }), rev(3), rev(5, { state: 'active' })];
    const plan = planRevisionGc(cfg(), revs, { ...c, minNonActiveRevisions: 0 }, NOW);
    assert.deepEqual(plan.delete, ['hello-00003']);
    assert.equal(plan.recheckAfterMs, 13 * HOUR, 'hello-00002 was active 2 h ago: stale 15 h after that');
  });
  test('max-non-active-revisions removes the oldest even when not stale', () => {
    const young = (n: number) => rev(n, { createdAt: NOW - HOUR, retiredAt: NOW - HOUR + n });
    const revs = [young(1), young(2), young(3), young(4), rev(5, { state: 'active' })];
    assert.deepEqual(planRevisionGc(cfg(), revs, { ...DEFAULT_GC_CONFIG, minNonActiveRevisions: 0, maxNonActiveRevisions: 1 }, NOW).delete, ['hello-00001', 'hello-00002', 'hello-00003']);
  });
  test('everything disabled: nothing, ever', () => {
    const off = { retainSinceCreateTimeMs: DISABLED, retainSinceLastActiveTimeMs: DISABLED, minNonActiveRevisions: 0, maxNonActiveRevisions: DISABLED };
    assert.deepEqual(planRevisionGc(cfg(), five(), off, NOW), { delete: [] });
  });
  test('only one age bound: the other is ignored', () => {
    const revs = [rev(1, { createdAt: NOW - HOUR, retiredAt: NOW - 30 * HOUR }), rev(5, { state: 'active' })];
    const lastActiveOnly = { ...DEFAULT_GC_CONFIG, retainSinceCreateTimeMs: DISABLED, minNonActiveRevisions: 0 };
    assert.deepEqual(planRevisionGc(cfg(), revs, lastActiveOnly, NOW).delete, ['hello-00001']);
    assert.deepEqual(planRevisionGc(cfg(), revs, { ...lastActiveOnly, retainSinceCreateTimeMs: 48 * HOUR }, NOW).delete, []);
  });
  test('revisions of other configurations and ones already being deleted are not counted', () => {
    const other = revision('other-00001', withRoutingState('reserve', iso(DAY0)));
    const going = rev(2);
    going.metadata.deletionTimestamp = iso(NOW);
    assert.deepEqual(planRevisionGc(cfg(), [other, rev(1), going, rev(5, { state: 'active' })], { ...c, minNonActiveRevisions: 0 }, NOW).delete, ['hello-00001']);
  });
});

const rows: TableRow[] = [
  { name: 'key no longer exists: nothing to do', key: KEY },
  { name: 'default config-gc keeps 20 non-active revisions: nothing deleted', key: KEY, objects: [cfg(), ...five()] },
  {
    name: 'min-non-active-revisions 1: the three oldest stale revisions are deleted',
    key: KEY,
    objects: [cfg(), ...five(), gcMap({ 'min-non-active-revisions': '1' })],
    wantDeletes: [
      { namespace: NS, name: 'hello-00001' },
      { namespace: NS, name: 'hello-00002' },
      { namespace: NS, name: 'hello-00003' },
    ],
  },
  {
    name: 'not stale yet: nothing deleted, come back when the first one is',
    key: KEY,
    objects: [cfg(), rev(1, { retiredAt: NOW - 14 * HOUR }), rev(5, { state: 'active' }), gcMap({ 'min-non-active-revisions': '0' })],
    wantRequeueAfterMs: HOUR,
  },
  {
    name: 'a delete fails: error for retry after trying the others',
    key: KEY,
    objects: [cfg(), ...five(), gcMap({ 'min-non-active-revisions': '2' })],
    withClient: (c) => c.induceFailure('delete', GR.revisions, { times: 1 }),
    wantErr: 'failed to garbage-collect revisions of "default/hello": hello-00001: inducing failure for delete revisions',
    wantDeletes: [
      { namespace: NS, name: 'hello-00001' },
      { namespace: NS, name: 'hello-00002' },
    ],
    wantEvents: ['Warning InternalError failed to garbage-collect revisions of "default/hello": hello-00001: inducing failure for delete revisions'],
  },
  {
    name: 'an invalid config-gc keeps the defaults (nothing deleted), never crashes',
    key: KEY,
    objects: [cfg(), ...five(), gcMap({ 'min-non-active-revisions': 'lots' })],
  },
];

describe('Revision GC reconciler (table)', () => {
  runTable(rows, (ctx) => newRevisionGcReconciler(ctx), { now: NOW });
});
