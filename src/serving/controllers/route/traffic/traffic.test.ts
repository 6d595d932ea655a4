import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../../api/meta.js';
import { routingConfigFromData } from '../config-store.js';
import { configuration, revision, route } from '../testing/fixtures.js';
import { buildTrafficConfig, revisionTrafficTargets, targetErrorMessage, trafficNames, type TrafficLookup } from './traffic.js';

function lookup(...objs: KObject[]): TrafficLookup {
  const by = (kind: string) => new Map(objs.filter((o) => o.kind === kind).map((o) => [o.metadata.name!, o]));
  const cfgs = by('Configuration');
  const revs = by('Revision');
  return { configuration: (n) => cfgs.get(n), revision: (n) => revs.get(n) };
}

const cfg = routingConfigFromData({ domain: { 'example.com': '' } });
const shape = (m: Map<string, Array<{ revisionName: string; percent: number }>>) => Object.fromEntries([...m].map(([k, v]) => [k, v.map((t) => `${t.revisionName}=${t.percent}`)]));

describe('traffic resolution (traffic.go)', () => {
  test('configurationName resolves to latestReadyRevisionName; revisionName to itself; per-host splits consolidate', () => {
    const r = route('hello', [
      { configurationName: 'hello', percent: 50 },
      { revisionName: 'hello-00001', percent: 50 },
    ]);
    const { config, targetError } = buildTrafficConfig(r, lookup(configuration('hello', { latestReady: 'hello-00001' }), revision('hello-00001')));
    assert.equal(targetError, undefined);
    // Status keeps both entries (they differ in latestRevision); the default host gets one revision at 100 %.
    assert.deepEqual(
      config.revisionTargets.map((t) => `${t.revisionName}:${t.percent}:${t.latestRevision}:${t.configurationName}`),
      ['hello-00001:50:true:hello', 'hello-00001:50:false:hello'],
    );
    assert.deepEqual(shape(config.targets), { '': ['hello-00001=100'] });
    assert.deepEqual([...config.configurations.keys()], ['hello']);
  });

  test('identical (tag, revision, latestRevision) entries are summed; tags get their own 100 % target; 0 % tags are dark launches', () => {
    const r = route('hello', [
      { revisionName: 'hello-00002', percent: 45 },
      { revisionName: 'hello-00002', percent: 45 },
      { revisionName: 'hello-00001', percent: 10, tag: 'old' },
      { configurationName: 'hello', percent: 0, tag: 'staging' },
    ]);
    const { config } = buildTrafficConfig(
      r,
      lookup(configuration('hello', { latestReady: 'hello-00003' }), revision('hello-00001'), revision('hello-00002'), revision('hello-00003')),
    );
    assert.deepEqual(config.revisionTargets.map((t) => `${t.tag}/${t.revisionName}=${t.percent}`), ['/hello-00002=90', 'old/hello-00001=10', 'staging/hello-00003=0']);
    assert.deepEqual(shape(config.targets), { '': ['hello-00002=90', 'hello-00001=10', 'hello-00003=0'], old: ['hello-00001=100'], staging: ['hello-00003=100'] });
    assert.deepEqual(trafficNames(r), ['', 'old', 'staging']);
  });

  test('waiting: a configuration without a ready revision, or a revision not yet ready → Unknown, nothing assigned', () => {
    const r = route('hello', [{ configurationName: 'hello', percent: 100 }]);
    let res = buildTrafficConfig(r, lookup(configuration('hello')));
    assert.deepEqual(res.targetError, { kind: 'unreadyConfiguration', name: 'hello', isFailure: false });
    assert.equal(res.config.targets.size, 0);
    res = buildTrafficConfig(r, lookup(configuration('hello', { latestReady: 'hello-00001' }), revision('hello-00001', { ready: 'Unknown' })));
    assert.deepEqual(res.targetError, { kind: 'unreadyRevision', name: 'hello-00001', isFailure: false });
    // A Ready revision whose current generation was not observed yet is not ready either.
    res = buildTrafficConfig(r, lookup(configuration('hello', { latestReady: 'hello-00001' }), revision('hello-00001', { generation: 2, observedGeneration: 1 })));
    assert.equal(res.targetError?.kind, 'unreadyRevision');
  });

  test('failures: failed configuration / revision, missing targets (tracked), a failure beats an earlier wait', () => {
    const failedCfg = buildTrafficConfig(route('r', [{ configurationName: 'c', percent: 100 }]), lookup(configuration('c', { ready: 'False' })));
    assert.deepEqual(failedCfg.targetError, { kind: 'unreadyConfiguration', name: 'c', isFailure: true });
    const failedRev = buildTrafficConfig(route('r', [{ revisionName: 'c-00001', percent: 100 }]), lookup(revision('c-00001', { ready: 'False' }), configuration('c')));
    assert.deepEqual(failedRev.targetError, { kind: 'unreadyRevision', name: 'c-00001', isFailure: true });
    const mixed = buildTrafficConfig(
      route('r', [
        { revisionName: 'c-00001', percent: 50 },
        { configurationName: 'gone', percent: 50 },
      ]),
      lookup(revision('c-00001', { ready: 'Unknown' }), configuration('c')),
    );
    assert.deepEqual(mixed.targetError, { kind: 'missing', targetKind: 'Configuration', name: 'gone', isFailure: true });
    assert.deepEqual(mixed.config.missingTargets, [{ kind: 'Configuration', name: 'gone' }]);
    assert.equal(targetErrorMessage(mixed.targetError!), 'Configuration "gone" referenced in traffic not found');
  });

  test("a failed new revision never gets traffic: the configuration's latest ready revision stays the old one", () => {
    const r = route('hello', [{ configurationName: 'hello', percent: 100 }]);
    const { config, targetError } = buildTrafficConfig(
      r,
      lookup(configuration('hello', { latestReady: 'hello-00001', latestCreated: 'hello-00002', ready: 'False' }), revision('hello-00001'), revision('hello-00002', { ready: 'False' })),
    );
    assert.equal(targetError, undefined);
    assert.deepEqual(shape(config.targets), { '': ['hello-00001=100'] });
  });

  test('Service-owned routes may only use revisions of the same Service', () => {
    const r = route('hello', [{ revisionName: 'other-00001', percent: 100 }], { labels: { 'serving.knative.dev/service': 'hello' } });
    const foreign = buildTrafficConfig(r, lookup(revision('other-00001', { service: 'other' })));
    assert.deepEqual(foreign.targetError, { kind: 'revisionNotOwned', revisionName: 'other-00001', expectedService: 'hello', actualService: 'other', isFailure: true });
    const standalone = buildTrafficConfig(r, lookup(revision('other-00001')));
    assert.equal(targetErrorMessage(standalone.targetError!), 'Revision "other-00001" does not belong to Service "hello"');
    const own = buildTrafficConfig(r, lookup(revision('other-00001', { service: 'hello' }), configuration('other')));
    assert.equal(own.targetError, undefined);
  });

  test('status traffic names revisions only, with URLs for tags (cluster-local tags get cluster-local URLs)', () => {
    const r = route('hello', [
      { configurationName: 'hello', percent: 100 },
      { revisionName: 'hello-00001', percent: 0, tag: 'old' },
      { revisionName: 'hello-00001', percent: 0, tag: 'hidden' },
    ]);
    const { config } = buildTrafficConfig(r, lookup(configuration('hello', { latestReady: 'hello-00002' }), revision('hello-00001'), revision('hello-00002')));
    const vis = new Map([
      ['', 'ExternalIP' as const],
      ['old', 'ExternalIP' as const],
      ['hidden', 'ClusterLocal' as const],
    ]);
    assert.deepEqual(revisionTrafficTargets(cfg, r, config, vis, { configurations: [] }), [
      { revisionName: 'hello-00002', latestRevision: true, percent: 100 },
      { tag: 'old', revisionName: 'hello-00001', latestRevision: false, percent: 0, url: 'http://old-hello.default.example.com' },
      { tag: 'hidden', revisionName: 'hello-00001', latestRevision: false, percent: 0, url: 'http://hidden-hello.default.svc.cluster.local' },
    ]);
  });
});
