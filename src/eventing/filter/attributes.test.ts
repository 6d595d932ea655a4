import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileAttributesFilter, lookupAttribute, validateAttributesFilter } from './attributes.js';
import type { CloudEventRecord } from '../cloudevents/event.js';

const event: CloudEventRecord = {
  specversion: '1.0',
  id: 'e1',
  source: 'https://example.com/src',
  type: 'dev.knative.example',
  subject: 'orders/42',
  time: '2024-01-02T03:04:05Z',
  datacontenttype: 'Application/JSON; charset=utf-8',
  dataschema: 'https://example.com/schema',
  region: 'eu',
  knativebrokerttl: 255,
  urgent: true,
  empty: '',
  data: { ignored: true },
};

describe('lookupAttribute', () => {
  test('context attributes, extensions in canonical text, and the legacy names', () => {
    assert.equal(lookupAttribute(event, 'type'), 'dev.knative.example');
    assert.equal(lookupAttribute(event, 'time'), '2024-01-02T03:04:05Z');
    assert.equal(lookupAttribute(event, 'region'), 'eu');
    assert.equal(lookupAttribute(event, 'knativebrokerttl'), '255');
    assert.equal(lookupAttribute(event, 'urgent'), 'true');
    assert.equal(lookupAttribute(event, 'schemaurl'), 'https://example.com/schema');
    assert.equal(lookupAttribute(event, 'datamediatype'), 'application/json');
    assert.equal(lookupAttribute(event, 'datacontentencoding'), undefined);
    assert.equal(lookupAttribute(event, 'data'), undefined);
    assert.equal(lookupAttribute(event, 'missing'), undefined);
  });
});

describe('compileAttributesFilter', () => {
  const matches = (attrs: Record<string, string> | undefined, ev: CloudEventRecord = event) => compileAttributesFilter(attrs)(ev);

  test('no attributes passes everything', () => {
    assert.equal(matches(undefined), true);
    assert.equal(matches({}), true);
  });

  test('AND of exact, case-sensitive matches', () => {
    assert.equal(matches({ type: 'dev.knative.example', source: 'https://example.com/src' }), true);
    assert.equal(matches({ type: 'dev.knative.example', source: 'other' }), false);
    assert.equal(matches({ type: 'Dev.Knative.Example' }), false);
  });

  test('extensions match too, including typed ones by their text', () => {
    assert.equal(matches({ region: 'eu', knativebrokerttl: '255', urgent: 'true' }), true);
    assert.equal(matches({ region: 'us' }), false);
  });

  test('"" means the attribute must exist and be non-empty', () => {
    assert.equal(matches({ subject: '' }), true);
    assert.equal(matches({ region: '' }), true);
    assert.equal(matches({ missing: '' }), false);
    assert.equal(matches({ empty: '' }), false);
    const { subject: _s, ...noSubject } = event;
    assert.equal(matches({ subject: '' }, noSubject as CloudEventRecord), false);
  });

  test('a missing attribute never matches a value', () => {
    assert.equal(matches({ missing: 'x' }), false);
  });
});

describe('validateAttributesFilter', () => {
  test('names must be lower-case alphanumerics starting with a letter; values strings', () => {
    assert.deepEqual(validateAttributesFilter({ type: 'x', region: '' }, 'spec.filter.attributes'), []);
    const errs = validateAttributesFilter({ Type: 'x', '1abc': 'y', ok: 5 }, 'spec.filter.attributes');
    assert.deepEqual(
      errs.map((e) => e.path),
      ['spec.filter.attributes[Type]', 'spec.filter.attributes[1abc]', 'spec.filter.attributes[ok]'],
    );
    assert.match(errs[0]!.message, /must start with a letter/);
    assert.match(errs[2]!.message, /must be a string, got number/);
    assert.deepEqual(validateAttributesFilter(['x'], 'p'), [{ path: 'p', message: 'must be a map of attribute name to value' }]);
  });
});
