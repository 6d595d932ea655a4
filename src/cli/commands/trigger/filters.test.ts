import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createFilterSpec, parseKeyValues, updateFilterSpec, type FilterFlagValues } from './filters.js';

const flags = (v: Partial<FilterFlagValues>): FilterFlagValues => ({ attributes: [], exact: [], prefix: [], suffix: [], cesql: [], ...v });

describe('trigger filter flags → spec', () => {
  test('--filter fills the legacy attributes filter (kn)', () => {
    assert.deepEqual(createFilterSpec(flags({ attributes: ['type=dev.knative.sources.gitlab.push', 'source=gitlab'] })), {
      filter: { attributes: { type: 'dev.knative.sources.gitlab.push', source: 'gitlab' } },
    });
    assert.deepEqual(createFilterSpec(flags({})), {});
    // A value may contain '='.
    assert.deepEqual(createFilterSpec(flags({ attributes: ['subject=a=b'] })).filter, { attributes: { subject: 'a=b' } });
  });

  test('new dialect flags: one object per dialect group, one per CESQL expression, in that order', () => {
    assert.deepEqual(
      createFilterSpec(flags({ exact: ['type=a', 'source=s'], prefix: ['type=dev.'], suffix: ['subject=.png'], cesql: ["type LIKE 'com.%'", 'EXISTS subject'] })),
      { filters: [{ exact: { type: 'a', source: 's' } }, { prefix: { type: 'dev.' } }, { suffix: { subject: '.png' } }, { cesql: "type LIKE 'com.%'" }, { cesql: 'EXISTS subject' }] },
    );
  });

  test('CESQL is parsed locally: the error names the flag and position', () => {
    assert.throws(() => createFilterSpec(flags({ cesql: ["type = 'a' AND"] })), /invalid value 'type = 'a' AND' for '--filter-cesql': .+ \(at position \d+\)$/);
    assert.throws(() => createFilterSpec(flags({ cesql: ['  '] })), /for '--filter-cesql': the expression is empty/);
  });

  test('bad key=value input is refused with the flag named', () => {
    assert.throws(() => createFilterSpec(flags({ attributes: ['type'] })), /invalid value 'type' for '--filter': expected KEY=VALUE \(the '=' is missing\)/);
    assert.throws(() => createFilterSpec(flags({ attributes: ['=x'] })), /invalid value '=x' for '--filter': the key is empty/);
    assert.throws(() => createFilterSpec(flags({ attributes: ['Type=x'] })), /'Type' is not a CloudEvents attribute name/);
    assert.throws(() => createFilterSpec(flags({ attributes: ['type=a', 'type=b'] })), /the key 'type' is given twice/);
    assert.throws(() => createFilterSpec(flags({ exact: ['type='] })), /invalid value 'type=' for '--filter-exact': the value is empty/);
  });

  test('attributes and filters together are refused (Knative would ignore the attributes)', () => {
    assert.throws(() => createFilterSpec(flags({ attributes: ['type=a'], cesql: ["source = 'b'"] })), /cannot have both --filter \(attributes: type\) and .*use --filter-exact KEY=VALUE instead/);
  });

  test('update: --filter merges, KEY- removes, bare KEY means any value (kn)', () => {
    const cur = { filter: { attributes: { type: 'a', source: 's' } } };
    assert.deepEqual(updateFilterSpec(cur, flags({ attributes: ['type=b', 'source-', 'subject'] })), { filter: { attributes: { type: 'b', subject: '' } } });
    assert.deepEqual(cur, { filter: { attributes: { type: 'a', source: 's' } } }, 'input untouched');
    assert.deepEqual(parseKeyValues('filter', ['a-', 'b=1'], { allowSingles: true }), { set: { b: '1' }, remove: ['a'] });
  });

  test('update: new dialect flags replace filters; --clear-filters drops them', () => {
    const cur = { filters: [{ cesql: "type = 'a'" }] };
    assert.deepEqual(updateFilterSpec(cur, flags({ prefix: ['type=x.'] })), { filters: [{ prefix: { type: 'x.' } }] });
    assert.deepEqual(updateFilterSpec(cur, flags({ clearFilters: true })), {});
    assert.deepEqual(updateFilterSpec(cur, flags({ clearFilters: true, attributes: ['type=a'] })), { filter: { attributes: { type: 'a' } } });
    assert.throws(() => updateFilterSpec(cur, flags({ attributes: ['type=a'] })), /cannot have both/);
    // Moving from attributes to filters in one update works when the attributes are removed.
    assert.deepEqual(updateFilterSpec({ filter: { attributes: { type: 'a' } } }, flags({ attributes: ['type-'], exact: ['type=a'] })), {
      filter: { attributes: {} },
      filters: [{ exact: { type: 'a' } }],
    });
  });
});
