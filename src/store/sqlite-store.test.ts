import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSqliteStore } from './sqlite-store.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-store-'));
  const file = join(dir, 'state.db');
  return { store: openSqliteStore(file), reopen: () => openSqliteStore(file), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

test('sqlite store: acknowledged writes survive kill -9 of the writing process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-store-kill-'));
  const file = join(dir, 'state.db');
  const mod = new URL('./sqlite-store.js', import.meta.url).href;
  // The child writes 500 objects, prints the count acknowledged, then kills itself with SIGKILL.
  const script = `
    const { openSqliteStore } = await import(${JSON.stringify(mod)});
    const s = openSqliteStore(${JSON.stringify(file)});
    for (let i = 0; i < 500; i++) s.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' + i, namespace: 'default' }, data: { i: String(i) } });
    process.stdout.write('acked 500\\n');
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL');
  assert.match(r.stdout, /acked 500/);
  const s = openSqliteStore(file);
  assert.equal(s.list('core/configmaps').items.length, 500);
  assert.equal(s.get('core/configmaps', 'default', 'c499')?.data.i, '499');
  s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('sqlite store: the revision survives a reopen whether the last write was a put or a delete', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-store-rev-'));
  const file = join(dir, 'state.db');
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
  let s = openSqliteStore(file);
  s.create('core/configmaps', cm('a'));
  s.create('core/configmaps', cm('b'));
  s.update('core/configmaps', { ...s.get('core/configmaps', 'default', 'a')!, data: { x: '1' } });
  assert.equal(s.revision(), 3);
  s.close();
  s = openSqliteStore(file);
  assert.equal(s.revision(), 3, 'from max(rv) of the rows');
  s.delete('core/configmaps', 'default', 'a');
  s.close();
  s = openSqliteStore(file);
  assert.equal(s.revision(), 4, 'a delete advances the stored revision');
  assert.equal(s.create('core/configmaps', cm('c')).metadata.resourceVersion, '5');
  s.close();
  rmSync(dir, { recursive: true, force: true });
});
