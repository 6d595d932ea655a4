import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Flags, parseArgs, type FlagSpec } from './args.js';
import { UsageError } from './errors.js';

const specs: FlagSpec[] = [
  { name: 'namespace', short: 'n', type: 'string', description: '' },
  { name: 'all-namespaces', short: 'A', type: 'boolean', description: '' },
  { name: 'watch', short: 'w', type: 'boolean', description: '' },
  { name: 'env', short: 'e', type: 'strings', description: '' },
  { name: 'filename', short: 'f', type: 'strings', splitCommas: true, description: '' },
  { name: 'tail', type: 'int', default: -1, description: '' },
  { name: 'wait', type: 'boolean', default: true, description: '' },
];

describe('parseArgs', () => {
  test('flags anywhere among positionals, long and short, with = or a separate word', () => {
    const p = parseArgs(['service', '--namespace', 'demo', 'create', 'hello', '-A', '--tail=5'], specs);
    assert.deepEqual(p.positionals, ['service', 'create', 'hello']);
    assert.deepEqual(p.positionalIndexes, [0, 3, 4]);
    const f = new Flags(p);
    assert.equal(f.string('namespace'), 'demo');
    assert.equal(f.bool('all-namespaces'), true);
    assert.equal(f.int('tail'), 5);
  });

  test('-nns, -n=ns and combined boolean shorthands', () => {
    assert.equal(new Flags(parseArgs(['-ndemo'], specs)).string('namespace'), 'demo');
    assert.equal(new Flags(parseArgs(['-n=demo'], specs)).string('namespace'), 'demo');
    const f = new Flags(parseArgs(['-Aw'], specs));
    assert.equal(f.bool('all-namespaces'), true);
    assert.equal(f.bool('watch'), true);
    const g = new Flags(parseArgs(['-Andemo'], specs));
    assert.equal(g.bool('all-namespaces'), true);
    assert.equal(g.string('namespace'), 'demo');
  });

  test('repeatable flags keep every value in order; splitCommas splits', () => {
    const f = new Flags(parseArgs(['--env', 'A=1', '-e', 'B=2,3', '--env=C=4', '-f', 'a.yaml,b.yaml', '-f', 'c.yaml'], specs));
    assert.deepEqual(f.strings('env'), ['A=1', 'B=2,3', 'C=4']);
    assert.deepEqual(f.strings('filename'), ['a.yaml', 'b.yaml', 'c.yaml']);
  });

  test('defaults apply when a flag is absent; booleans take =false', () => {
    const f = new Flags(parseArgs([], specs));
    assert.equal(f.int('tail'), -1);
    assert.equal(f.bool('wait'), true);
    assert.equal(f.has('wait'), false);
    assert.equal(new Flags(parseArgs(['--wait=false'], specs)).bool('wait'), false);
    assert.equal(new Flags(parseArgs(['--tail', '-3'], specs)).int('tail'), -3);
  });

  test('-- ends flags', () => {
    const p = parseArgs(['run', '--', '-n', '--x'], specs);
    assert.deepEqual(p.positionals, ['run', '-n', '--x']);
    assert.equal(p.given.size, 0);
  });

  test('a lone - is a positional (stdin)', () => {
    assert.deepEqual(parseArgs(['-'], specs).positionals, ['-']);
  });

  test('errors use pflag wording', () => {
    assert.throws(() => parseArgs(['--nope'], specs), (e: unknown) => e instanceof UsageError && e.message === 'unknown flag: --nope');
    assert.throws(() => parseArgs(['-x'], specs), (e: unknown) => e instanceof UsageError && e.message === "unknown shorthand flag: 'x' in -x");
    assert.throws(() => parseArgs(['--namespace'], specs), (e: unknown) => e instanceof UsageError && e.message === 'flag needs an argument: --namespace');
    assert.throws(() => parseArgs(['-n'], specs), (e: unknown) => e instanceof UsageError && e.message === "flag needs an argument: 'n' in -n");
    assert.throws(() => parseArgs(['--tail', 'ten'], specs), (e: unknown) => e instanceof UsageError && /invalid argument "ten" for "--tail" flag/.test(e.message));
    assert.throws(() => parseArgs(['--wait=maybe'], specs), UsageError);
  });

  test('lenient mode skips unknown flags (used to find command words)', () => {
    const p = parseArgs(['--image', 'x', 'get'], specs, { lenient: true });
    assert.deepEqual(p.positionals, ['x', 'get']);
  });
});
