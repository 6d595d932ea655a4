import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKillRestart } from './testing/kill-restart.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('SkiffLogBroker: kill -9 mid-stream, restart: every acknowledged event reaches every matching trigger', { timeout: 30_000 }, async (t) => {
  const report = await runKillRestart({ dataDir: join(root, 'data'), events: 5000, timeoutMs: 15_000 });
  t.diagnostic(JSON.stringify(report));
  assert.ok(report.killedAtAcks >= 2500, 'the child was killed midway');
  assert.equal(report.acknowledged, 5000, 'every event was eventually acknowledged (unacknowledged ones re-sent)');
  for (const tr of report.triggers) {
    assert.equal(tr.missing, 0, `${tr.path}: ${tr.missing} acknowledged events never delivered`);
    assert.ok(tr.distinctDelivered >= tr.expected);
  }
  assert.equal(report.lost, 0);
});
