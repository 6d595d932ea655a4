import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { KnError } from '../../knative-format.js';
import { computeTraffic, splitRef, type TrafficFlags, type TrafficTarget } from './traffic.js';

function service(spec: TrafficTarget[], status: TrafficTarget[] = [], latestReady = ''): KObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { traffic: spec },
    status: { traffic: status, latestReadyRevisionName: latestReady },
  };
}

const flags = (f: Partial<TrafficFlags>): TrafficFlags => ({ traffic: [], tags: [], untags: [], ...f });
const REVS = new Set(['hello-00001', 'hello-00002', 'hello-00003']);

// The seed's state before its traffic commands: @latest tagged staging at 0%, 00002 at 90%, 00001 at 10%.
const SEED_SPEC: TrafficTarget[] = [
  { latestRevision: true, percent: 0, tag: 'staging' },
  { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
  { revisionName: 'hello-00001', latestRevision: false, percent: 10 },
];
const SEED_STATUS: TrafficTarget[] = [
  { revisionName: 'hello-00003', latestRevision: true, percent: 0, tag: 'staging' },
  { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
  { revisionName: 'hello-00001', latestRevision: false, percent: 10 },
];

describe('traffic flags → spec.traffic (kn traffic.Compute)', () => {
  const cases: Array<{ name: string; svc: KObject; f: Partial<TrafficFlags>; mutation?: boolean; verb?: 'create' | 'update'; want: TrafficTarget[] }> = [
    {
      name: 'explicit split replaces the old one; untagged 0% targets disappear',
      svc: service([{ latestRevision: true, percent: 100 }]),
      f: { traffic: ['hello-world=90', 'hello-world-002=10'] },
      want: [
        { revisionName: 'hello-world', latestRevision: false, percent: 90 },
        { revisionName: 'hello-world-002', latestRevision: false, percent: 10 },
      ],
    },
    {
      name: '@latest=50 and a tag reference (the tag wins over a revision name)',
      svc: service(SEED_SPEC, SEED_STATUS, 'hello-00003'),
      f: { traffic: ['@latest=50', 'hello-00002=50'] },
      want: [
        { latestRevision: true, percent: 50, tag: 'staging' },
        { revisionName: 'hello-00002', latestRevision: false, percent: 50 },
      ],
    },
    {
      name: 'percent by tag',
      svc: service(SEED_SPEC, SEED_STATUS, 'hello-00003'),
      f: { traffic: ['staging=20', 'hello-00002=80'] },
      want: [
        { latestRevision: true, percent: 20, tag: 'staging' },
        { revisionName: 'hello-00002', latestRevision: false, percent: 80 },
      ],
    },
    {
      name: 'auto remainder: the one routed revision left out gets 100 - sum',
      svc: service(SEED_SPEC, SEED_STATUS, 'hello-00003'),
      f: { traffic: ['hello-00003=10', 'hello-00002=60'] },
      want: [
        { latestRevision: true, percent: 0, tag: 'staging' },
        { revisionName: 'hello-00002', latestRevision: false, percent: 60 },
        { revisionName: 'hello-00001', latestRevision: false, percent: 30 },
        { revisionName: 'hello-00003', latestRevision: false, percent: 10 },
      ],
    },
    {
      name: 'auto remainder with @latest counts the latest ready revision as given',
      svc: service(
        [
          { latestRevision: true, percent: 60 },
          { revisionName: 'hello-00001', latestRevision: false, percent: 40 },
        ],
        [
          { revisionName: 'hello-00002', latestRevision: true, percent: 60 },
          { revisionName: 'hello-00001', latestRevision: false, percent: 40 },
        ],
        'hello-00002',
      ),
      f: { traffic: ['@latest=75'] },
      want: [
        { latestRevision: true, percent: 75 },
        { revisionName: 'hello-00001', latestRevision: false, percent: 25 },
      ],
    },
    {
      name: 'with a template change pending the remainder goes to @latest',
      svc: service([{ revisionName: 'hello-00001', latestRevision: false, percent: 100 }], [{ revisionName: 'hello-00001', latestRevision: false, percent: 100 }]),
      f: { traffic: ['hello-00001=80'] },
      mutation: true,
      want: [
        { revisionName: 'hello-00001', latestRevision: false, percent: 80 },
        { latestRevision: true, percent: 20 },
      ],
    },
    {
      name: 'tag a revision (and keep the split); a tagged 0% target stays',
      svc: service(
        [
          { latestRevision: true, percent: 50 },
          { revisionName: 'hello-00002', latestRevision: false, percent: 50 },
        ],
        [],
      ),
      f: { tags: ['hello-00001=oldtest'] },
      want: [
        { latestRevision: true, percent: 50 },
        { revisionName: 'hello-00002', latestRevision: false, percent: 50 },
        { tag: 'oldtest', revisionName: 'hello-00001', latestRevision: false, percent: 0 },
      ],
    },
    {
      name: 'a second tag on an already tagged revision adds a target',
      svc: service([{ revisionName: 'hello-00001', latestRevision: false, percent: 100, tag: 'a' }]),
      f: { tags: ['hello-00001=b'] },
      want: [
        { revisionName: 'hello-00001', latestRevision: false, percent: 100, tag: 'a' },
        { tag: 'b', revisionName: 'hello-00001', latestRevision: false, percent: 0 },
      ],
    },
    {
      name: 'untag then retag @latest; a bare TAG means @latest',
      svc: service(SEED_SPEC, SEED_STATUS),
      f: { untags: ['staging'], tags: ['current'] },
      want: [
        { latestRevision: true, percent: 0, tag: 'current' },
        { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
        { revisionName: 'hello-00001', latestRevision: false, percent: 10 },
      ],
    },
    {
      name: 'untag drops a 0% target entirely',
      svc: service(SEED_SPEC, SEED_STATUS),
      f: { untags: ['staging'] },
      want: [
        { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
        { revisionName: 'hello-00001', latestRevision: false, percent: 10 },
      ],
    },
    {
      name: 'create with --tag routes 100% to @latest',
      svc: service([]),
      f: { tags: ['@latest=current'] },
      verb: 'create',
      want: [{ tag: 'current', latestRevision: true, percent: 100 }],
    },
    {
      name: "the seed's `--traffic hello-00003=10 --traffic hello-00002=90 --traffic hello-00001`: the bare REF gets the rest (0%)",
      svc: service(SEED_SPEC, SEED_STATUS, 'hello-00003'),
      f: { traffic: ['hello-00003=10', 'hello-00002=90', 'hello-00001'] },
      want: [
        { latestRevision: true, percent: 0, tag: 'staging' },
        { revisionName: 'hello-00002', latestRevision: false, percent: 90 },
        { revisionName: 'hello-00003', latestRevision: false, percent: 10 },
      ],
    },
    {
      name: 'a bare REF gets whatever the others leave, whichever position it has',
      svc: service(SEED_SPEC, SEED_STATUS, 'hello-00003'),
      f: { traffic: ['staging', 'hello-00002=70'] },
      want: [
        { latestRevision: true, percent: 30, tag: 'staging' },
        { revisionName: 'hello-00002', latestRevision: false, percent: 70 },
      ],
    },
    {
      name: 'percent given with a % sign',
      svc: service([{ latestRevision: true, percent: 100 }]),
      f: { traffic: ['@latest=100%'] },
      want: [{ latestRevision: true, percent: 100 }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(computeTraffic(c.svc, flags(c.f), { revisions: REVS, mutation: c.mutation, verb: c.verb }), c.want);
    });
  }

  test('errors in kn’s words', () => {
    const s = service(SEED_SPEC, SEED_STATUS, 'hello-00003');
    const bad: Array<[Partial<TrafficFlags>, RegExp, boolean?]> = [
      [{ traffic: ['a=60', 'b=50'] }, /^given traffic percents sum to 110, want <=100$/],
      [{ traffic: ['a=10'] }, /^unable to allocate the remaining traffic: 90%\. Reason: incorrect number of revisions specified\. Only 1 revision should be missing$/],
      [{ traffic: ['a=10', 'a=90'] }, /^repetition of revision reference a is not allowed, use only once with --traffic flag$/],
      [{ traffic: ['@latest=10', '@latest=90'] }, /^repetition of identifier @latest is not allowed/],
      [{ traffic: ['a=x'] }, /^error converting given x to integer value for traffic distribution$/],
      [{ traffic: ['a=101'] }, /^invalid value for traffic percent 101, expected 0 <= percent <= 100$/],
      [{ traffic: ['a', 'b=10', 'c'] }, /^only one --traffic reference may omit its percent \(it gets the rest\), given a, c$/],
      [{ traffic: ['a', 'a=10'] }, /^repetition of revision reference a is not allowed, use only once with --traffic flag$/],
      [{ traffic: ['a', 'b=120'] }, /^invalid value for traffic percent 120/],
      [{ traffic: ['a=b=c'] }, /^expecting the value format in value1=value2, given a=b=c$/],
      [{ tags: ['@latest=x', '@latest=y'] }, /^repetition of identifier @latest is not allowed, use only once with --tag flag$/],
      [{ untags: ['ghost', 'spirit'] }, /^tag\(s\) ghost, spirit not present for any revisions of service hello$/],
      [{ tags: ['hello-00001=staging'] }, /^refusing to overwrite existing tag in service, add flag '--untag staging' in command to untag it$/],
      [{ tags: ['@latest=other'] }, /^tag 'staging' exists on latest ready revision of service, refusing to overwrite existing tag with 'other', add flag '--untag staging' in command to untag it$/],
    ];
    for (const [f, re] of bad)
      assert.throws(() => computeTraffic(s, flags(f), { revisions: REVS }), (e: unknown) => e instanceof KnError && re.test(e.message), JSON.stringify(f));
  });

  test('no remainder when the left-out revision no longer exists', () => {
    const s = service(
      [{ latestRevision: true, percent: 100 }],
      [
        { revisionName: 'gone', latestRevision: false, percent: 50 },
        { revisionName: 'hello-00001', latestRevision: true, percent: 50 },
      ],
    );
    assert.throws(
      () => computeTraffic(s, flags({ traffic: ['hello-00001=20'] }), { revisions: REVS }),
      (e: unknown) => e instanceof KnError && e.message === 'unable to allocate the remaining traffic: 80%. Reason: cannot determine the missing revision',
    );
  });

  test('splitRef', () => {
    assert.deepEqual(splitRef('a=10'), ['a', '10']);
    assert.deepEqual(splitRef('a=10%'), ['a', '10']);
    assert.deepEqual(splitRef('staging'), ['@latest', 'staging']);
  });
});
