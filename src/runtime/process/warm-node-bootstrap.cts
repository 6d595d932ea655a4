// A warm node runtime for the warm pool (warm-pool.ts): started ahead of time by the pool (through
// the real spawner, so setpriv --pdeathsig and the detached process group apply), it boots node,
// preloads what every built-in image needs, runs node's HTTP code once (warmUpHttp), then blocks
// on stdin for ONE assignment line:
//   {"argv":[execPath, script, ...args], "env":{...}, "cwd":"/abs"}   (cwd optional)
// and becomes that program: exactly the pod's environment (nothing of Skiff's), its cwd, argv and
// process title, fd 0 re-opened on /dev/null (pods run with stdin ignored), and the script run as
// the main module (`require.main === module`). Node's ~40 ms boot is thus paid before the request.
//
// Rules: writes nothing to stdout/stderr until assigned (those pipes become the pod's logs);
// EOF on stdin before an assignment (Skiff stopped or died) → exit 0 at once; a malformed or
// oversized assignment → a message on stderr and exit 2.
//
// CommonJS like the images (registry.ts says why: a CJS entry point starts faster than ESM).
// A blocking readSync is deliberate: there is nothing else for this process to do while it
// waits, and no event-loop turn is needed between the line arriving and the program starting.
import { closeSync, openSync, readSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import NodeModule = require('node:module');

/** Upper bound on the assignment line (argv + env); Linux's own exec limit is in this range. */
const MAX_ASSIGNMENT_BYTES = 8 * 1024 * 1024;

/**
 * Modules every built-in image loads (or may), all free of side effects at load time: node's
 * HTTP stack and the images' shared lib (relative to dist/src/runtime/process/). Not the
 * cloudevents SDK (loaded lazily by the images that need it) nor node:https (TLS set-up is
 * heavier and only heartbeats posts to https targets).
 */
const PRELOAD = ['node:http', 'node:net', 'node:url', 'node:events', 'node:stream'];
const PRELOAD_LIB = ['runtime.cjs', 'go-compat.cjs', 'cloudevents.cjs', 'cloudevent-server.cjs'];

function fail(message: string): never {
  process.stderr.write(`skiff warm-node-bootstrap: ${message}\n`);
  process.exit(2);
}

function preload(): void {
  for (const id of PRELOAD) require(id);
  const libDir = join(__dirname, '..', '..', 'images', 'lib');
  for (const f of PRELOAD_LIB) {
    try {
      require(join(libDir, f));
    } catch {
      // Not there (a trimmed install, tests): the program loads what it needs itself.
    }
  }
}

/** How long the HTTP warm-up may take before the bootstrap waits for its assignment anyway. */
const WARM_UP_LIMIT_MS = 2000;

/**
 * One request over loopback to a throw-away server (both closed afterwards): runs the code a
 * built-in image runs first — listen (which lazily loads net/dns/cluster internals), accept,
 * parse a request, write a response, and the HTTP client — so V8 has compiled it before the
 * pod's clock starts (~8 ms of a warm start otherwise). Touches no thread pool (IP literals),
 * writes nothing, and leaves no handle open (`Connection: close`, no agent).
 */
function warmUpHttp(done: () => void): void {
  const http = require('node:http') as typeof import('node:http');
  let finished = false;
  const limit = setTimeout(() => finish(), WARM_UP_LIMIT_MS);
  const srv = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '3' });
    res.end('ok\n');
  });
  function finish(): void {
    if (finished) return;
    finished = true;
    clearTimeout(limit);
    srv.close(() => done());
    srv.closeAllConnections();
  }
  srv.on('error', finish);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as AddressInfo;
    const req = http.request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', finish);
      res.on('error', finish);
    });
    req.on('error', finish);
    req.end();
  });
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** The assignment line, or undefined on EOF before a full line. */
function readAssignmentLine(): string | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 5); // a non-blocking stdin (not what the spawner gives): poll gently
        continue;
      }
      if (code === 'EINTR') continue;
      if (code === 'EOF') return undefined;
      fail(`reading the assignment from stdin: ${(e as Error).message}`);
    }
    if (n === 0) return undefined;
    const nl = buf.indexOf(10);
    const end = nl !== -1 && nl < n ? nl : n;
    chunks.push(Buffer.from(buf.subarray(0, end)));
    total += end;
    if (total > MAX_ASSIGNMENT_BYTES) fail(`assignment longer than ${MAX_ASSIGNMENT_BYTES} bytes`);
    if (end < n) return Buffer.concat(chunks, total).toString('utf8');
  }
}

interface Assignment {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
}

function parseAssignment(line: string): Assignment {
  let a: unknown;
  try {
    a = JSON.parse(line);
  } catch (e) {
    fail(`malformed assignment (not JSON): ${(e as Error).message}`);
  }
  if (typeof a !== 'object' || a === null || Array.isArray(a)) fail('malformed assignment: want an object {argv, env, cwd}');
  const { argv, env, cwd } = a as Record<string, unknown>;
  if (!Array.isArray(argv) || argv.length < 2 || !argv.every((x) => typeof x === 'string'))
    fail('malformed assignment: argv must be [execPath, script, ...args] (strings)');
  if (typeof env !== 'object' || env === null || Array.isArray(env) || !Object.values(env).every((v) => typeof v === 'string'))
    fail('malformed assignment: env must be an object of strings');
  if (cwd !== undefined && typeof cwd !== 'string') fail('malformed assignment: cwd must be a string');
  return { argv: argv as string[], env: env as Record<string, string>, ...(cwd !== undefined ? { cwd } : {}) };
}

function become(a: Assignment): void {
  // fd 0 → /dev/null, as for a pod spawned with stdin ignored: close the pipe, and the lowest
  // free descriptor (0) is what open() returns. Nothing has created process.stdin yet, so the
  // program's first use of it sees /dev/null.
  closeSync(0);
  const fd = openSync('/dev/null', 'r');
  if (fd !== 0) closeSync(fd); // cannot happen single-threaded; never leak it
  for (const k of Object.keys(process.env)) delete process.env[k];
  for (const [k, v] of Object.entries(a.env)) process.env[k] = v;
  // Module._initPaths read NODE_PATH and HOME at boot: redo it with the pod's.
  (NodeModule as unknown as { _initPaths?: () => void })._initPaths?.();
  if (a.cwd) {
    try {
      process.chdir(a.cwd);
    } catch (e) {
      fail(`chdir to cwd ("${a.cwd}") failed: ${(e as Error).message}`);
    }
  }
  process.argv = [process.execPath, ...a.argv.slice(1)];
  process.title = a.argv.join(' '); // what ps shows (truncated to this process's original argv length)
}

preload();
warmUpHttp(() => {
  const line = readAssignmentLine();
  if (line === undefined) process.exit(0);
  become(parseAssignment(line));
  // Runs process.argv[1] as the main module (process.mainModule and require.main become it).
  (NodeModule as unknown as { runMain(main?: string): void }).runMain();
});
