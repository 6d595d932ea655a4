import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRfc3339 } from '../lib/go-compat.cjs';
import { makeHeartbeat } from './beat.cjs';
import { HEARTBEAT_EVENT_TYPE, parseHeartbeatsConfig, parsePeriod } from './config.cjs';

const pod = { POD_NAME: 'hb-deployment-56c7896d86-qd255', POD_NAMESPACE: 'default' };

describe('heartbeats configuration', () => {
  test('defaults match Knative cmd/heartbeats', () => {
    const r = parseHeartbeatsConfig([], { ...pod, K_SINK: 'http://event-display.default.svc.cluster.local' });
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      sink: 'http://event-display.default.svc.cluster.local',
      eventSource: 'https://knative.dev/eventing-contrib/cmd/heartbeats/#default/hb-deployment-56c7896d86-qd255',
      eventType: HEARTBEAT_EVENT_TYPE,
      label: '',
      periodMs: 5000,
      oneShot: false,
      extensionOverrides: {},
      defaultSource: true,
    });
  });

  test('Go flag syntax: -x=v, --x=v, -x v; --msg is an alias of --label; K_SINK wins over -sink', () => {
    const r = parseHeartbeatsConfig(
      ['--period=1', '-eventType', 'my.type', '--msg="hi there"', '-sink=http://other', '-eventSource=/me', 'ignored', '--bogus'],
      { ...pod, K_SINK: 'http://sink', ONE_SHOT: 'true' },
    );
    assert.ok(r.ok);
    assert.equal(r.config.periodMs, 1000);
    assert.equal(r.config.eventType, 'my.type');
    assert.equal(r.config.label, 'hi there');
    assert.equal(r.config.sink, 'http://sink');
    assert.equal(r.config.eventSource, '/me');
    assert.equal(r.config.defaultSource, false);
    assert.equal(r.config.oneShot, true);
  });

  test('periods: Go durations or integer seconds, positive only', () => {
    assert.equal(parsePeriod('1'), 1000);
    assert.equal(parsePeriod('250ms'), 250);
    assert.equal(parsePeriod('1m'), 60000);
    assert.equal(parsePeriod('0'), undefined);
    assert.equal(parsePeriod('soon'), undefined);
  });

  test('errors: unknown flag (exit 2), missing pod env, bad overrides, bad period (exit 1)', () => {
    const unknown = parseHeartbeatsConfig(['-nope=1'], pod);
    assert.deepEqual(unknown.ok ? undefined : [unknown.exitCode, unknown.error], [2, 'flag provided but not defined: -nope']);
    const noPod = parseHeartbeatsConfig([], { POD_NAMESPACE: 'default' });
    assert.ok(!noPod.ok && noPod.exitCode === 1 && noPod.error.includes('POD_NAME'));
    const badJson = parseHeartbeatsConfig([], { ...pod, K_CE_OVERRIDES: '{' });
    assert.ok(!badJson.ok && badJson.error.includes('Unparseable CloudEvents overrides'));
    const badPeriod = parseHeartbeatsConfig(['--period=x'], pod);
    assert.ok(!badPeriod.ok && badPeriod.error === 'Invalid period interval provided: "x"');
  });

  test('K_CE_OVERRIDES extensions replace or add to the/heart/beats', () => {
    const r = parseHeartbeatsConfig([], { ...pod, K_CE_OVERRIDES: '{"extensions":{"the":"43","Color":"red"}}' });
    assert.ok(r.ok);
    const ev = makeHeartbeat(r.config, 3, 'id-3', parseRfc3339('2022-05-09T14:27:11.377498709Z')!);
    assert.deepEqual(ev.extensions, { the: '43', heart: 'yes', beats: true, color: 'red' });
  });
});

describe('makeHeartbeat', () => {
  test('builds the event Knative\'s program sends', () => {
    const r = parseHeartbeatsConfig(['--label=<b>'], pod);
    assert.ok(r.ok);
    const ev = makeHeartbeat(r.config, 27, 'uuid-27', parseRfc3339('2022-05-09T14:27:11Z')!);
    assert.equal(ev.type, 'dev.knative.eventing.samples.heartbeat');
    assert.equal(ev.id, 'uuid-27');
    assert.equal(ev.datacontenttype, 'application/json');
    assert.deepEqual(ev.extensions, { the: 42, heart: 'yes', beats: true });
    assert.equal(ev.data!.toString(), '{"id":27,"label":"\\u003cb\\u003e"}');
  });
});
