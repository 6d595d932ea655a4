import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ManifestError } from './errors.js';
import { lineColumn, loadManifests, parseManifests } from './manifests.js';

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

describe('parseManifests', () => {
  test('multi-document YAML, empty documents dropped', () => {
    const ms = parseManifests(`---\n${CM('a')}---\n# just a comment\n---\n${CM('b')}---\n`, 'x.yaml');
    assert.deepEqual(
      ms.map((m) => m.object.metadata.name),
      ['a', 'b'],
    );
    assert.equal(ms[0].source, 'x.yaml');
  });

  test('JSON object, JSON array, and List kinds flattened', () => {
    const one = parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }), 'x.json');
    assert.equal(one[0].object.metadata.name, 'j');
    const list = parseManifests(
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'l1' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'l2' } }] }),
      'list.json',
    );
    assert.deepEqual(
      list.map((m) => `${m.object.kind}/${m.object.metadata.name}`),
      ['ConfigMap/l1', 'Secret/l2'],
    );
    const yamlList = parseManifests(`apiVersion: v1\nkind: ConfigMapList\nitems:\n- ${CM('y1').trim().split('\n').join('\n  ')}\n`, 'l.yaml');
    assert.equal(yamlList[0].object.metadata.name, 'y1');
  });

  test('YAML flow style that is not JSON still parses', () => {
    const ms = parseManifests('{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}}', 'f.yaml');
    assert.equal(ms[0].object.metadata.name, 'flow');
  });

  test('bad YAML: error names the file and the line', () => {
    const text = `${CM('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n    bad: indent\n`;
    assert.throws(
      () => parseManifests(text, 'bad.yaml'),
      (e: unknown) => e instanceof ManifestError && e.file === 'bad.yaml' && e.line === 11 && /^error: error parsing bad\.yaml: line 11, column \d+: /.test(e.render()),
    );
  });

  test('bad JSON: error names the file and the line', () => {
    assert.throws(
      () => parseManifests('{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n}\n', 'bad.json'),
      (e: unknown) => e instanceof ManifestError && e.line === 4 && e.message.startsWith('error parsing bad.json: line 4, column 1:'),
    );
  });

  test('missing kind/apiVersion and non-object documents are refused clearly', () => {
    assert.throws(() => parseManifests('metadata:\n  name: x\n', 'k.yaml'), /error validating "k.yaml": apiVersion not set, kind not set/);
    assert.throws(() => parseManifests(`${CM('a')}---\n- 1\n- 2\n`, 'k.yaml'), /"k.yaml" \(document 2\): expected an object, got a list/);
  });

  test('lineColumn', () => {
    assert.deepEqual(lineColumn('ab\ncd\nef', 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('ab', 0), { line: 1, column: 1 });
  });
});

describe('loadManifests', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-manifests-'));
    await mkdir(join(dir, 'm'));
    await writeFile(join(dir, 'm', 'b.yaml'), CM('b'));
    await writeFile(join(dir, 'm', 'a.yml'), CM('a'));
    await writeFile(join(dir, 'm', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    await writeFile(join(dir, 'm', 'README.md'), '# not a manifest');
    await mkdir(join(dir, 'm', 'nested'));
    await writeFile(join(dir, 'm', 'nested', 'd.yaml'), CM('d'));
    await writeFile(join(dir, 'one.yaml'), CM('one'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const io = (stdin = '') => ({ stdin: Readable.from([stdin]), cwd: dir });

  test('directories: yaml/yml/json files, sorted, not recursive', async () => {
    const ms = await loadManifests(['m'], io());
    assert.deepEqual(
      ms.map((m) => [m.object.metadata.name, m.source]),
      [
        ['a', join('m', 'a.yml')],
        ['b', join('m', 'b.yaml')],
        ['c', join('m', 'c.json')],
      ],
    );
  });

  test('several -f in order, and - for stdin', async () => {
    const ms = await loadManifests(['one.yaml', '-'], io(CM('from-stdin')));
    assert.deepEqual(
      ms.map((m) => [m.object.metadata.name, m.source]),
      [
        ['one', 'one.yaml'],
        ['from-stdin', '-'],
      ],
    );
  });

  test('a missing path: kubectl wording', async () => {
    await assert.rejects(loadManifests(['nope.yaml'], io()), (e: unknown) => e instanceof ManifestError && e.render() === 'error: the path "nope.yaml" does not exist');
  });
});
