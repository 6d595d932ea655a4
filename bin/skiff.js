#!/usr/bin/env node
// Entry point for the `skiff` CLI. The TypeScript sources compile to dist/;
// `npm start` / `npm test` build first, so a fresh clone works after `npm ci`.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  // First use from a fresh clone: compile once (quietly), then run.
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
await import(pathToFileURL(main).href);
