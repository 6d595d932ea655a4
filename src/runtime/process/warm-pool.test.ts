// Warm pool: eligibility (pure) and real warm processes running a fixture program placed in a
// temporary "images dir".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { detectSetpriv, NodeProcessSpawner, SpawnError, type ProcessSpawner, type SpawnRequest, type SpawnedProcess } from './spawner.js';
import { builtinImageArgv, resolveBuiltinImage } from '../../images/registry.js';
import { freePort } from '../../images/testing.js';
import { BOOTSTRAP_PATH, isStartupOnlyEnv, isWarmEligible, WarmPoolSpawner } from './warm-pool.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

function collect(s: Readable | null): () => string {
  let out = '';
  s?.setEncoding('utf8').on('data', (d: string) => (out += d));
  return () => out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Records what reaches the inner spawner. */
class RecordingSpawner implements ProcessSpawner {
  readonly requests: SpawnRequest[] = [];
  readonly pids: number[] = [];
  constructor(private readonly real: ProcessSpawner) {}
  async spawn(req: SpawnRequest): Promise<SpawnedProcess> {
    this.requests.push(req);
    const p = await this.real.spawn(req);
    this.pids.push(p.pid);
    return p;
  }
  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    this.real.signalGroup(pgid, signal);
  }
  podRequests(): SpawnRequest[] {
    return this.requests.filter((r) => r.argv[1] !== BOOTSTRAP_PATH);
  }
}

describe('isWarmEligible', () => {
  const images = '/opt/skiff/dist/src/images';
  const req = (argv: string[], env: Record<string, string> = {}): SpawnRequest => ({ argv, env });
  const exe = process.execPath;

  test('a built-in image program run by this node is eligible, with args', () => {
    assert.equal(isWarmEligible(req([exe, `${images}/helloworld/main.cjs`]), images), true);
    assert.equal(isWarmEligible(req([exe, `${images}/heartbeats/main.cjs`, '--period=1']), images + '/'), true);
  });

  test('another executable, node flags, programs elsewhere or escaping the dir are not', () => {
    assert.equal(isWarmEligible(req(['/usr/bin/other-node', `${images}/helloworld/main.cjs`]), images), false);
    assert.equal(isWarmEligible(req([exe, '--inspect', `${images}/helloworld/main.cjs`]), images), false);
    assert.equal(isWarmEligible(req([exe, '/home/u/app/main.cjs']), images), false);
    assert.equal(isWarmEligible(req([exe, `${images}/../evil/main.cjs`]), images), false);
    assert.equal(isWarmEligible(req([exe, `${images}x/helloworld/main.cjs`]), images), false);
    assert.equal(isWarmEligible(req([exe, `${images}/helloworld/main.mjs`]), images), false);
    assert.equal(isWarmEligible(req([exe]), images), false);
    assert.equal(isWarmEligible({ argv: [exe, `${images}/a/main.cjs`], env: {}, stdin: 'pipe' }, images), false);
  });

  test('start-up-only variables must match the warm environment; runtime ones need not', () => {
    const prog = [exe, `${images}/helloworld/main.cjs`];
    assert.equal(isWarmEligible(req(prog, { NODE_OPTIONS: '--max-old-space-size=64' }), images), false);
    assert.equal(isWarmEligible(req(prog, { NODE_EXTRA_CA_CERTS: '/ca.pem' }), images), false);
    assert.equal(isWarmEligible(req(prog, { UV_THREADPOOL_SIZE: '8' }), images), false);
    assert.equal(isWarmEligible(req(prog, { LANG: 'de_DE.UTF-8' }), images, { LANG: 'C.UTF-8' }), false);
    assert.equal(isWarmEligible(req(prog, {}), images, { LANG: 'C.UTF-8' }), false);
    assert.equal(isWarmEligible(req(prog, { LANG: 'C.UTF-8', TARGET: 'x' }), images, { LANG: 'C.UTF-8' }), true);
    assert.equal(isWarmEligible(req(prog, { NODE_ENV: 'production', NODE_PATH: '/x', TZ: 'UTC', HOME: '/h', PATH: '/bin' }), images), true);
  });

  test('isStartupOnlyEnv: unknown NODE_* are treated as start-up-only', () => {
    for (const k of ['NODE_OPTIONS', 'NODE_ICU_DATA', 'NODE_DEBUG', 'NODE_SOMETHING_NEW', 'UV_THREADPOOL_SIZE', 'LD_PRELOAD', 'LC_ALL', 'OPENSSL_CONF'])
      assert.equal(isStartupOnlyEnv(k), true, k);
    for (const k of ['NODE_ENV', 'NODE_PATH', 'TZ', 'PATH', 'HOME', 'PORT', 'K_SERVICE']) assert.equal(isStartupOnlyEnv(k), false, k);
  });
});

describe('WarmPoolSpawner (real processes)', { timeout: 20_000 }, () => {
  let dir: string;
  let imagesDir: string;
  let fixture: string;
  let real: ProcessSpawner;

  before(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'skiff-warm-pool-')));
    imagesDir = join(dir, 'images');
    mkdirSync(join(imagesDir, 'probe'), { recursive: true });
    fixture = join(imagesDir, 'probe', 'main.cjs');
    // Reports what it sees; argv[2] picks the behaviour.
    writeFileSync(
      fixture,
      `const mode = process.argv[2];
if (mode === 'idle') { setInterval(() => {}, 1000); process.stdout.write('ready\\n'); }
else {
  let stdinBytes = -1;
  try { stdinBytes = require('node:fs').readFileSync(0).length; } catch {}
  process.stdout.write(JSON.stringify({ main: require.main === module, argv: process.argv, env: process.env, cwd: process.cwd(), title: process.title, stdinBytes }) + '\\n');
  process.stderr.write('to stderr\\n');
  process.exitCode = Number(mode) || 0;
}
`,
    );
    real = new NodeProcessSpawner(await detectSetpriv());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const newPool = (inner: ProcessSpawner, size = 1, refillDelayMs = 20) =>
    new WarmPoolSpawner({ inner, size, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SKIFF_WARM: 'boot-env' }, imagesDir, refillDelayMs, backoff: { initialMs: 50, maxMs: 400 } });

  test('a pooled spawn sees exactly its env, argv and cwd, runs as main, and its output and exit code come back', async () => {
    const inner = new RecordingSpawner(real);
    const pool = newPool(inner);
    pool.start();
    try {
      await until(() => pool.idleCount() === 1);
      const warmPid = pool.idlePids()[0];
      const env = { PATH: '/usr/bin:/bin', TARGET: 'pod', EMPTY: '' };
      const p = await pool.spawn({ argv: [process.execPath, fixture, '3', 'x y'], env, cwd: dir });
      assert.equal(p.pid, warmPid);
      const out = collect(p.stdout);
      const err = collect(p.stderr);
      assert.deepEqual(await p.exited, { code: 3, signal: null });
      await until(() => out().endsWith('\n') && err().length > 0);
      const seen = JSON.parse(out());
      assert.equal(seen.main, true);
      assert.deepEqual(seen.argv, [process.execPath, fixture, '3', 'x y']);
      assert.deepEqual(seen.env, env); // nothing of the warm environment (SKIFF_WARM) is left
      assert.equal(seen.cwd, dir);
      assert.equal(seen.title, `${process.execPath} ${fixture} 3 x y`.slice(0, seen.title.length));
      assert.equal(seen.stdinBytes, 0); // stdin is /dev/null, as for a fresh pod
      assert.equal(err(), 'to stderr\n');
      assert.deepEqual(inner.podRequests(), []); // served by the pool, not the inner spawner
      assert.equal(pool.takenCount(), 1);
    } finally {
      await pool.close();
    }
  });

  test('the built-in helloworld image runs pooled (default images dir, preloaded lib) and answers', async () => {
    const pool = new WarmPoolSpawner({ inner: real, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    pool.start();
    try {
      await until(() => pool.idleCount() === 1);
      const port = await freePort();
      const image = resolveBuiltinImage('ikubernetes/helloworld-go')!;
      const p = await pool.spawn({ argv: builtinImageArgv(image, {}), env: { PATH: '/usr/bin:/bin', PORT: String(port), TARGET: 'warm' } });
      assert.equal(pool.takenCount(), 1);
      const err = collect(p.stderr);
      let body = '';
      for (let i = 0; i < 300 && !body; i++) body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => sleep(5).then(() => ''));
      assert.equal(body, 'Hello warm!\n');
      pool.signalGroup(p.pid, 'SIGTERM');
      assert.deepEqual(await p.exited, { code: 0, signal: null });
      assert.match(err(), /helloworld: starting server\.\.\./);
    } finally {
      await pool.close();
    }
  });

  test('a take triggers one refill (after the delay); SIGTERM to the group ends a pooled program', async () => {
    const pool = newPool(real, 1, 30);
    pool.start();
    try {
      await until(() => pool.idleCount() === 1);
      const first = pool.idlePids()[0];
      const p = await pool.spawn({ argv: [process.execPath, fixture, 'idle'], env: { PATH: '/usr/bin:/bin' } });
      assert.equal(p.pid, first);
      assert.equal(pool.idleCount(), 0);
      const out = collect(p.stdout);
      await until(() => out() === 'ready\n');
      await until(() => pool.idleCount() === 1);
      assert.notEqual(pool.idlePids()[0], first);
      await sleep(60);
      assert.equal(pool.idleCount(), 1, 'never more than size idle');
      pool.signalGroup(p.pid, 'SIGTERM');
      assert.deepEqual(await p.exited, { code: null, signal: 'SIGTERM' });
    } finally {
      await pool.close();
    }
  });

  test('ineligible requests and pool size 0 go to the inner spawner', async () => {
    const inner = new RecordingSpawner(real);
    const pool = newPool(inner);
    pool.start();
    const off = newPool(inner, 0);
    off.start();
    try {
      await until(() => pool.idleCount() === 1);
      const p = await pool.spawn({ argv: [process.execPath, fixture], env: { PATH: '/usr/bin:/bin', NODE_OPTIONS: '--no-warnings' } });
      assert.notEqual(p.pid, pool.idlePids()[0]);
      await p.exited;
      const sh = await pool.spawn({ argv: ['/bin/sh', '-c', 'exit 0'], env: { PATH: '/usr/bin:/bin' } });
      assert.deepEqual(await sh.exited, { code: 0, signal: null });
      // A missing cwd: the inner spawner's error, not a warm process's.
      await assert.rejects(pool.spawn({ argv: [process.execPath, fixture], env: {}, cwd: join(dir, 'nope') }), SpawnError);
      assert.equal(pool.idleCount(), 1);
      const q = await off.spawn({ argv: [process.execPath, fixture], env: { PATH: '/usr/bin:/bin' } });
      await q.exited;
      assert.equal(off.idleCount(), 0);
      assert.equal(inner.podRequests().length, 4);
      assert.equal(inner.requests.filter((r) => r.argv[1] === BOOTSTRAP_PATH).length, 1); // only `pool` booted one
      assert.equal(pool.takenCount() + off.takenCount(), 0);
    } finally {
      await Promise.all([pool.close(), off.close()]);
    }
  });

  test('close() right after start() waits for the warm processes being started and kills them', async () => {
    const inner = new RecordingSpawner(real);
    const pool = newPool(inner, 2);
    pool.start();
    await pool.close();
    assert.equal(inner.pids.length, 2);
    assert.deepEqual(inner.pids.filter(alive), []);
    assert.equal(pool.idleCount(), 0);
  });

  test('close() kills idle warm processes', async () => {
    const pool = newPool(real, 2);
    pool.start();
    await until(() => pool.idleCount() === 2);
    const pids = pool.idlePids();
    await pool.close();
    assert.equal(pool.idleCount(), 0);
    assert.deepEqual(pids.filter(alive), []);
  });

  test('the bootstrap exits 0 when stdin closes before an assignment, and 2 on a malformed one', async () => {
    const idle = await real.spawn({ argv: [process.execPath, BOOTSTRAP_PATH], env: {}, stdin: 'pipe' });
    const idleOut = collect(idle.stdout);
    idle.stdin!.end();
    assert.deepEqual(await idle.exited, { code: 0, signal: null });
    assert.equal(idleOut(), ''); // nothing written while warm

    const bad = await real.spawn({ argv: [process.execPath, BOOTSTRAP_PATH], env: {}, stdin: 'pipe' });
    const badErr = collect(bad.stderr);
    bad.stdin!.end('{"argv": "nope"}\n');
    assert.deepEqual(await bad.exited, { code: 2, signal: null });
    await until(() => badErr().includes('\n'));
    assert.match(badErr(), /warm-node-bootstrap: malformed assignment: argv/);
  });

  test('a warm process that dies idle is replaced, with back-off (no hot loop)', async () => {
    let boots = 0;
    const failing: ProcessSpawner = {
      spawn: (req) => {
        boots++;
        // The "warm process" dies at once, every time.
        return real.spawn({ ...req, argv: [process.execPath, '-e', 'process.exit(1)'] });
      },
      signalGroup: (pgid, sig) => real.signalGroup(pgid, sig),
    };
    const pool = newPool(failing);
    pool.start();
    await sleep(500);
    await pool.close();
    // Back-off 50, 100, 200, 400 ms (+ ~40 ms per boot): at most ~5 boots in 500 ms, not hundreds.
    assert.ok(boots >= 2 && boots <= 6, `boots: ${boots}`);
  });
});
