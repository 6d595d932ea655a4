import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildRollout,
  deserializeRollout,
  observeReady,
  rolloutDone,
  rolloutsByTag,
  serializeRollout,
  stepRollout,
  validateRollout,
  type ConfigurationRollout,
  type Rollout,
} from './rollout.js';
import type { RevisionTarget } from './traffic.js';

const S = 1e9; // ns per second
const T0 = Date.UTC(2024, 0, 1) * 1e6;

const cfgRo = (revs: Array<[string, number]>, extra: Partial<ConfigurationRollout> = {}): ConfigurationRollout => ({
  configurationName: 'config',
  tag: '',
  percent: revs.reduce((s, [, p]) => s + p, 0),
  revisions: revs.map(([revisionName, percent]) => ({ revisionName, percent })),
  stepParams: { starttime: 0, nextStepTime: 0, stepDuration: 0, stepSize: 0 },
  ...extra,
});
const ro = (...c: ConfigurationRollout[]): Rollout => ({ configurations: c });
const split = (r: Rollout) => r.configurations.map((c) => c.revisions.map((x) => `${x.revisionName}=${x.percent}`).join(' '));
const target = (revisionName: string, percent: number, o: Partial<RevisionTarget> = {}): RevisionTarget => ({
  tag: '',
  revisionName,
  configurationName: 'config',
  latestRevision: true,
  percent,
  ...o,
});

describe('gradual rollout (rollout.go)', () => {
  test("the docs example: 55 % configuration target, 380 s → 54/1, then 18 % steps 36/19, 18/37, 55", () => {
    const steady = ro(cfgRo([['config-00008', 55]]));
    const cur = ro(cfgRo([['config-00009', 55]]));

    // A new latest revision: 1 % moves at once.
    let { rollout, nextStepTime } = stepRollout(cur, steady, T0);
    assert.deepEqual(split(rollout), ['config-00008=54 config-00009=1']);
    assert.equal(rollout.configurations[0].stepParams.starttime, T0);
    assert.equal(nextStepTime, 0, 'no step is scheduled before the 1 % step is served');
    assert.equal(rolloutDone(rollout), false);

    // Nothing changes until the ingress serves it.
    ({ rollout, nextStepTime } = stepRollout(cur, rollout, T0 + 30 * S));
    assert.deepEqual(split(rollout), ['config-00008=54 config-00009=1']);
    assert.equal(nextStepTime, 0);

    // The 1 % step took 95 s: (380 − 95) / 95 = 3 steps of round(54 / 3) = 18 %.
    rollout = observeReady(rollout, T0 + 95 * S, 380);
    assert.deepEqual(rollout.configurations[0].stepParams, { starttime: T0, nextStepTime: T0 + 190 * S, stepDuration: 95 * S, stepSize: 18 });
    ({ rollout, nextStepTime } = stepRollout(cur, rollout, T0 + 95 * S));
    assert.deepEqual(split(rollout), ['config-00008=54 config-00009=1']);
    assert.equal(nextStepTime, T0 + 190 * S);

    const seen: string[] = [];
    for (const at of [190, 285, 380]) {
      ({ rollout, nextStepTime } = stepRollout(cur, rollout, T0 + at * S));
      seen.push(split(rollout)[0]);
      if (at < 380) assert.equal(nextStepTime, T0 + (at + 95) * S);
    }
    assert.deepEqual(seen, ['config-00008=36 config-00009=19', 'config-00008=18 config-00009=37', 'config-00009=55']);
    assert.equal(nextStepTime, 0);
    assert.equal(rolloutDone(rollout), true);
    assert.deepEqual(rollout.configurations[0].stepParams, { starttime: 0, nextStepTime: 0, stepDuration: 0, stepSize: 0 }, 'params cleared when done');
  });

  test('a fast 1 % step (embedded: ~1 s) gives 1 % steps spread over the remaining duration', () => {
    const started = stepRollout(ro(cfgRo([['b', 100]])), ro(cfgRo([['a', 100]])), T0).rollout;
    const r = observeReady(started, T0 + 0.2 * S, 100);
    // minStep = max(1, ceil(0.2)) = 1 s; (100 − 1) / 1 = 99 steps, capped at P − 1 = 99; step 1 %, every 1 s.
    assert.deepEqual(r.configurations[0].stepParams, { starttime: T0, nextStepTime: T0 + 1.2 * S, stepDuration: 1 * S, stepSize: 1 });
  });

  test('steps are only taken when due, never early', () => {
    const r = ro(cfgRo([['a', 54], ['b', 1]], { stepParams: { starttime: T0, nextStepTime: T0 + 10 * S, stepDuration: 10 * S, stepSize: 18 } }));
    const cur = ro(cfgRo([['b', 55]]));
    assert.deepEqual(split(stepRollout(cur, r, T0 + 9.999 * S).rollout), ['a=54 b=1']);
    assert.deepEqual(split(stepRollout(cur, r, T0 + 10 * S).rollout), ['a=36 b=19']);
  });

  test('1 % and 0 % configuration targets do not roll out; a target at 1 % is left as is', () => {
    const prev = ro(cfgRo([['a', 1]]), cfgRo([['x', 99]], { configurationName: 'other' }));
    const cur = ro(cfgRo([['b', 1]]), cfgRo([['x', 99]], { configurationName: 'other' }));
    const { rollout } = stepRollout(cur, prev, T0);
    assert.deepEqual(split(rollout), ['b=1', 'x=99']);
    assert.equal(rolloutDone(rollout), true);
  });

  test('a new tag or a new configuration has nothing to roll from', () => {
    const prev = ro(cfgRo([['a', 50]]));
    const cur = ro(cfgRo([['b', 50]], { configurationName: 'another' }), cfgRo([['c', 50]]), cfgRo([['t', 100]], { tag: 'staging' }));
    const { rollout } = stepRollout(buildSorted(cur), prev, T0);
    assert.deepEqual(split(rollout), ['b=50', 'a=49 c=1', 't=100']);
  });

  test('target percentage changes mid-rollout: more goes to the newest revision, less comes from the oldest', () => {
    const params = { starttime: T0, nextStepTime: T0 + 100 * S, stepDuration: 10 * S, stepSize: 18 };
    const mid = ro(cfgRo([['a', 36], ['b', 19]], { stepParams: params }));
    assert.deepEqual(split(stepRollout(ro(cfgRo([['b', 65]])), mid, T0).rollout), ['a=36 b=29']);
    assert.deepEqual(split(stepRollout(ro(cfgRo([['b', 30]])), mid, T0).rollout), ['a=11 b=19']);
    assert.deepEqual(split(stepRollout(ro(cfgRo([['b', 10]])), mid, T0).rollout), ['b=10'], 'the oldest revision is dropped once drained');
  });

  test('a new revision during a rollout starts a new one at once; old rollouts drain newest first', () => {
    const mid = ro(cfgRo([['a', 36], ['b', 19]], { stepParams: { starttime: T0, nextStepTime: T0 + 100 * S, stepDuration: 10 * S, stepSize: 18 } }));
    let { rollout } = stepRollout(ro(cfgRo([['c', 55]])), mid, T0 + 50 * S);
    assert.deepEqual(split(rollout), ['a=36 b=18 c=1']);
    assert.deepEqual(rollout.configurations[0].stepParams, { starttime: T0 + 50 * S, nextStepTime: 0, stepDuration: 0, stepSize: 0 });
    rollout = observeReady(rollout, T0 + 60 * S, 380); // a 10 s first step: (380 − 10) / 10 = 37 steps of round(54 / 37) = 1 %
    assert.equal(rollout.configurations[0].stepParams.stepSize, 1);
    rollout.configurations[0].stepParams.stepSize = 20; // force big steps to see the drain order
    ({ rollout } = stepRollout(ro(cfgRo([['c', 55]])), rollout, T0 + 1000 * S));
    assert.deepEqual(split(rollout), ['a=34 c=21'], 'b (newest old) drained first, then a');
  });

  test('the annotation JSON matches Knative field names and round-trips; corrupt or inconsistent state is discarded', () => {
    const r = ro(cfgRo([['a', 54], ['b', 1]], { stepParams: { starttime: T0, nextStepTime: 0, stepDuration: 0, stepSize: 0 } }), cfgRo([['t', 100]], { tag: 'staging' }));
    const json = serializeRollout(r);
    assert.equal(
      json,
      `{"configurations":[{"configurationName":"config","percent":55,"revisions":[{"revisionName":"a","percent":54},{"revisionName":"b","percent":1}],"stepParams":{"starttime":${T0}}},` +
        `{"configurationName":"config","tag":"staging","percent":100,"revisions":[{"revisionName":"t","percent":100}],"stepParams":{}}]}`,
    );
    assert.deepEqual(deserializeRollout(json), r);
    assert.equal(serializeRollout(ro()), '{}');
    const problems: string[] = [];
    assert.equal(deserializeRollout('{nope', (w) => problems.push(w)), undefined);
    assert.equal(deserializeRollout('{"configurations":[{"configurationName":"c","percent":50,"revisions":[{"revisionName":"a","percent":40}],"stepParams":{}}]}', (w) => problems.push(w)), undefined);
    assert.equal(deserializeRollout(''), undefined);
    assert.equal(problems.length, 2);
    assert.equal(validateRollout(ro(cfgRo([['a', 101]]))), false);
  });

  test('buildRollout keeps only latestRevision targets with traffic, sorted by tag then configuration', () => {
    const targets = new Map<string, RevisionTarget[]>([
      ['', [target('r2', 80, { configurationName: 'zeta' }), target('p', 10, { latestRevision: false }), target('r1', 10), target('r0', 0, { configurationName: 'dark' })]],
      ['beta', [target('r1', 100, { tag: 'beta' })]],
    ]);
    const r = buildRollout(targets);
    assert.deepEqual(
      r.configurations.map((c) => `${c.tag}/${c.configurationName}:${c.percent}`),
      ['/config:10', '/zeta:80', 'beta/config:100'],
    );
    assert.deepEqual(rolloutsByTag(r, 'beta').map((c) => c.revisions[0].revisionName), ['r1']);
  });
});

function buildSorted(r: Rollout): Rollout {
  return { configurations: [...r.configurations].sort((a, b) => (a.tag === b.tag ? (a.configurationName < b.configurationName ? -1 : 1) : a.tag < b.tag ? -1 : 1)) };
}
