#!/usr/bin/env node
// Test runner: finds compiled test files under dist/ and hands them to node's
// built-in runner (node:test). Node 20's --test takes no globs, hence this file.
//   node scripts/run-tests.mjs            all tests (unit beside code, then e2e in test/)
//   node scripts/run-tests.mjs --unit     only dist/src/**/*.test.js
//   node scripts/run-tests.mjs PATTERN    only files whose path contains PATTERN
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = walk('dist/src', []).sort();
if (!unitOnly) files = files.concat(walk('dist/test', []).sort());
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, SKIFF_TEST: '1' },
});
process.exit(r.status ?? 1);
