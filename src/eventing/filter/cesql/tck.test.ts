// Runs every case of the official CESQL TCK (shared/conformance/cesql_tck/*.yaml, copied unchanged
// from cloudevents/spec) as its own test. The TCK directory is found by walking up from this file,
// so the test works both from the main checkout (/work/main) and from a worktree (/work/wt/x).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { CesqlError, compileCesql } from './index.js';

const TCK_RELATIVE = join('shared', 'conformance', 'cesql_tck');

function findTckDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, TCK_RELATIVE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface TckCase {
  name: string;
  expression: string;
  result?: boolean | number | string;
  error?: string;
  event?: Record<string, unknown>;
  eventOverrides?: Record<string, unknown>;
}

interface TckFile {
  name: string;
  tests: TckCase[];
}

// "If absent, any valid event can be passed": a minimal valid CloudEvent (required attributes only).
const BASE_EVENT: Readonly<Record<string, unknown>> = {
  specversion: '1.0',
  id: 'tck-id',
  source: 'http://tck.example/source',
  type: 'tck.type',
};

function eventFor(c: TckCase): Record<string, unknown> {
  return { ...(c.event ?? BASE_EVENT), ...(c.eventOverrides ?? {}) };
}

const tckDir = findTckDir();

if (tckDir === undefined) {
  test('CESQL TCK is present', () => {
    assert.fail(
      `CESQL TCK not found: no ancestor of ${dirname(fileURLToPath(import.meta.url))} contains ${TCK_RELATIVE}`,
    );
  });
} else {
  const files = readdirSync(tckDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  let total = 0;
  let passed = 0;

  describe('CESQL TCK', () => {
    test('TCK directory has test files', () => {
      assert.ok(files.length > 0, `no *.yaml files in ${tckDir}`);
    });

    for (const file of files) {
      const text = readFileSync(join(tckDir, file), 'utf8');
      const suite = parseYaml(text) as TckFile;
      // Plain scalars such as `TRUE` or `-10` resolve to booleans/numbers under the default
      // schema; the failsafe schema keeps every scalar as its source text, which is what an
      // expression is. Results and event attributes keep their typed values.
      const sources = parseYaml(text, { schema: 'failsafe' }) as { tests: { expression: string }[] };
      suite.tests.forEach((c, i) => {
        c.expression = sources.tests[i].expression;
      });
      for (const c of suite.tests) {
        total++;
        test(`${file}: ${c.name}`, () => {
          if (c.error === 'parse') {
            assert.throws(
              () => compileCesql(c.expression),
              (e: unknown) => e instanceof CesqlError && e.kind === 'parse' && e.code === 'SKIFF_ERR_CESQL_PARSE',
            );
            // A parse failure's value is the Boolean zero value.
            if (c.result !== undefined) assert.equal(c.result, false);
            passed++;
            return;
          }
          const { value, errors } = compileCesql(c.expression).evaluate(eventFor(c));
          if (c.result !== undefined) assert.strictEqual(value, c.result);
          const kinds = [...new Set(errors.map((e) => e.kind))];
          assert.deepEqual(kinds, c.error === undefined ? [] : [c.error], errors.map((e) => e.message).join('; '));
          passed++;
        });
      }
    }

    after(() => {
      console.log(`CESQL TCK: ${passed}/${total} cases passed`);
    });
  });
}
