import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../api/meta.js';
import { FakeClock } from './clock.js';
import { ConditionSet, formatMessage, type StatusWithConditions } from './conditions.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';

function setup() {
  const clock = new FakeClock();
  const set = ConditionSet.living(['ResourcesAvailable', 'ContainerHealthy'], { clock, severities: { Deprecated: 'Warning' } });
  return { clock, set };
}

const brief = (s: StatusWithConditions) => Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.reason ? `${c.status}:${c.reason}` : c.status]));

describe('ConditionSet', () => {
  test('initialize adds Ready and every dependent as Unknown, sorted by type, severity omitted', () => {
    const { set } = setup();
    const s = set.initialize(undefined);
    assert.deepEqual(s.conditions, [
      { type: 'ContainerHealthy', status: 'Unknown', lastTransitionTime: T0 },
      { type: 'Ready', status: 'Unknown', lastTransitionTime: T0 },
      { type: 'ResourcesAvailable', status: 'Unknown', lastTransitionTime: T0 },
    ]);
    assert.equal(set.initialize(s), s, 'initializing twice changes nothing');
  });

  test('initialize with happy already True fills missing dependents as True', () => {
    const { set } = setup();
    const s = set.initialize({ conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: T0 }] });
    assert.deepEqual(brief(s), { ContainerHealthy: 'True', Ready: 'True', ResourcesAvailable: 'True' });
  });

  // Ready = AND of dependents. Each row marks conditions in order from an initialized status.
  const rows: Array<{ name: string; marks: Array<[string, 'True' | 'False' | 'Unknown', string?]>; want: Record<string, string> }> = [
    { name: 'one True, one Unknown → Unknown', marks: [['ResourcesAvailable', 'True']], want: { ContainerHealthy: 'Unknown', Ready: 'Unknown', ResourcesAvailable: 'True' } },
    {
      name: 'all True → True',
      marks: [
        ['ResourcesAvailable', 'True'],
        ['ContainerHealthy', 'True'],
      ],
      want: { ContainerHealthy: 'True', Ready: 'True', ResourcesAvailable: 'True' },
    },
    {
      name: 'any False → False with its reason, even if the rest are True',
      marks: [
        ['ResourcesAvailable', 'True'],
        ['ContainerHealthy', 'False', 'ExitCode1'],
      ],
      want: { ContainerHealthy: 'False:ExitCode1', Ready: 'False:ExitCode1', ResourcesAvailable: 'True' },
    },
    {
      name: 'False trumps Unknown: marking another dependent Unknown keeps Ready False with the False reason',
      marks: [
        ['ContainerHealthy', 'False', 'ExitCode1'],
        ['ResourcesAvailable', 'Unknown', 'Deploying'],
      ],
      want: { ContainerHealthy: 'False:ExitCode1', Ready: 'False:ExitCode1', ResourcesAvailable: 'Unknown:Deploying' },
    },
    {
      name: 'recovering from False while another is Unknown → Unknown with that one’s reason',
      marks: [
        ['ResourcesAvailable', 'Unknown', 'Deploying'],
        ['ContainerHealthy', 'False', 'ExitCode1'],
        ['ContainerHealthy', 'True'],
      ],
      want: { ContainerHealthy: 'True', Ready: 'Unknown:Deploying', ResourcesAvailable: 'Unknown:Deploying' },
    },
    {
      name: 'Unknown dependent → Ready Unknown with its reason',
      marks: [['ContainerHealthy', 'Unknown', 'Probing']],
      want: { ContainerHealthy: 'Unknown:Probing', Ready: 'Unknown:Probing', ResourcesAvailable: 'Unknown' },
    },
    {
      name: 'non-dependent conditions never move Ready',
      marks: [
        ['ResourcesAvailable', 'True'],
        ['ContainerHealthy', 'True'],
        ['Active', 'False', 'NoTraffic'],
      ],
      want: { Active: 'False:NoTraffic', ContainerHealthy: 'True', Ready: 'True', ResourcesAvailable: 'True' },
    },
  ];
  for (const row of rows) {
    test(`Ready = AND of dependents: ${row.name}`, () => {
      const { set } = setup();
      let s = set.initialize({});
      for (const [type, st, reason] of row.marks) {
        s =
          st === 'True'
            ? set.markTrue(s, type, reason)
            : st === 'False'
              ? set.markFalse(s, type, reason ?? 'R', 'msg %s', type)
              : set.markUnknown(s, type, reason ?? 'R', 'msg %s', type);
      }
      assert.deepEqual(brief(s), row.want);
      assert.equal(set.isHappy(s), row.want.Ready === 'True');
    });
  }

  test('Ready copies the failing dependent’s message', () => {
    const { set } = setup();
    const s = set.markFalse(set.initialize({}), 'ContainerHealthy', 'ExitCode1', 'Container failed with: %s', 'oops');
    assert.deepEqual(set.getTopLevelCondition(s), { type: 'Ready', status: 'False', reason: 'ExitCode1', message: 'Container failed with: oops', lastTransitionTime: T0 });
  });

  test('lastTransitionTime changes only when the status flips', () => {
    const { set, clock } = setup();
    let s = set.markUnknown(set.initialize({}), 'ResourcesAvailable', 'Deploying', 'first');
    clock.advance(60_000);
    const again = set.markUnknown(s, 'ResourcesAvailable', 'Deploying', 'first');
    assert.equal(again, s, 'identical mark returns the same object');
    s = set.markUnknown(s, 'ResourcesAvailable', 'StillDeploying', 'second');
    assert.equal(set.getCondition(s, 'ResourcesAvailable')!.lastTransitionTime, T0, 'reason/message change keeps the time');
    assert.equal(set.getCondition(s, 'ResourcesAvailable')!.reason, 'StillDeploying');
    s = set.markTrue(s, 'ResourcesAvailable');
    assert.equal(set.getCondition(s, 'ResourcesAvailable')!.lastTransitionTime, T1, 'status flip moves the time');
    assert.equal(set.getCondition(s, 'ResourcesAvailable')!.reason, undefined, 'old reason cleared');
    assert.equal(set.getCondition(s, 'Ready')!.lastTransitionTime, T0, 'Ready still Unknown');
  });

  test('severity: Error (omitted) for Ready and dependents, Info by default for others, declared Warning', () => {
    const { set } = setup();
    let s = set.markFalse(set.initialize({}), 'Active', 'NoTraffic', 'scaled to zero');
    s = set.markFalse(s, 'Deprecated', 'OldField', 'use x');
    s = set.markFalse(s, 'ContainerHealthy', 'Bad', '');
    assert.equal(set.getCondition(s, 'Active')!.severity, 'Info');
    assert.equal(set.getCondition(s, 'Deprecated')!.severity, 'Warning');
    assert.equal('severity' in set.getCondition(s, 'ContainerHealthy')!, false);
    assert.equal('severity' in set.getCondition(s, 'Ready')!, false);
  });

  test('never mutates a frozen input status', () => {
    const { set } = setup();
    const frozen = Object.freeze({ observedGeneration: 3, conditions: Object.freeze([Object.freeze({ type: 'Ready', status: 'Unknown', lastTransitionTime: T0 } as Condition)]) });
    const out = set.markTrue(set.markTrue(set.initialize(frozen as StatusWithConditions), 'ResourcesAvailable'), 'ContainerHealthy');
    assert.equal(out.observedGeneration, 3, 'other status fields carried over');
    assert.equal(set.isHappy(out), true);
    assert.equal(frozen.conditions.length, 1);
  });

  test('clearCondition removes a condition and recomputes Ready when it was a dependent', () => {
    const set = ConditionSet.living(['A', 'B'], { clock: new FakeClock() });
    let s = set.markTrue(set.markFalse(set.initialize({}), 'A', 'Bad'), 'B');
    s = set.markFalse(s, 'Extra', 'x');
    s = set.clearCondition(s, 'Extra');
    assert.equal(set.getCondition(s, 'Extra'), undefined);
    assert.equal(set.getCondition(s, 'Ready')!.status, 'False');
    s = set.clearCondition(s, 'A');
    assert.equal(set.getCondition(s, 'Ready')!.status, 'Unknown', 'a missing dependent counts as Unknown');
    assert.equal(set.clearCondition(s, 'Ready'), s, 'the happy condition cannot be cleared');
  });

  test('a set with no dependents (e.g. Configuration) has Ready set directly; batch sets use Succeeded', () => {
    const cfg = ConditionSet.living([], { clock: new FakeClock() });
    const s = cfg.markFalse(cfg.initialize({}), 'Ready', 'RevisionFailed', 'Revision %q failed with message: %s.', 'cfg-00001', 'boom');
    assert.deepEqual(brief(s), { Ready: 'False:RevisionFailed' });
    assert.equal(cfg.getTopLevelCondition(s)!.message, 'Revision "cfg-00001" failed with message: boom.');
    const batch = ConditionSet.batch(['Built'], { clock: new FakeClock() });
    assert.equal(batch.happy, 'Succeeded');
    assert.equal(batch.isHappy(batch.markTrue(batch.initialize({}), 'Built')), true);
    assert.throws(() => new ConditionSet('Ready', ['Ready']), /cannot also be a dependent/);
  });
});

test('formatMessage handles %s %v %d %q %% and leaves extra verbs literal', () => {
  assert.equal(formatMessage('%s=%d (%q) 100%% %v', 'a', 3.7, 'x', new Error('e')), 'a=3 ("x") 100% e');
  assert.equal(formatMessage('50% done'), '50% done');
  assert.equal(formatMessage('%s and %s', 'one'), 'one and %s');
});
