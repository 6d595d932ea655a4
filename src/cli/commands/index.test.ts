import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from './index.js';

test('each lazy index entry matches the command its module exports', async () => {
  assert.equal(commands.length, 18);
  for (const entry of commands) {
    assert.ok(entry.load, `${entry.name} is lazy`);
    assert.equal(entry.run, undefined, `${entry.name}: the index carries no behaviour`);
    const cmd = await entry.load!();
    assert.equal(cmd.load, undefined, `${entry.name}: loads a real command`);
    assert.equal(cmd.name, entry.name);
    assert.deepEqual(cmd.aliases ?? [], entry.aliases ?? [], `${entry.name} aliases`);
    assert.equal(cmd.summary, entry.summary, `${entry.name} summary`);
    assert.ok(cmd.run || cmd.subcommands?.length, `${entry.name} does something`);
    assert.equal(await entry.load!(), cmd, `${entry.name}: loaded once`);
  }
});
