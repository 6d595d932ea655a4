import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFieldSelector, matchesSelector, parseFieldSelector, parseSelector, selectorFromObject, selectorToString } from './labels.js';

test('label selector string forms', () => {
  const l = { app: 'hello', tier: 'web', env: 'prod' };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['app=hello', true],
    ['app==hello', true],
    ['app!=hello', false],
    ['app=nope', false],
    ['tier in (web,db)', true],
    ['tier notin (web,db)', false],
    ['env', true],
    ['!env', false],
    ['!missing', true],
    ['app=hello,tier in (db)', false],
    ['missing!=x', true],
  ];
  for (const [s, want] of cases) assert.equal(matchesSelector(parseSelector(s), l), want, s);
  assert.throws(() => parseSelector('app=hello,,x'), (e: any) => e.status === 400);
  assert.throws(() => parseSelector('a b c'), /invalid label selector/);
});

test('structured selectors and their string form', () => {
  const o = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['a', 'b'] }] };
  assert.ok(matchesSelector(selectorFromObject(o), { app: 'x', tier: 'b' }));
  assert.ok(!matchesSelector(selectorFromObject(o), { app: 'x' }));
  assert.equal(selectorToString(o), 'app=x,tier in (a,b)');
});

test('field selectors over dotted paths', () => {
  const pod = { metadata: { name: 'p1', namespace: 'default' }, status: { phase: 'Running' } };
  assert.ok(matchesFieldSelector(parseFieldSelector('metadata.name=p1'), pod));
  assert.ok(matchesFieldSelector(parseFieldSelector('status.phase!=Pending,metadata.namespace=default'), pod));
  assert.ok(!matchesFieldSelector(parseFieldSelector('status.phase=Pending'), pod));
  assert.throws(() => parseFieldSelector('nonsense'), (e: any) => e.status === 400);
});
