// Cold-start benchmark for the built-in images: time from spawn to the first HTTP response, for
// each server image and for a bare `node -e` http server (the baseline Skiff's cold starts are
// compared with). Runs them interleaved and prints medians and the difference to the baseline.
//   npm run build && node dist/src/images/startup-bench.js [runs=21] [image ...]
// A script, not a test: timings on a shared machine are too noisy to assert on.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { builtinImageArgv, resolveBuiltinImage } from './registry.js';
import { freePort } from './testing.js';

const BASELINE = ['-e', "require('node:http').createServer((q,s)=>s.end('hi')).listen(+process.env.PORT,'127.0.0.1')"];

function get(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: path === '/' ? 'GET' : 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

async function timeToFirstResponse(argv: readonly string[], env: Record<string, string>, path: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) }, stdio: 'ignore' });
  for (;;) {
    try {
      await get(port, path);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  const took = performance.now() - t0;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return took;
}

const runs = Number(process.argv[2] ?? 21);
const names = process.argv.slice(3);
const candidates: Record<string, { argv: readonly string[]; env: Record<string, string>; path: string }> = {
  'node -e (baseline)': { argv: [process.execPath, ...BASELINE], env: {}, path: '/' },
};
for (const [ref, env, path] of [
  ['ikubernetes/helloworld-go', {}, '/'],
  ['gcr.io/knative-samples/autoscale-go', {}, '/'],
  ['ikubernetes/event_display', {}, '/healthz'],
  ['ikubernetes/appender', {}, '/'],
  ['villardl/filter-nodejs', { FILTER: 'true' }, '/'],
] as const) {
  const image = resolveBuiltinImage(ref)!;
  if (names.length && !names.includes(image.name)) continue;
  candidates[image.name] = { argv: builtinImageArgv(image), env, path };
}

const samples: Record<string, number[]> = {};
for (let i = 0; i < runs; i++) {
  for (const [name, c] of Object.entries(candidates)) (samples[name] ??= []).push(await timeToFirstResponse(c.argv, c.env, c.path));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(samples['node -e (baseline)']!);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`${name.padEnd(20)} median ${m.toFixed(1)} ms  (+${(m - base).toFixed(1)} ms, ×${(m / base).toFixed(3)})`);
}
