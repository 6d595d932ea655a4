// `skiff up` (= `npm start`): parse flags and environment, start Skiff in the
// foreground, print where things are, and stop cleanly on SIGINT/SIGTERM —
// every child process gone before exit. A second SIGINT forces exit.
import { parseArgs } from 'node:util';
import { defaultDataDir, DataDirLockedError } from './data-dir.js';
import { startSkiff } from './skiff.js';

export const DEFAULT_API_PORT = 7080;
export const DEFAULT_HTTP_PORT = 8080;

class UpUsageError extends Error {
  readonly code = 'SKIFF_ERR_UP_USAGE';
}

function portFrom(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UpUsageError(`--${name}: invalid port "${v}" (want 0-65535; 0 picks a free port)`);
  return n;
}

/** Default number of pre-booted node runtimes kept for the built-in images (runtime/process/warm-pool.ts). */
export const DEFAULT_WARM_POOL = 1;
const MAX_WARM_POOL = 16;

function warmPoolFrom(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULT_WARM_POOL;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WARM_POOL) throw new UpUsageError(`--warm-pool: invalid size "${v}" (want 0-${MAX_WARM_POOL}; 0 turns the pool off)`);
  return n;
}

export function parseUpArgs(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        'api-port': { type: 'string' },
        'http-port': { type: 'string' },
        host: { type: 'string' },
        'warm-pool': { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UpUsageError(`skiff up: ${(e as Error).message}`);
  }
  return {
    help: !!values.help,
    dataDir: values['data-dir'] ?? env.SKIFF_DATA_DIR ?? defaultDataDir(),
    apiPort: portFrom('api-port', values['api-port'] ?? env.SKIFF_API_PORT, DEFAULT_API_PORT),
    httpPort: portFrom('http-port', values['http-port'] ?? env.SKIFF_HTTP_PORT, DEFAULT_HTTP_PORT),
    host: values.host ?? env.SKIFF_HOST ?? '127.0.0.1',
    verbose: !!values.verbose || env.SKIFF_VERBOSE === '1',
    warmPool: warmPoolFrom(values['warm-pool'] ?? env.SKIFF_WARM_POOL),
  };
}

const HELP = `Usage: skiff up [--data-dir DIR] [--api-port N] [--http-port N] [--host ADDR] [--warm-pool N] [-v]

Start Skiff in the foreground (embedded mode). Ctrl-C stops it and every process it started.

  --data-dir   state, logs and the lock (env SKIFF_DATA_DIR, default ~/.skiff)
  --api-port   Kubernetes-style API for kubectl and skiff (env SKIFF_API_PORT, default ${DEFAULT_API_PORT}; 0 = any free port)
  --http-port  data-plane gateway (env SKIFF_HTTP_PORT, default ${DEFAULT_HTTP_PORT}; 0 = any free port)
  --host       listen address (env SKIFF_HOST, default 127.0.0.1)
  --warm-pool  node runtimes booted ahead of time for the built-in images, so a cold start skips
               node's boot (env SKIFF_WARM_POOL, default ${DEFAULT_WARM_POOL}; 0 = off)
  -v           verbose logs on stderr
`;

export async function runUp(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseUpArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let skiff;
  try {
    skiff = await startSkiff({ dataDir: o.dataDir, host: o.host, apiPort: o.apiPort, httpPort: o.httpPort, verbose: o.verbose, warmPool: o.warmPool });
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      process.stderr.write(`skiff up: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      process.stderr.write(`skiff up: address already in use (${err.message}); pick another port with --api-port/--http-port\n`);
      return 1;
    }
    process.stderr.write(`skiff up: ${err.message}\n`);
    return 1;
  }
  process.stdout.write(
    [
      `Skiff is up (embedded mode, pid ${process.pid}).`,
      `  API:      ${skiff.apiUrl}   (kubectl: npx skiff kubeconfig > skiff.kubeconfig && export KUBECONFIG=$PWD/skiff.kubeconfig)`,
      `  Gateway:  ${skiff.gatewayUrl}   (e.g. curl -H 'Host: hello.default.example.com' ${skiff.gatewayUrl})`,
      `  State:    ${skiff.dataDir}`,
      `Press Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );
  return await new Promise<number>((resolveExit) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`skiff up: second ${sig}, exiting now\n`);
        process.exit(130);
      }
      process.stdout.write(`\nStopping Skiff (${sig})...\n`);
      skiff
        .stop()
        .then(() => {
          process.stdout.write('Skiff stopped.\n');
          resolveExit(0);
        })
        .catch((e) => {
          process.stderr.write(`skiff up: error while stopping: ${(e as Error).message}\n`);
          resolveExit(1);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
