import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../api/meta.js';
import { ServerError } from './errors.js';
import {
  conditionMark,
  conditionsValue,
  describeAge,
  DescribeWriter,
  KnError,
  listAge,
  nonReadyReason,
  readyStatus,
  renderListTable,
  shortHumanDuration,
  sortConditions,
  toKnError,
  truncCell,
  writeMapDesc,
} from './knative-format.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('kn formatting conventions', () => {
  test('ShortHumanDuration (describe ages) and HumanDuration (list ages)', () => {
    const short: Array<[number, string]> = [
      [-5 * S, '<invalid>'],
      [-500, '0s'],
      [0, '0s'],
      [38 * S, '38s'],
      [59 * S, '59s'],
      [5 * M + 30 * S, '5m'],
      [3 * H + 59 * M, '3h'],
      [12 * D, '12d'],
      [800 * D, '2y'],
    ];
    for (const [ms, want] of short) assert.equal(shortHumanDuration(ms), want, String(ms));
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(listAge(new Date(now - (9 * M + 56 * S)).toISOString(), now), '9m56s');
    assert.equal(listAge(new Date(now - (3 * H + 6 * M)).toISOString(), now), '3h6m');
    assert.equal(listAge(undefined, now), '<unknown>');
    assert.equal(describeAge(undefined, now), '');
  });

  test('CONDITIONS, READY and REASON cells', () => {
    const c: Condition[] = [
      { type: 'Active', status: 'False', reason: 'NoTraffic' },
      { type: 'ContainerHealthy', status: 'True' },
      { type: 'Ready', status: 'Unknown', reason: 'Deploying', message: 'waiting' },
      { type: 'ResourcesAvailable', status: 'True' },
    ];
    assert.equal(conditionsValue(c), '2 OK / 4');
    assert.equal(readyStatus(c), 'Unknown');
    assert.equal(nonReadyReason(c), 'Deploying : waiting');
    assert.equal(nonReadyReason([{ type: 'Ready', status: 'Unknown', reason: 'Deploying' }]), 'Deploying');
    assert.equal(nonReadyReason([{ type: 'Ready', status: 'True', reason: 'x' }]), '');
    assert.equal(readyStatus([]), '<unknown>');
    assert.equal(nonReadyReason([]), '<unknown>');
  });

  test('condition marks and order: Ready first, then errors, warnings, info, each by type', () => {
    assert.equal(conditionMark({ type: 'A', status: 'True' }), '++');
    assert.equal(conditionMark({ type: 'A', status: 'False' }), '!!');
    assert.equal(conditionMark({ type: 'A', status: 'False', severity: 'Error' }), '!!');
    assert.equal(conditionMark({ type: 'A', status: 'False', severity: 'Warning' }), ' W');
    assert.equal(conditionMark({ type: 'A', status: 'False', severity: 'Info' }), ' I');
    assert.equal(conditionMark({ type: 'A', status: 'Unknown' }), '??');
    const sorted = sortConditions([
      { type: 'Zed', status: 'True', severity: 'Info' },
      { type: 'Beta', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'Warn', status: 'True', severity: 'Warning' },
      { type: 'Alpha', status: 'True' },
      { type: 'Active', status: 'True', severity: 'Info' },
    ]).map((c) => c.type);
    assert.deepEqual(sorted, ['Ready', 'Alpha', 'Beta', 'Warn', 'Active', 'Zed']);
  });

  test('describe writer: blocks aligned per flush and per blank line, nested sections', () => {
    const w = new DescribeWriter();
    const s = w.root;
    s.attribute('Name', 'x');
    s.attribute('Namespace', 'default');
    s.blank();
    const sec = s.attribute('Section', '');
    w.flush();
    const row = sec.row(' 50%', 'header');
    row.attribute('Image', 'img');
    row.attribute('Replicas', '1/1');
    assert.equal(
      w.text(),
      'Name:       x\nNamespace:  default\n\nSection:  \n   50%  header\n        Image:     img\n        Replicas:  1/1\n',
    );
  });

  test('labels/annotations: Knative keys hidden unless details; long lines cut at 100 columns', () => {
    const w = new DescribeWriter();
    writeMapDesc(w.root, { 'serving.knative.dev/creator': 'a', b: '2', a: '1' }, 'Labels', false);
    assert.equal(w.text(), 'Labels:  a=1, b=2\n');
    const long: Record<string, string> = {};
    for (let i = 0; i < 20; i++) long[`key${String(i).padStart(2, '0')}`] = 'value';
    const w2 = new DescribeWriter();
    writeMapDesc(w2.root, long, 'Annotations', false);
    const line = w2.text().trimEnd();
    assert.ok(line.endsWith(' ...'), line);
    assert.equal(line.length, 'Annotations:  '.length + 100 - 'Annotations'.length - 2);
    assert.equal(truncCell('x'.repeat(60)), `${'x'.repeat(46)} ...`);
  });

  test('list tables: kubectl widths, optional headers', () => {
    assert.equal(renderListTable(['NAME', 'URL', 'READY'], [['hello', 'http://h', 'True']]), 'NAME    URL        READY\nhello   http://h   True\n');
    assert.equal(renderListTable(['NAME', 'READY'], [['hello', 'True']], { noHeaders: true }), 'hello   True\n');
  });

  test('errors: "Error: …" with a help hint naming the quoted command', () => {
    assert.equal(new KnError('boom').render(), "Error: boom\nRun 'skiff --help' for usage");
    assert.equal(new KnError("'skiff revision describe' requires name").render(), "Error: 'skiff revision describe' requires name\nRun 'skiff revision describe --help' for usage");
    const e = toKnError(new ServerError(404, 'NotFound', 'services.serving.knative.dev "x" not found'));
    assert.ok(e instanceof KnError);
    assert.equal((e as KnError).render(), 'Error: services.serving.knative.dev "x" not found\nRun \'skiff --help\' for usage');
    assert.equal((e as KnError).code, 'SKIFF_ERR_SERVER_NOT_FOUND');
    const other = new Error('x');
    assert.equal(toKnError(other), other);
  });
});
