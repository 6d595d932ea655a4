// Process tests: the compiled admin-box program runs the pod's command.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinImageArgv, resolveBuiltinImage } from '../registry.js';
import { isAlive, spawnUnderDisposableParent, startImage, waitUntilGone } from '../testing.js';

describe('admin-box image', { timeout: 10_000 }, () => {
  test('runs `sh -c "echo hi"` (kubectl run client --image=ikubernetes/admin-box -- sh -c ...)', async () => {
    const img = await startImage('ikubernetes/admin-box:v1.2', { args: ['sh', '-c', 'echo hi'], waitForPort: false });
    assert.deepEqual(await img.exited(3000), { code: 0, signal: null });
    assert.equal(img.stdout(), 'hi\n');
  });

  test('command + args run as given and the exit status is passed on', async () => {
    const img = await startImage('ikubernetes/admin-box', { command: ['/bin/sh'], args: ['-c', 'echo "$0" >&2; exit 3'], waitForPort: false });
    assert.equal((await img.exited(3000)).code, 3);
    assert.equal(img.stderr(), '/bin/sh\n');
  });

  test('an unknown command exits 127 with a container-runtime-like message', async () => {
    const img = await startImage('ikubernetes/admin-box', { args: ['no-such-command-skiff'], waitForPort: false });
    assert.equal((await img.exited(3000)).code, 127);
    assert.match(img.stderr(), /exec: "no-such-command-skiff": executable file not found in \$PATH/);
  });

  test('with no command it idles until SIGTERM, then exits 0', async () => {
    const img = await startImage('ikubernetes/admin-box', { waitForPort: false });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(isAlive(img.proc.pid!));
    img.proc.kill('SIGTERM');
    assert.deepEqual(await img.exited(1000), { code: 0, signal: null });
  });

  test('when its parent dies it stops its command and exits within ~2 s', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'skiff-admin-box-')), 'pid');
    const argv = builtinImageArgv(resolveBuiltinImage('ikubernetes/admin-box')!, {
      args: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`],
    });
    const { pid, killParent } = await spawnUnderDisposableParent(argv, { PATH: process.env.PATH ?? '' });
    let commandPid = 0;
    for (let i = 0; i < 100 && !commandPid; i++) {
      await new Promise((r) => setTimeout(r, 20));
      commandPid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : 0);
    }
    assert.ok(commandPid > 0 && isAlive(commandPid), 'the command runs');
    killParent();
    assert.ok((await waitUntilGone(pid, 2500)) <= 2500);
    await waitUntilGone(commandPid, 1000);
  });
});
