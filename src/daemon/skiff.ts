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
import { hpaSyncPeriodFromEnv, initialReadinessDelayFromEnv, ProcMetricsReader, startAutoscaling } from '../serving/autoscaler/runner/index.js';
import { servingConfigMaps } from '../serving/config/bootstrap.js';
import { startServingRevisionControllers } from '../serving/controllers/index.js';
import { startServingRoutingControllers } from '../serving/controllers/routing-index.js';
import { startDataPlane } from '../serving/dataplane/host.js';
import { DataPlaneFeed } from '../serving/dataplane-feed/feed.js';
import { registerServing } from '../serving/register.js';
import { realClock } from '../controller/clock.js';
import { registerEventing } from '../eventing/register.js';
import { eventingConfigMaps } from '../eventing/config/bootstrap.js';
import { BrokerPlane, BROKER_CLASSES } from '../eventing/broker/broker-plane.js';
import { ChannelPlane } from '../eventing/channel/channel-plane.js';
import { startEventingControllers, eventingDataPlaneFrom } from '../eventing/controllers/index.js';
import { startEventingSources } from '../eventing/sources/index.js';
import { createHttpSender } from '../eventing/delivery/http-sender.js';
import { viaGateway } from '../eventing/delivery/gateway-sender.js';
import { grOf } from '../api/registry.js';
import { createServer, type Server } from 'node:http';
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
  /** Pre-booted node runtimes for the built-in images (the node agent's default when absent: 1; 0 = off). */
  warmPool?: number;
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
    registerEventing(registry);

    const svc = new ObjectService(store, registry);
    svc.bootstrap();
    ensureObjects(svc, 'core/configmaps', [...servingConfigMaps(), ...eventingConfigMaps()]);

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
      ...(opts.warmPool !== undefined ? { warmPool: opts.warmPool } : {}),
      // Drain a pod out of the data plane before it gets SIGTERM (queue-proxy's wait-for-drain).
      beforeTerminate: (pod) => feed?.drain(pod) ?? Promise.resolve(),
    });
    // HPA-class revisions read pod CPU / memory from /proc, for the pids the node agent runs.
    const processMetrics = new ProcMetricsReader({ pidsOf: (ns, pod) => agent.pidsOf(ns, pod) });
    const hpaSyncPeriodMs = hpaSyncPeriodFromEnv(process.env);
    const hpaInitialReadinessDelayMs = initialReadinessDelayFromEnv(process.env);
    const autoscaling = startAutoscaling({ client, informers, recorder, clock: realClock, logger, processMetrics, hpaSyncPeriodMs, hpaInitialReadinessDelayMs });
    feed = new DataPlaneFeed({ informers, dataPlane, metrics: autoscaling.metrics, clock: realClock, logger });
    const revisionControllers = startServingRevisionControllers({ client, informers, recorder, clock: realClock, logger, podLogs: agent });
    const routing = startServingRoutingControllers({ client, informers, recorder, clock: realClock, logger, programmer: feed });
    const controllers: Controller[] = [...newWorkloadControllers({ client, informers, logger, recorder })];

    // Eventing: broker ingress and channel dispatch behind one internal port;
    // the gateway forwards broker-ingress.knative-eventing… and *-kn-channel…
    // hosts to it, and deliveries to Knative addresses go back through the gateway.
    const sender = createHttpSender();
    cleanups.push(() => sender.close());
    const send = viaGateway(sender.send, gatewayUrl);
    const brokerPlane = new BrokerPlane({ dataDir, send });
    const channelPlane = new ChannelPlane({ dataDir, send });
    cleanups.push(async () => {
      await brokerPlane.close();
      await channelPlane.close();
    });
    const eventingServer: Server = createServer((req, res) => {
      const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
      if (host.startsWith('broker-ingress.')) brokerPlane.handler(req, res);
      else channelPlane.handler(req, res);
    });
    eventingServer.keepAliveTimeout = 65_000;
    const eventingPort = await new Promise<number>((resolvePort, reject) => {
      eventingServer.once('error', reject);
      eventingServer.listen(0, '127.0.0.1', () => resolvePort((eventingServer.address() as { port: number }).port));
    });
    cleanups.push(() => new Promise<void>((r) => {
      eventingServer.closeAllConnections?.();
      eventingServer.close(() => r());
    }));
    const eventingUrl = `http://127.0.0.1:${eventingPort}`;
    const staticBackends: Record<string, string> = {};
    for (const h of ['broker-ingress.knative-eventing', 'broker-ingress.knative-eventing.svc', 'broker-ingress.knative-eventing.svc.cluster.local'])
      staticBackends[h] = eventingUrl;
    for (const p of ['*-kn-channel.*', '*-kn-channel.*.svc', '*-kn-channel.*.svc.cluster.local']) staticBackends[p] = eventingUrl;
    feed.setStaticBackends(staticBackends);
    const eventing = startEventingControllers({
      client,
      informers,
      recorder,
      clock: realClock,
      logger,
      dataPlane: eventingDataPlaneFrom({ broker: brokerPlane, channel: channelPlane, brokerClasses: BROKER_CLASSES }),
      kindToGr: (apiVersion, kind) => {
        const t = registry.byApiVersionKind(apiVersion, kind);
        return t ? grOf(t) : undefined;
      },
    });
    // Sources (Ping, ApiServer, Container, SinkBinding) run their adapters in process.
    const sources = startEventingSources({
      client,
      informers,
      recorder,
      clock: realClock,
      logger,
      send,
      kindToGr: (apiVersion, kind) => {
        const t = registry.byApiVersionKind(apiVersion, kind);
        return t ? grOf(t) : undefined;
      },
    });

    informers.start();
    await informers.waitForSync();
    await agent.start();
    cleanups.push(() => agent.stop());
    for (const c of controllers) c.start();
    cleanups.push(async () => {
      feed?.stop();
      await Promise.all([...controllers.map((c) => c.stop()), revisionControllers.stop(), routing.stop(), autoscaling.stop(), eventing.stop(), sources.stop()]);
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
