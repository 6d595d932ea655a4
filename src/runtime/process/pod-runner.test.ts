import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { KObject } from '../../api/meta.js';
import { realClock, silentLogger } from '../deps.js';
import { backoffPolicy } from './backoff.js';
import { PodRunner } from './pod-runner.js';
import { PidFiles } from './reaper.js';
import type { ExitInfo, ProcessSpawner, SpawnedProcess } from './spawner.js';

/** A spawner whose processes exist only as records: spawn resolves at once; SIGKILL makes them exit. */
class FakeSpawner implements ProcessSpawner {
  readonly spawned: number[] = [];
  readonly signals: Array<[number, string]> = [];
  private readonly exits = new Map<number, (e: ExitInfo) => void>();
  private next = 900_000;
  async spawn(): Promise<SpawnedProcess> {
    const pid = this.next++;
    this.spawned.push(pid);
    const exited = new Promise<ExitInfo>((r) => this.exits.set(pid, r));
    return { pid, stdout: new PassThrough(), stderr: new PassThrough(), exited };
  }
  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    this.signals.push([pgid, signal]);
    if (signal === 'SIGKILL') this.exits.get(pgid)?.({ code: null, signal });
  }
}

describe('PodRunner: log set-up runs alongside the spawn', () => {
  test('when the log cannot be set up, the process that was already started is killed and the container reports StartError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-runner-'));
    try {
      // The log directory would have to live under a regular file: mkdir fails.
      await writeFile(join(dir, 'not-a-dir'), '');
      const spawner = new FakeSpawner();
      let changes = 0;
      const pod: KObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default', uid: 'u1' },
        spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'x', command: ['/bin/true'] }] },
      };
      const runner = new PodRunner(
        pod,
        {
          clock: realClock,
          logger: silentLogger,
          spawner,
          resolveImage: () => ({ command: ['/bin/true'] }),
          fetchSources: async () => ({ configMap: () => undefined, secret: () => undefined }),
          backoff: backoffPolicy({ initialMs: 10 }),
          baseEnv: { PATH: '/usr/bin:/bin' },
          agentId: 'test',
          pidFiles: new PidFiles(join(dir, 'run')),
          logMaxBytes: 1 << 20,
          onChange: () => void changes++,
        },
        join(dir, 'not-a-dir', 'logs'),
      );
      runner.start([]);
      const deadline = Date.now() + 5000;
      while (!('terminated' in runner.slots[0].status.state) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const st = runner.slots[0].status;
      assert.ok('terminated' in st.state, `terminated, got ${JSON.stringify(st.state)}`);
      assert.equal(st.state.terminated.reason, 'StartError');
      assert.equal(st.state.terminated.exitCode, 128);
      assert.equal(st.restartCount, 0);
      assert.equal(spawner.spawned.length, 1, 'the spawn ran alongside the log set-up');
      assert.deepEqual(spawner.signals.filter(([, s]) => s === 'SIGKILL').map(([p]) => p), [spawner.spawned[0]], 'and its process group was killed');
      assert.equal(runner.pids().length, 0, 'nothing reported as running');
      assert.ok(changes > 0);
      await runner.terminate(0);
      runner.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
