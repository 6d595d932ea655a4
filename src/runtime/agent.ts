// The node agent: embedded mode's kubelet. It watches Pods in every
// namespace through the ApiClient, runs each Pod's containers as local
// processes (process/pod-runner.ts), writes Pod status (only when it changed),
// owns the container log files and serves them (PodLogSource).
//
// Pod life cycle as seen from the API:
//  - Admission: before starting anything the agent binds the pod
//    (`spec.nodeName`), records its host ports (`skiff.dev/ports`, see
//    process/ports.ts) and adds the finalizer `skiff.dev/agent`, in one
//    update. From then on a delete only marks the pod (deletionTimestamp).
//  - Deletion: the agent runs preStop hooks, SIGTERMs each process group,
//    SIGKILLs after `metadata.deletionGracePeriodSeconds` (else
//    `spec.terminationGracePeriodSeconds`, default 30), then removes its
//    finalizer, which completes the delete. A process that exits on SIGTERM
//    makes `kubectl delete pod` return at once; `--grace-period=0` kills now.
//  - Agent restart: leftovers of the previous run are reaped first
//    (process/reaper.ts); then every pod in the store gets processes again
//    (restartCount + 1; restart policy applies, so a Never pod that was
//    running is reported Failed). Succeeded/Failed pods are not re-run.
//  - stop(): SIGTERM everything, SIGKILL after the grace period (capped by
//    `maxStopGraceMs`); pod objects are left as they are for the next start.
// Not done: restarting a container when its image is changed on a running
// pod (kubelet does); pods are otherwise immutable, so nothing else to follow.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, notFound } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { clone } from '../api/meta.js';
import { deepEqual } from '../api/json.js';
import type { ApiClient } from '../client/client.js';
import { realClock, silentLogger, type Clock, type Logger } from './deps.js';
import type { PodLogOptions, PodLogSource } from './logs.js';
import { backoffPolicy, type BackoffPolicy } from './process/backoff.js';
import { referencedSources, type ConfigSources } from './process/container-config.js';
import { builtinImageRegistry } from './builtin-images.js';
import type { ImageResolver } from './process/images.js';
import { ContainerLog, DEFAULT_LOG_MAX_BYTES, streamContainerLog } from './process/log-files.js';
import { LocalVolumes } from './process/local-volumes.js';
import { PodRunner, type VolumeHook } from './process/pod-runner.js';
import { assignPorts, formatPortMappings, LoopbackPortAllocator, mappingsCover, parsePortMappings, portNeeds, PORTS_ANNOTATION, type PortAllocator, type PortMapping } from './process/ports.js';
import { procfsAvailable } from './process/procfs.js';
import { AGENT_ID_ENV, agentIdFor, AgentLock, killMarked, PidFiles, reapStragglers } from './process/reaper.js';
import { detectSetpriv, NodeProcessSpawner, type ProcessSpawner } from './process/spawner.js';
import { WarmPoolSpawner } from './process/warm-pool.js';
import type { EventRecorder } from '../controller/events.js';
import { Informer, type SharedInformerFactory } from '../controller/informer.js';

export const AGENT_FINALIZER = 'skiff.dev/agent';
export const DEFAULT_NODE_NAME = 'skiff';
const PODS = 'core/pods';
/** How long a fresh pod's first status ("ContainerCreating") may wait for the container to start instead. */
const FIRST_STATUS_HOLD_MS = 250;

/** Variables passed through from Skiff's own environment; everything else stays out of workloads. */
const PASS_THROUGH_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SHELL', 'TERM'];

export interface NodeAgentOptions {
  client: ApiClient;
  /** Logs, pid files and the lock live here. */
  dataDir: string;
  nodeName?: string;
  clock?: Clock;
  logger?: Logger;
  /** Default: child_process with setpriv --pdeathsig when available, behind the warm pool. */
  spawner?: ProcessSpawner;
  /**
   * Idle pre-booted node runtimes kept for the built-in images (process/warm-pool.ts), so a cold
   * start skips node's boot. Default 1; 0 = off. Ignored when `spawner` is given.
   */
  warmPool?: number;
  /** Default: use setpriv when it works ('auto'). */
  pdeathsig?: boolean | 'auto';
  ports?: PortAllocator;
  /** Image → command resolution (default: the built-in sample images, else a container `command`). */
  images?: ImageResolver;
  /** Crash-loop back-off (default kubelet's 10 s … 5 min). */
  backoff?: Partial<BackoffPolicy>;
  /** Probe period for every pod (tests). */
  probePeriodMs?: number;
  logMaxBytes?: number;
  /** Environment every process starts from (default: PATH, HOME, USER, LANG… from Skiff's own). */
  baseEnv?: Record<string, string>;
  /** Cap on the grace period when the agent itself stops. Default 30 s. */
  maxStopGraceMs?: number;
  /** Pod volumes (default: LocalVolumes — files under `<dataDir>/volumes`, mounted in a private mount namespace). */
  volumes?: VolumeHook;
  /** LocalVolumes' configMap/secret refresh period (default 10 s). */
  volumeRefreshMs?: number;
  /** Kubernetes Events for pods (Scheduled, Started, Killing, BackOff, Unhealthy, Failed); default: none. */
  recorder?: EventRecorder;
  /** Share the composition root's informers (one Pod watch for everyone); default: a private Pod informer. */
  informers?: SharedInformerFactory;
  /**
   * Called when a pod is being deleted, before its preStop hook and SIGTERM:
   * the composition root drains the pod out of the data plane here (no new
   * requests routed to it, in-flight ones finish). Bounded by the grace period.
   */
  beforeTerminate?: (pod: KObject, graceMs: number) => Promise<void>;
}

interface PodEntry {
  runner: PodRunner;
  admitted?: Promise<boolean>;
  deleting?: Promise<void>;
  writing?: Promise<void>;
  dirty?: boolean;
  /** 'hold' until the first status report, then its timer while that report is held back. */
  firstStatus?: 'hold' | ReturnType<Clock['setTimeout']>;
  ports: number[];
}

function baseEnvFromProcess(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH_ENV) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return env;
}

function isConflict(e: unknown): boolean {
  return (e as { status?: number })?.status === 409;
}

function gracePeriodMs(pod: KObject): number {
  const g = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, Number(g) || 0) * 1000;
}

export class NodeAgent implements PodLogSource {
  readonly nodeName: string;
  readonly images: ImageResolver;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly ports: PortAllocator;
  private readonly pidFiles: PidFiles;
  private readonly lock: AgentLock;
  private readonly backoff: BackoffPolicy;
  private readonly baseEnv: Record<string, string>;
  private readonly volumes: VolumeHook;
  private spawner?: ProcessSpawner;
  private warmPool?: WarmPoolSpawner;
  private agentId = '';
  private procfs = false;
  private informer?: Informer;
  private unregister?: () => void;
  private readonly pods = new Map<string, PodEntry>(); // by uid
  private readonly finished = new Set<string>(); // uids of Succeeded/Failed pods not re-run
  private started = false;
  private stopping = false;

  constructor(private readonly opts: NodeAgentOptions) {
    this.client = opts.client;
    this.nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.ports = opts.ports ?? new LoopbackPortAllocator();
    this.images = opts.images ?? builtinImageRegistry().resolve;
    this.pidFiles = new PidFiles(join(opts.dataDir, 'run'));
    this.lock = new AgentLock(join(opts.dataDir, 'agent.lock'));
    this.backoff = backoffPolicy(opts.backoff);
    this.baseEnv = opts.baseEnv ?? baseEnvFromProcess();
    this.volumes =
      opts.volumes ??
      new LocalVolumes({
        client: this.client,
        dataDir: opts.dataDir,
        clock: this.clock,
        logger: this.logger,
        refreshMs: opts.volumeRefreshMs,
        event: opts.recorder ? (pod, type, reason, message) => opts.recorder!.event(pod, type, reason, message) : undefined,
      });
  }

  private logDir(pod: KObject): string {
    return join(this.opts.dataDir, 'logs', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
  }

  async start(): Promise<void> {
    if (this.started) return;
    await mkdir(join(this.opts.dataDir, 'logs'), { recursive: true });
    await this.pidFiles.init();
    await this.lock.acquire();
    this.agentId = await agentIdFor(this.opts.dataDir);
    if (this.opts.spawner) this.spawner = this.opts.spawner;
    else {
      const want = this.opts.pdeathsig ?? 'auto';
      const setpriv = want === false ? undefined : await detectSetpriv();
      if (!setpriv && want !== false)
        this.logger.warn('setpriv --pdeathsig is not available: pod processes will outlive a killed Skiff until its next start reaps them');
      const inner = new NodeProcessSpawner(setpriv);
      const size = this.opts.warmPool ?? 1;
      if (size > 0) {
        // Booted with the pods' base env plus the agent marker, so the start-up reaper also finds warm processes a killed Skiff left.
        this.warmPool = new WarmPoolSpawner({ inner, size, env: { ...this.baseEnv, [AGENT_ID_ENV]: this.agentId }, logger: this.logger });
        this.spawner = this.warmPool;
      } else this.spawner = inner;
    }
    this.procfs = await procfsAvailable();
    if (this.procfs) {
      const reaped = await reapStragglers({ records: await this.pidFiles.list(), agentId: this.agentId });
      if (reaped.length) this.logger.info('reaped processes left by a previous run', { pids: reaped });
    }
    await this.pidFiles.clear();
    this.warmPool?.start(); // after the reaper: warm processes carry the agent marker it kills by
    await this.ports.warm?.();
    this.started = true;
    this.stopping = false;
    this.informer = this.opts.informers?.informerFor(PODS) ?? new Informer(this.client, { gr: PODS, clock: this.clock, logger: this.logger });
    this.unregister = this.informer.addEventHandler({
      onAdd: (pod) => this.onPod('upsert', pod),
      onUpdate: (_old, pod) => this.onPod('upsert', pod),
      onDelete: (pod) => this.onPod('delete', pod),
    });
    this.informer.start();
    await this.informer.waitForSync();
  }

  /** Stop every pod process (SIGTERM, then SIGKILL after the grace period); resolves when all are gone. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    const closingPool = this.warmPool?.close(); // idle warm processes are nobody's pods: they just go
    this.unregister?.();
    if (!this.opts.informers) this.informer?.stop();
    const cap = this.opts.maxStopGraceMs ?? 30_000;
    await Promise.all(
      [...this.pods.values()].map(async (e) => {
        await e.runner.terminate(Math.min(cap, gracePeriodMs(e.runner.pod)));
        e.runner.close();
        for (const p of e.ports) this.ports.release(p);
      }),
    );
    await Promise.all([...this.pods.values()].map((e) => e.writing));
    await closingPool;
    for (const e of this.pods.values()) if (e.firstStatus !== undefined && e.firstStatus !== 'hold') this.clock.clearTimeout(e.firstStatus);
    this.pods.clear();
    this.finished.clear();
    this.ports.close?.();
    await this.lock.release().catch(() => {});
    this.started = false;
  }

  /** Pods this agent currently runs (for tests and diagnostics). */
  runningPods(): PodRunner[] {
    return [...this.pods.values()].map((e) => e.runner);
  }

  /** Pids of pod `namespace/name`'s running containers ([] when it runs nothing here): the HPA's /proc metrics source. */
  pidsOf(namespace: string, name: string): number[] {
    for (const e of this.pods.values()) {
      const m = e.runner.pod.metadata;
      if (m.name === name && m.namespace === namespace) return e.runner.pids();
    }
    return [];
  }

  // ---------------------------------------------------------------- pod events

  private onPod(type: 'upsert' | 'delete', pod: KObject): void {
    if (this.stopping) return;
    const uid = pod.metadata.uid!;
    const entry = this.pods.get(uid);
    if (type === 'delete') {
      this.finished.delete(uid);
      if (entry) this.forget(entry, gracePeriodMs(pod)).catch((err) => this.logger.error('pod clean-up failed', { pod: pod.metadata.name, error: (err as Error).message }));
      return;
    }
    if (pod.spec?.nodeName && pod.spec.nodeName !== this.nodeName) return;
    if (entry) {
      entry.runner.update(pod);
      if (pod.metadata.deletionTimestamp) {
        if (entry.deleting) entry.runner.shortenGrace(gracePeriodMs(pod));
        this.beginDeletion(entry);
      }
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      // Not running here (never admitted, finished, or from before a restart — reaped): let it go.
      this.removeFinalizer(pod).catch((err) => this.logger.warn('removing the agent finalizer failed', { pod: pod.metadata.name, error: (err as Error).message }));
      return;
    }
    if (this.finished.has(uid)) return;
    const phase = pod.status?.phase;
    if ((phase === 'Succeeded' || phase === 'Failed') && pod.metadata.finalizers?.includes(AGENT_FINALIZER)) {
      this.finished.add(uid);
      return;
    }
    const runner = new PodRunner(pod, this.runnerDeps(() => this.scheduleStatus(uid)), this.logDir(pod));
    const e: PodEntry = { runner, ports: [] };
    this.pods.set(uid, e);
    e.admitted = this.admit(e).catch((err) => {
      // No free port, API trouble…: forget the attempt and try again shortly.
      this.logger.error('pod admission failed; retrying', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: (err as Error).message });
      if (this.pods.get(uid) === e) this.pods.delete(uid);
      for (const p of e.ports) this.ports.release(p);
      runner.close();
      this.clock.setTimeout(() => {
        const latest = this.informer?.get(pod.metadata.namespace, pod.metadata.name!);
        if (latest && latest.metadata.uid === uid && !this.stopping) this.onPod('upsert', latest);
      }, 1000);
      return false;
    });
  }

  private runnerDeps(onChange: () => void) {
    return {
      clock: this.clock,
      logger: this.logger,
      spawner: this.spawner!,
      resolveImage: this.images,
      fetchSources: (pod: KObject) => this.fetchSources(pod),
      backoff: this.backoff,
      probePeriodMs: this.opts.probePeriodMs,
      baseEnv: this.baseEnv,
      agentId: this.agentId,
      pidFiles: this.pidFiles,
      logMaxBytes: this.opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES,
      volumes: this.volumes,
      killMarked: this.procfs ? async (a: string) => void (await killMarked([a], 2000)) : undefined,
      event: this.opts.recorder ? (pod: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => this.opts.recorder!.event(pod, type, reason, message) : undefined,
      onChange,
    };
  }

  private async fetchSources(pod: KObject): Promise<ConfigSources> {
    const ns = pod.metadata.namespace ?? 'default';
    const refs = referencedSources([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]);
    const cms = new Map<string, KObject | undefined>();
    const secrets = new Map<string, KObject | undefined>();
    for (const n of refs.configMaps) cms.set(n, await this.client.get('core/configmaps', ns, n));
    for (const n of refs.secrets) secrets.set(n, await this.client.get('core/secrets', ns, n));
    return { configMap: (n) => cms.get(n), secret: (n) => secrets.get(n) };
  }

  /** Ports, nodeName and finalizer in one update; then start the processes. */
  private async admit(e: PodEntry): Promise<boolean> {
    const runner = e.runner;
    const needs = portNeeds(runner.pod);
    let mappings: PortMapping[] | undefined;
    const recorded = parsePortMappings(runner.pod);
    if (recorded && mappingsCover(needs, recorded)) {
      const claimed: number[] = [];
      for (const m of recorded) if (await this.ports.reclaim(m.hostPort)) claimed.push(m.hostPort);
      if (claimed.length === recorded.length) mappings = recorded;
      else for (const p of claimed) this.ports.release(p);
    }
    if (!mappings) {
      const hostPorts: number[] = [];
      for (let i = 0; i < needs.length; i++) hostPorts.push(await this.ports.allocate());
      mappings = assignPorts(needs, hostPorts);
    }
    e.ports = mappings.map((m) => m.hostPort);
    const hadStatus = !!runner.pod.status?.startTime;
    for (let attempt = 0; attempt < 10 && !this.stopping; attempt++) {
      const cur = attempt === 0 ? runner.pod : await this.client.get(PODS, runner.pod.metadata.namespace!, runner.pod.metadata.name!);
      if (!cur || cur.metadata.uid !== runner.uid || cur.metadata.deletionTimestamp) break;
      const next = clone(cur);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [PORTS_ANNOTATION]: formatPortMappings(mappings) };
      if (!(next.metadata.finalizers ?? []).includes(AGENT_FINALIZER)) next.metadata.finalizers = [...(next.metadata.finalizers ?? []), AGENT_FINALIZER];
      next.spec.nodeName ??= this.nodeName;
      try {
        const updated = deepEqual(next, cur) ? cur : await this.client.update(PODS, next);
        if (this.pods.get(runner.uid) !== e || runner.isTerminating) return false;
        if (updated !== cur) this.opts.recorder?.event(updated, 'Normal', 'Scheduled', `Successfully assigned ${updated.metadata.namespace}/${updated.metadata.name} to ${this.nodeName}`);
        runner.update(updated);
        if (!hadStatus) e.firstStatus = 'hold';
        runner.start(mappings, hadStatus ? updated.status : undefined);
        return true;
      } catch (err) {
        if (isConflict(err)) continue;
        if ((err as { status?: number }).status === 404) break;
        this.logger.warn('pod admission failed', { pod: `${cur.metadata.namespace}/${cur.metadata.name}`, error: (err as Error).message });
        break;
      }
    }
    // Not admitted (gone or being deleted before we got to it): nothing ran.
    if (this.pods.get(runner.uid) === e) {
      this.pods.delete(runner.uid);
      for (const p of e.ports) this.ports.release(p);
      runner.close();
    }
    return false;
  }

  private beginDeletion(e: PodEntry): void {
    if (e.deleting) return;
    e.deleting = (async () => {
      await e.admitted;
      const graceMs = gracePeriodMs(e.runner.pod);
      const hook = this.opts.beforeTerminate;
      const started = this.clock.now();
      if (hook && !this.stopping && graceMs > 0) {
        let timer: ReturnType<Clock['setTimeout']> | undefined;
        await Promise.race([
          hook(e.runner.pod, graceMs).catch((err: unknown) => this.logger.warn('beforeTerminate hook failed', { pod: e.runner.pod.metadata.name, error: (err as Error).message })),
          new Promise<void>((r) => (timer = this.clock.setTimeout(r, graceMs))),
        ]);
        if (timer !== undefined) this.clock.clearTimeout(timer);
      }
      await e.runner.terminate(Math.max(0, graceMs - (this.clock.now() - started)));
      if (this.stopping) return;
      this.scheduleStatus(e.runner.uid);
      await e.writing;
      await this.removeFinalizer(e.runner.pod);
    })().catch((err) => this.logger.error('pod deletion failed', { pod: e.runner.pod.metadata.name, error: (err as Error).message }));
  }

  /** The Pod object is gone: make sure nothing runs, then drop logs and ports. */
  private async forget(e: PodEntry, graceMs: number): Promise<void> {
    await e.admitted;
    await e.runner.terminate(graceMs);
    await e.writing;
    if (this.pods.get(e.runner.uid) !== e) return;
    this.pods.delete(e.runner.uid);
    e.runner.close();
    for (const p of e.ports) this.ports.release(p);
    await rm(e.runner.logDir, { recursive: true, force: true }).catch(() => {});
  }

  private async removeFinalizer(pod: KObject): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const cur = attempt === 0 ? pod : await this.client.get(PODS, pod.metadata.namespace!, pod.metadata.name!);
      if (!cur || cur.metadata.uid !== pod.metadata.uid || !(cur.metadata.finalizers ?? []).includes(AGENT_FINALIZER)) return;
      const next = clone(cur);
      next.metadata.finalizers = next.metadata.finalizers!.filter((f: string) => f !== AGENT_FINALIZER);
      try {
        await this.client.update(PODS, next);
        return;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 404) return;
        if (status !== 409) throw err;
      }
    }
  }

  // ---------------------------------------------------------------- status

  private scheduleStatus(uid: string): void {
    const e = this.pods.get(uid);
    if (!e || this.stopping) return;
    if (e.firstStatus === 'hold') {
      // A fresh pod's first report ("ContainerCreating") waits for the next
      // change — normally the container running a few ms later — so one status
      // write (and the watch/reconcile cascade it sets off) fewer competes with
      // the spawn. Like kubelet's status manager, which writes the latest
      // state, not every step. Bounded: a slow start is shown after FIRST_STATUS_HOLD_MS.
      e.firstStatus = this.clock.setTimeout(() => {
        e.firstStatus = undefined;
        this.scheduleStatus(uid);
      }, FIRST_STATUS_HOLD_MS);
      return;
    }
    if (e.firstStatus !== undefined) {
      if (e.runner.creating) return; // nothing new to show yet (e.g. init containers: none)
      this.clock.clearTimeout(e.firstStatus);
      e.firstStatus = undefined;
    }
    e.dirty = true;
    if (e.writing) return;
    e.writing = (async () => {
      // Coalesce bursts (exit + restart + probe) into one write.
      await new Promise((r) => setImmediate(r));
      while (e.dirty && !this.stopping) {
        e.dirty = false;
        try {
          await this.writeStatus(e.runner);
        } catch (err) {
          this.logger.warn('pod status write failed', { pod: e.runner.pod.metadata.name, error: (err as Error).message });
        }
      }
    })().finally(() => (e.writing = undefined));
  }

  private async writeStatus(runner: PodRunner): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.client.get(PODS, runner.pod.metadata.namespace!, runner.pod.metadata.name!);
      if (!cur || cur.metadata.uid !== runner.uid) return;
      const status = runner.statusFor(cur);
      if (deepEqual(cur.status, status)) return;
      try {
        await this.client.updateStatus(PODS, { ...cur, status });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  // ---------------------------------------------------------------- logs

  async read(namespace: string, name: string, opts: PodLogOptions, out: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
    const pod = await this.client.get(PODS, namespace, name);
    if (!pod) throw notFound('pods', name);
    const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
    const inits: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
    let container = opts.container;
    if (!container) {
      if (containers.length !== 1)
        throw new ApiError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`);
      container = containers[0];
    } else if (!containers.includes(container) && !inits.includes(container)) {
      throw new ApiError(404, 'NotFound', `container ${container} is not valid for pod ${name}`, { details: { name, kind: 'pods' } });
    }
    const entry = this.pods.get(pod.metadata.uid!);
    let log = entry?.runner.slot(container)?.log;
    if (!log) {
      log = new ContainerLog(this.logDir(pod), container, { maxBytes: DEFAULT_LOG_MAX_BYTES, now: () => this.clock.now() });
      log.finished = true;
    }
    if (opts.previous) {
      if (!(await log.hasPrevious())) throw new ApiError(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
    } else if (log.instances === 0 && !(await hasFile(log.paths.current))) {
      const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c: any) => c.name === container);
      const reason = st?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new ApiError(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    await streamContainerLog(log, opts, out, signal, this.clock.now());
  }
}

function hasFile(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
