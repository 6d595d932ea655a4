import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  TriggerFilterError,
  cesqlAttributes,
  compileFilters,
  compileTriggerFilter,
  validateFilters,
  validateTriggerFilterSpec,
  type CesqlDeps,
  type CesqlExpressionLike,
  type SubscriptionsApiFilter,
} from './subscriptions-api.js';
import type { CloudEventRecord } from '../cloudevents/event.js';

/**
 * A tiny stand-in for the CESQL module: understands `attr = 'value'`, `EXISTS attr` and `LENGTH`
 * (which evaluates to an Integer, to test the Boolean-only rule); anything else is a parse error.
 */
const seen: Record<string, unknown>[] = [];
const fakeCesql: CesqlDeps = {
  compileCesql(source: string): CesqlExpressionLike {
    let m = /^(\w+) = '([^']*)'$/.exec(source);
    if (m) {
      const [, attr, want] = m as unknown as [string, string, string];
      return {
        source,
        evaluate(ev) {
          seen.push(ev);
          if (!(attr in ev)) return { value: false, errors: [new Error(`missing attribute ${attr}`)] };
          return { value: String(ev[attr]) === want, errors: [] };
        },
      };
    }
    m = /^EXISTS (\w+)$/.exec(source);
    if (m) {
      const attr = m[1]!;
      return { source, evaluate: (ev) => ({ value: attr in ev, errors: [] }) };
    }
    if (source === 'LENGTH') return { source, evaluate: () => ({ value: 1, errors: [] }) };
    throw Object.assign(new Error(`unexpected token in ${JSON.stringify(source)}`), { code: 'SKIFF_ERR_CESQL_PARSE', kind: 'parse', position: 4 });
  },
};

const event: CloudEventRecord = {
  specversion: '1.0',
  id: 'e1',
  source: 'https://github.com/knative/eventing',
  type: 'com.github.pull_request.opened',
  subject: 'pr/42',
  region: 'eu-west',
  count: 3,
  data: { secret: 'do-not-expose' },
};

const run = (filters: SubscriptionsApiFilter[], ev: CloudEventRecord = event) => compileTriggerFilter({ filters }, fakeCesql)(ev);

describe('compileTriggerFilter — dialects', () => {
  test('exact / prefix / suffix: every listed attribute must exist and match', () => {
    assert.equal(run([{ exact: { type: 'com.github.pull_request.opened' } }]), true);
    assert.equal(run([{ exact: { type: 'com.github.pull_request.opened', region: 'us' } }]), false);
    assert.equal(run([{ exact: { count: '3' } }]), true);
    assert.equal(run([{ prefix: { type: 'com.github.' } }]), true);
    assert.equal(run([{ prefix: { type: 'com.gitlab.' } }]), false);
    assert.equal(run([{ suffix: { source: '/eventing' } }]), true);
    assert.equal(run([{ suffix: { missing: 'x' } }]), false);
    assert.equal(run([{ exact: { type: 'COM.GITHUB.PULL_REQUEST.OPENED' } }]), false);
  });

  test('all / any / not and the implicit all of the top-level list', () => {
    assert.equal(run([{ all: [{ prefix: { type: 'com.github' } }, { exact: { region: 'eu-west' } }] }]), true);
    assert.equal(run([{ all: [{ prefix: { type: 'com.github' } }, { exact: { region: 'us' } }] }]), false);
    assert.equal(run([{ any: [{ exact: { region: 'us' } }, { exact: { region: 'eu-west' } }] }]), true);
    assert.equal(run([{ any: [{ exact: { region: 'us' } }, { exact: { region: 'ap' } }] }]), false);
    assert.equal(run([{ not: { exact: { region: 'us' } } }]), true);
    assert.equal(run([{ not: { exact: { region: 'eu-west' } } }]), false);
    assert.equal(run([{ prefix: { type: 'com.github' } }, { exact: { region: 'us' } }]), false);
    assert.equal(run([{ prefix: { type: 'com.github' } }, { exact: { region: 'eu-west' } }]), true);
  });

  test('cesql: Boolean true passes; evaluation errors and non-Boolean results fail', () => {
    assert.equal(run([{ cesql: "region = 'eu-west'" }]), true);
    assert.equal(run([{ cesql: "region = 'us'" }]), false);
    assert.equal(run([{ cesql: "nothere = 'x'" }]), false, 'missing attribute → error → fail');
    assert.equal(run([{ not: { cesql: "nothere = 'x'" } }]), true);
    assert.equal(run([{ cesql: 'LENGTH' }]), false);
  });

  test('cesql sees context attributes and extensions but not data', () => {
    seen.length = 0;
    const ev = { ...event };
    run([{ cesql: "subject = 'pr/42'" }], ev);
    assert.deepEqual(Object.keys(seen[0]!).sort(), ['count', 'id', 'region', 'source', 'specversion', 'subject', 'type']);
    assert.equal(seen[0]!.count, 3);
    assert.equal(cesqlAttributes(ev), cesqlAttributes(ev), 'the flat view is built once per event');
  });

  test('an injected cesqlMatches takes precedence', () => {
    const deps: CesqlDeps = { compileCesql: fakeCesql.compileCesql, cesqlMatches: () => true };
    assert.equal(compileTriggerFilter({ filters: [{ cesql: "region = 'nope'" }] }, deps)(event), true);
  });

  test('filters wins over filter when non-empty; empty lists pass everything', () => {
    const spec = { filter: { attributes: { region: 'us' } }, filters: [{ exact: { region: 'eu-west' } }] };
    assert.equal(compileTriggerFilter(spec, fakeCesql)(event), true);
    assert.equal(compileTriggerFilter({ ...spec, filters: [] }, fakeCesql)(event), false, 'empty filters → legacy filter applies');
    assert.equal(compileTriggerFilter({}, fakeCesql)(event), true);
    assert.equal(compileTriggerFilter({ filters: [] }, fakeCesql)(event), true);
    assert.equal(compileFilters([], fakeCesql)(event), true);
    assert.equal(compileTriggerFilter({ filter: { attributes: { type: '' } } }, fakeCesql)(event), true);
  });

  test('adaptive reordering never changes results', () => {
    const f = compileTriggerFilter(
      {
        filters: [
          { exact: { region: 'eu-west' } },
          { any: [{ exact: { subject: 'a' } }, { exact: { subject: 'b' } }, { exact: { subject: 'c' } }] },
          { not: { exact: { type: 'x' } } },
        ],
      },
      fakeCesql,
    );
    const subjects = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 500; i++) {
      const subject = subjects[(i * 7) % 4]!;
      const region = i % 3 === 0 ? 'us' : 'eu-west';
      const type = i % 5 === 0 ? 'x' : 'y';
      const want = region === 'eu-west' && subject !== 'd' && type !== 'x';
      assert.equal(f({ ...event, subject, region, type }), want, `iteration ${i}`);
    }
  });
});

describe('validateFilters', () => {
  const paths = (errs: { path: string }[]) => errs.map((e) => e.path);

  test('valid nested filters produce no errors', () => {
    const filters: SubscriptionsApiFilter[] = [
      { exact: { type: 't' } },
      { any: [{ prefix: { source: 's' } }, { not: { suffix: { subject: '.png' } } }] },
      { cesql: "region = 'eu'" },
    ];
    assert.deepEqual(validateFilters(filters, 'spec.filters', fakeCesql), []);
    assert.deepEqual(validateFilters(undefined, 'spec.filters', fakeCesql), []);
  });

  test('exactly one dialect per object', () => {
    let errs = validateFilters([{ exact: { type: 't' } }, { exact: { type: 't' }, prefix: { type: 'x' } }], 'spec.filters', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filters[1]']);
    assert.match(errs[0]!.message, /exactly one filter dialect per object; got exact and prefix/);
    errs = validateFilters([{}], 'spec.filters', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filters[0]']);
    assert.match(errs[0]!.message, /expected exactly one of all, any, cesql, exact, not, prefix, suffix; got none/);
    errs = validateFilters([{ regex: { type: '.*' } }], 'spec.filters', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filters[0].regex', 'spec.filters[0]']);
    assert.match(errs[0]!.message, /unknown filter dialect "regex"/);
  });

  test('invalid CESQL is an admission error with the field path and parser message', () => {
    const errs = validateFilters([{ exact: { type: 't' } }, { cesql: 'region ==== x' }], 'spec.filters', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filters[1].cesql']);
    assert.match(errs[0]!.message, /^invalid CESQL expression "region ==== x" at position 4: unexpected token/);
    assert.deepEqual(paths(validateFilters([{ cesql: '  ' }], 'spec.filters', fakeCesql)), ['spec.filters[0].cesql']);
    assert.deepEqual(paths(validateFilters([{ any: [{ not: { cesql: 'bad!' } }] }], 'spec.filters', fakeCesql)), ['spec.filters[0].any[0].not.cesql']);
  });

  test('attribute maps: non-empty, valid names, non-empty string values', () => {
    const errs = validateFilters([{ exact: {} }, { prefix: { Type: 'x' } }, { suffix: { type: '' } }, { exact: { n: 1 } as unknown as Record<string, string> }], 'spec.filters', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filters[0].exact', 'spec.filters[1].prefix[Type]', 'spec.filters[2].suffix[type]', 'spec.filters[3].exact[n]']);
    assert.match(errs[0]!.message, /at least one attribute/);
    assert.match(errs[2]!.message, /suffix value must not be empty/);
  });

  test('all / any must be non-empty lists; not must be a filter object; list shape', () => {
    const errs = validateFilters([{ all: [] }, { any: 'x' as unknown as SubscriptionsApiFilter[] }, { not: 'x' as unknown as SubscriptionsApiFilter }, 'x'], 'spec.filters', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filters[0].all', 'spec.filters[1].any', 'spec.filters[2].not', 'spec.filters[3]']);
    assert.deepEqual(validateFilters({}, 'spec.filters', fakeCesql), [{ path: 'spec.filters', message: 'must be a list of filters' }]);
  });

  test('validateTriggerFilterSpec covers filter.attributes and filters', () => {
    const errs = validateTriggerFilterSpec({ filter: { attributes: { Bad: 'x' } }, filters: [{ cesql: 'oops' }] }, 'spec', fakeCesql);
    assert.deepEqual(paths(errs), ['spec.filter.attributes[Bad]', 'spec.filters[0].cesql']);
  });

  test('compileTriggerFilter refuses an invalid spec with every error listed', () => {
    assert.throws(
      () => compileTriggerFilter({ filters: [{ cesql: 'oops' }, {}] }, fakeCesql),
      (err: unknown) => {
        assert.ok(err instanceof TriggerFilterError);
        assert.equal(err.code, 'SKIFF_ERR_FILTER_INVALID');
        assert.deepEqual(paths(err.errors), ['spec.filters[0].cesql', 'spec.filters[1]']);
        assert.match(err.message, /spec\.filters\[0\]\.cesql: invalid CESQL/);
        return true;
      },
    );
  });
});
