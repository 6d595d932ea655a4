import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { ContainerLog, formatLogRecord, parseLogRecord, renderLog, rfc3339Nano, streamContainerLog } from './log-files.js';

const T = Date.parse('2026-01-01T00:00:00.250Z');

function collector() {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { out, text: () => text };
}

describe('CRI log records', () => {
  test('format and parse round trip', () => {
    const line = formatLogRecord(T, 'stderr', false, 'oops: a b c');
    assert.equal(line, '2026-01-01T00:00:00.250000000Z stderr F oops: a b c\n');
    assert.deepEqual(parseLogRecord(line.trimEnd()), { time: rfc3339Nano(T), stream: 'stderr', partial: false, text: 'oops: a b c' });
  });

  test('renderLog: tail, since, timestamps, partial lines joined', () => {
    const stored =
      formatLogRecord(T, 'stdout', false, 'one') +
      formatLogRecord(T + 1000, 'stdout', true, 'tw') +
      formatLogRecord(T + 1000, 'stdout', false, 'o') +
      formatLogRecord(T + 2000, 'stderr', false, 'three');
    assert.equal(renderLog(stored, {}), 'one\ntwo\nthree\n');
    assert.equal(renderLog(stored, { tailLines: 2 }), 'two\nthree\n');
    assert.equal(renderLog(stored, { tailLines: 0 }), '');
    assert.equal(renderLog(stored, { sinceMs: T + 1500 }), 'three\n');
    assert.equal(renderLog(stored, { tailLines: 1, timestamps: true }), '2026-01-01T00:00:02.250000000Z three\n');
  });
});

describe('ContainerLog', () => {
  test('instances rotate into previous, size rotation keeps .1, follow sees new lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-log-'));
    try {
      let now = T;
      const log = new ContainerLog(dir, 'app', { maxBytes: 300, now: () => now });
      await log.beginInstance();
      const out1 = new PassThrough();
      log.attach(out1, 'stdout');
      out1.write('first instance\npartial');
      out1.end();
      await log.endInstance(false);
      await log.beginInstance();
      const prev = collector();
      await streamContainerLog(log, { previous: true }, prev.out, new AbortController().signal, now);
      assert.equal(prev.text(), 'first instance\npartial\n');

      const out2 = new PassThrough();
      log.attach(out2, 'stdout');
      const ac = new AbortController();
      const follow = collector();
      const done = streamContainerLog(log, { follow: true }, follow.out, ac.signal, now);
      for (let i = 0; i < 6; i++) {
        now += 1000;
        out2.write(`line ${i} ${'x'.repeat(30)}\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await log.flush();
      out2.end();
      await log.endInstance(true); // final: follow ends
      await done;
      assert.equal(follow.text().split('\n').filter(Boolean).length, 6);
      assert.ok(log.rotations >= 1, 'rotated at 300 bytes');
      const rotated = await readFile(join(dir, 'app.log.1'), 'utf8');
      assert.match(rotated, /line 0/);
      const tail = collector();
      await streamContainerLog(log, { tailLines: 2 }, tail.out, new AbortController().signal, now);
      assert.equal(tail.text(), `line 4 ${'x'.repeat(30)}\nline 5 ${'x'.repeat(30)}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
