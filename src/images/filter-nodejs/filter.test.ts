import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHttpCloudEvent } from '../lib/cloudevents.cjs';
import { compileFilter, filterView } from './filter.cjs';

const imageEvent = decodeHttpCloudEvent(
  { 'ce-id': '00001', 'ce-specversion': '1.0', 'ce-type': 'com.magedu.file.image', 'ce-source': 'curl', 'ce-color': 'red', 'content-type': 'application/json' },
  Buffer.from('{"msg":"Hello Parallel","size":3}'),
);

describe('filter-nodejs predicate', () => {
  test('the seed\'s Parallel filters select by type', () => {
    const image = compileFilter('event.type == "com.magedu.file.image"');
    const text = compileFilter('event.type == "com.magedu.file.text"');
    assert.ok(image.ok && text.ok);
    assert.equal(image.predicate(filterView(imageEvent), {}), true);
    assert.equal(text.predicate(filterView(imageEvent), {}), false);
  });

  test('the expression sees parsed JSON data, extensions and env', () => {
    const f = compileFilter('event.data.size > 2 && event.color === "red" && env.WANT === "yes" // trailing comment');
    assert.ok(f.ok);
    assert.equal(f.predicate(filterView(imageEvent), { WANT: 'yes' }), true);
    assert.equal(f.predicate(filterView(imageEvent), { WANT: 'no' }), false);
  });

  test('non-JSON data is seen as text', () => {
    const ev = decodeHttpCloudEvent({ 'ce-id': '1', 'ce-specversion': '1.0', 'ce-type': 't', 'ce-source': 's', 'content-type': 'text/plain' }, Buffer.from('plain'));
    assert.equal(filterView(ev).data, 'plain');
  });

  test('missing or invalid FILTER is a startup error naming FILTER', () => {
    const missing = compileFilter(undefined);
    assert.ok(!missing.ok && missing.error.includes('FILTER'));
    const bad = compileFilter('event.type ==');
    assert.ok(!bad.ok && bad.error.startsWith('invalid FILTER expression'));
  });
});
