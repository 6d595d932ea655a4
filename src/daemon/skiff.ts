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
import { startAutoscaling } from '../serving/autoscaler/runner/index.js';
import { servingConfigMaps } from '../serving/config/bootstrap.js';
import { startServingRevisionControllers } from '../serving/controllers/index.js';
import { startServingRoutingControllers } from '../serving/controllers/routing-index.js';
import { startDataPlane } from '../serving/dataplane/host.js';
import { DataPlaneFeed } from '../serving/dataplane-feed/feed.js';
import { registerServing } from '../serving/register.js';
import { realClock } from '../controller/clock.js';
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

/**
 * The environment every workload process starts from: the machine basics plus
 * the gateway as HTTP proxy, so cluster-local names (hello.default,
 * broker-ingress.knative-eventing.svc.cluster.local) resolve with no DNS set-up.
 */
export function workloadBaseEnv(gatewayUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SHELL', 'TERM'])
    if (process.env[k] !== undefined) env[k] = process.env[k]!;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.HTTP_PROXY = env.http_proxy = gatewayUrl;
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost,::1';
  env.SKIFF_GATEWAY = gatewayUrl;
  return env;
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

    // The data plane (gateway + activator + queue) runs in a worker thread.
    const dataPlane = startDataPlane({ host: opts.host, port: opts.httpPort });
    cleanups.push(() => dataPlane.stop({ graceMs: 5000 }));
    const { port: httpPort } = await dataPlane.ready;
    const gatewayUrl = `http://${opts.host}:${httpPort}`;

    let feed: DataPlaneFeed | undefined;
    const agent = new NodeAgent({
      client,
      dataDir,
      logger,
      recorder,
      informers,
      baseEnv: workloadBaseEnv(gatewayUrl),
      // Drain a pod out of the data plane before it gets SIGTERM (queue-proxy's wait-for-drain).
      beforeTerminate: (pod) => feed?.drain(pod) ?? Promise.resolve(),
    });
    const autoscaling = startAutoscaling({ client, informers, recorder, clock: realClock, logger });
    feed = new DataPlaneFeed({ informers, dataPlane, metrics: autoscaling.metrics, clock: realClock, logger });
    const revisionControllers = startServingRevisionControllers({ client, informers, recorder, clock: realClock, logger, podLogs: agent });
    const routing = startServingRoutingControllers({ client, informers, recorder, clock: realClock, logger, programmer: feed });
    const controllers: Controller[] = [...newWorkloadControllers({ client, informers, logger, recorder })];

    informers.start();
    await informers.waitForSync();
    await agent.start();
    cleanups.push(() => agent.stop());
    for (const c of controllers) c.start();
    cleanups.push(async () => {
      feed?.stop();
      await Promise.all([...controllers.map((c) => c.stop()), revisionControllers.stop(), routing.stop(), autoscaling.stop()]);
    });
    feed.schedule();

    const api: ApiServer = createApiServer({
      svc,
      logs: agent,
      // GET /debug/skiff/autoscaler: decider tick lateness and the data plane's stats cadence (DELETE resets).
      debug: {
        autoscaler: {
          read: () => ({ ticks: autoscaling.tickStats(), stats: feed!.statsCadence(), metrics: autoscaling.metrics.stats() }),
          reset: () => {
            autoscaling.resetTickStats();
            feed!.resetStatsCadence();
          },
        },
      },
    });
    const apiPort = await api.listen(opts.apiPort, opts.host);
    cleanups.push(() => api.close());

    const apiUrl = `http://${opts.host}:${apiPort}`;
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
