// The composition root: builds the embedded Skiff from its parts — SQLite
// store, registry of kinds, ObjectService + garbage collector, the HTTP API,
// the node agent with its workload controllers — and tears it down in the
// reverse order so that no child process outlives it. `skiff up` (up.ts)
// and the end-to-end tests both start Skiff through startSkiff().
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registerCoreKinds } from '../api/core/kinds.js';
import type { KObject } from '../api/meta.js';
import { ResourceRegistry } from '../api/registry.js';
import { createApiServer, type ApiServer } from '../apiserver/http-server.js';
import { GarbageCollector } from '../apiserver/garbage-collector.js';
import { ObjectService } from '../apiserver/object-service.js';
import { InProcessClient } from '../client/in-process-client.js';
import type { Controller } from '../controller/controller.js';
import { ApiEventRecorder } from '../controller/events.js';
import { SharedInformerFactory } from '../controller/informer.js';
import { consoleLogger, silentLogger, type Logger } from '../controller/logger.js';
import { NodeAgent } from '../runtime/agent.js';
import { newWorkloadControllers } from '../runtime/workloads/index.js';
import { servingConfigMaps } from '../serving/config/bootstrap.js';
import { registerServing } from '../serving/register.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { lockDataDir, removeInstanceRecord, writeInstanceRecord } from './data-dir.js';

export interface SkiffOptions {
  dataDir: string;
  host: string;
  apiPort: number; // 0 = ephemeral
  httpPort: number; // 0 = ephemeral
  verbose?: boolean;
  logger?: Logger;
}

export interface RunningSkiff {
  apiUrl: string;
  gatewayUrl: string;
  apiPort: number;
  httpPort: number;
  dataDir: string;
  svc: ObjectService;
  stop(): Promise<void>;
}

function ensureObjects(svc: ObjectService, gr: string, objects: KObject[]): void {
  for (const o of objects) {
    if (!svc.store.get(gr, o.metadata.namespace ?? '', o.metadata.name!)) svc.create(gr, o, { internal: true });
  }
}

export async function startSkiff(opts: SkiffOptions): Promise<RunningSkiff> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir);
  const logger = opts.logger ?? (opts.verbose ? consoleLogger('skiff', true) : silentLogger);
  const cleanups: Array<() => Promise<void> | void> = [() => lock.release()];
  const stopAll = async () => {
    while (cleanups.length) {
      const c = cleanups.pop()!;
      try {
        await c();
      } catch (e) {
        logger.error('shutdown step failed', { error: e as Error });
      }
    }
  };
  try {
    const store: Store = openSqliteStore(join(dataDir, 'state.db'));
    cleanups.push(() => store.close());

    const registry = new ResourceRegistry();
    registerCoreKinds(registry);
    registerServing(registry);

    const svc = new ObjectService(store, registry);
    svc.bootstrap();
    ensureObjects(svc, 'core/configmaps', servingConfigMaps());

    const gc = new GarbageCollector(svc);
    gc.start();
    cleanups.push(() => gc.stop());

    const client = new InProcessClient(svc);
    const recorder = new ApiEventRecorder(client, { component: 'skiff' });
    const informers = new SharedInformerFactory(client, { logger });
    cleanups.push(() => informers.stop());

    const agent = new NodeAgent({ client, dataDir, logger, recorder, informers });
    const controllers: Controller[] = [...newWorkloadControllers({ client, informers, logger, recorder })];

    informers.start();
    await informers.waitForSync();
    await agent.start();
    cleanups.push(() => agent.stop());
    for (const c of controllers) c.start();
    cleanups.push(async () => {
      await Promise.all(controllers.map((c) => c.stop()));
    });

    const api: ApiServer = createApiServer({ svc, logs: agent });
    const apiPort = await api.listen(opts.apiPort, opts.host);
    cleanups.push(() => api.close());

    // The data-plane gateway arrives with Serving; until then the port is not opened.
    const httpPort = opts.httpPort;
    const apiUrl = `http://${opts.host}:${apiPort}`;
    const gatewayUrl = `http://${opts.host}:${httpPort}`;
    writeInstanceRecord(dataDir, { api: apiUrl, gateway: gatewayUrl, pid: process.pid, dataDir, startedAt: new Date().toISOString() });
    cleanups.push(() => removeInstanceRecord(dataDir));

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      gatewayUrl,
      apiPort,
      httpPort,
      dataDir,
      svc,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
