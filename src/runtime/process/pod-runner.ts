// PodRunner: one Pod's containers as local processes — the kubelet's pod
// worker in miniature. It owns, per container: configuration (env, argv,
// image resolution), the process and its log, probes, restarts with
// crash-loop back-off, and the container status; per pod: init containers
// (in order, before the app containers), graceful termination (preStop, then
// SIGTERM to each process group, SIGKILL when the grace period runs out), and
// the pod status computed from all of it (pod-status.ts). The agent feeds it
// Pod objects and writes the status it reports; the runner never talks to the
// API itself except through the injected `fetchSources`.
import type { KObject } from '../../api/meta.js';
import { kubeTime, sleep, type Clock, type Logger, type TimerHandle } from '../deps.js';
import { crashLoopMessage, nextBackoff, restartDelay, type BackoffEntry, type BackoffPolicy } from './backoff.js';
import { ContainerConfigError, resolveContainerConfig, type ConfigSources, type ContainerConfig } from './container-config.js';
import { ImageNotRunnableError, type ImageResolver, type ResolvedImage } from './images.js';
import { ContainerLog } from './log-files.js';
import { containerListenPort, type PortMapping } from './ports.js';
import { runHandler } from './probe-handlers.js';
import { compileHandler, compileProbe, probeDelayMs, probePeriodOverride, ProbeTracker, type CompiledProbe } from './probes.js';
import { buildPodStatus, exitCodeOf, type ContainerStatus, type TerminatedState } from './pod-status.js';
import { readProcStat, SIGNALS } from './procfs.js';
import { AGENT_ID_ENV, CONTAINER_ID_ENV, type PidFiles } from './reaper.js';
import { SpawnError, type ProcessSpawner, type SpawnedProcess } from './spawner.js';

/** Hook for volumes (Serving will provide one): set up before containers start, torn down after the pod. */
export interface VolumeHook {
  setUp(pod: KObject): Promise<void>;
  /** Extra environment for a container (e.g. where a volume's files are). */
  envFor?(pod: KObject, container: any): Record<string, string>;
  /** The argv that actually starts the container (e.g. wrapped to mount its volumes). May throw to refuse the container. */
  wrapArgv?(pod: KObject, container: any, argv: string[]): Promise<string[]> | string[];
  tearDown(pod: KObject): Promise<void>;
}

export interface RunnerDeps {
  clock: Clock;
  logger: Logger;
  spawner: ProcessSpawner;
  resolveImage: ImageResolver;
  /** ConfigMaps/Secrets the pod references, read fresh for each container start. */
  fetchSources(pod: KObject): Promise<ConfigSources>;
  backoff: BackoffPolicy;
  /** Probe period for every pod (tests); otherwise spec or the pod annotation. */
  probePeriodMs?: number;
  /** Environment every process starts from (PATH, HOME…). */
  baseEnv: Record<string, string>;
  agentId: string;
  pidFiles: PidFiles;
  logMaxBytes: number;
  volumes?: VolumeHook;
  /** Kill every process whose environment has this `NAME=value` (escaped descendants). */
  killMarked?(assignment: string): Promise<void>;
  /** Kubernetes Events about the pod (Started, Killing, BackOff, Unhealthy, Failed). */
  event?(pod: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  onChange(): void;
}

function podRef(pod: KObject): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

function randomId(): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return s;
}

export class ContainerSlot {
  status: ContainerStatus;
  readonly log: ContainerLog;
  private entry?: BackoffEntry;
  /** Precise finish time of the last instance (status times are whole seconds). */
  private lastFinishedMs?: number;
  private prepFailures = 0;
  private proc?: SpawnedProcess;
  private config?: ContainerConfig;
  private instanceAbort?: AbortController;
  private stopping = false;
  private readonly wake = new AbortController();
  private killReason?: string;
  /** Resolves when the container loop has ended (stopped, or finished for good). */
  done?: Promise<void>;
  private trackers: { startup?: ProbeTracker; readiness?: ProbeTracker; liveness?: ProbeTracker } = {};

  constructor(
    private readonly runner: PodRunner,
    readonly spec: any,
    readonly init: boolean,
    logDir: string,
  ) {
    this.status = {
      name: spec.name,
      image: spec.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: init || runner.hasInit ? 'PodInitializing' : 'ContainerCreating' } },
      lastState: {},
    };
    this.log = new ContainerLog(logDir, spec.name, { maxBytes: runner.deps.logMaxBytes, now: () => runner.deps.clock.now() });
  }

  private get deps(): RunnerDeps {
    return this.runner.deps;
  }

  private changed(): void {
    this.runner.changed();
  }

  get running(): boolean {
    return !!this.proc;
  }

  /** Pid of the running instance (its process group leader); undefined between instances. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get succeeded(): boolean {
    return 'terminated' in this.status.state && this.status.state.terminated.exitCode === 0;
  }

  /**
   * Carry a container status over from before an agent restart. Returns the
   * instance that was lost (it had been started), so the loop treats it as
   * an exit and applies the restart policy.
   */
  restore(prev: ContainerStatus | undefined, now: number): TerminatedState | undefined {
    if (!prev) return undefined;
    this.status.restartCount = prev.restartCount ?? 0;
    if (prev.lastState?.terminated) this.status.lastState = { terminated: prev.lastState.terminated };
    const st = prev.state ?? {};
    if ('terminated' in st && st.terminated) {
      this.status.state = { terminated: st.terminated };
      return undefined;
    }
    if ('running' in st && st.running) {
      return {
        exitCode: 137,
        reason: 'Error',
        message: 'the node agent restarted; the process was stopped',
        startedAt: st.running.startedAt,
        finishedAt: kubeTime(now),
        ...(prev.containerID ? { containerID: prev.containerID } : {}),
      };
    }
    if (prev.lastState?.terminated) return prev.lastState.terminated; // was in back-off
    return undefined;
  }

  private shouldRestart(exitCode: number): boolean {
    const policy = this.runner.pod.spec?.restartPolicy ?? 'Always';
    if (this.init) return exitCode !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  /**
   * The container's life: prepare → start → wait for exit → restart
   * decision → back-off → … Resolves when the container will not run again
   * (stopped, or finished under its restart policy).
   */
  async loop(lost?: TerminatedState): Promise<void> {
    let last = lost;
    if (last && !this.shouldRestart(last.exitCode)) {
      this.status.state = { terminated: last };
      this.changed();
      return;
    }
    while (!this.stopping) {
      if (last) {
        const now = this.deps.clock.now();
        const parsed = Date.parse(last.finishedAt);
        const finishedAt = this.lastFinishedMs ?? (Number.isFinite(parsed) && parsed <= now ? parsed : now);
        const delay = restartDelay(this.entry, finishedAt, now, this.deps.backoff);
        this.status.lastState = { terminated: last };
        if (delay > 0) {
          this.status.state = { waiting: { reason: 'CrashLoopBackOff', message: crashLoopMessage(this.entry!.backoffMs, this.spec.name, podRef(this.runner.pod)) } };
          this.deps.event?.(this.runner.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${this.spec.name} in pod ${podRef(this.runner.pod)}`);
          this.status.ready = false;
          this.status.started = false;
          this.changed();
          await sleep(this.deps.clock, delay, this.wake.signal);
          if (this.stopping) break;
        }
        this.entry = nextBackoff(this.entry, finishedAt, this.deps.clock.now(), this.deps.backoff);
      }
      const prepared = await this.prepare();
      if (this.stopping) break;
      if (!prepared) continue;
      let exit: TerminatedState | undefined;
      try {
        exit = await this.runInstance(last !== undefined);
      } catch (e) {
        // Local trouble (log directory, disk): report it like a runtime that failed to start the container.
        this.lastFinishedMs = this.deps.clock.now();
        exit = { exitCode: 128, reason: 'StartError', message: `failed to start container: ${(e as Error).message}`, finishedAt: kubeTime(this.lastFinishedMs) };
      }
      if (this.stopping || !exit) {
        if (exit) this.status.state = { terminated: exit };
        this.changed();
        break;
      }
      last = exit;
      if (!this.shouldRestart(exit.exitCode)) {
        this.status.state = { terminated: exit };
        this.changed();
        await this.log.endInstance(true);
        return;
      }
      await this.log.endInstance(false);
    }
    if (this.log.running) await this.log.endInstance(true);
  }

  /** Resolve image and configuration; on failure show a waiting reason and wait before retrying. */
  private async prepare(): Promise<{ image: ResolvedImage } | undefined> {
    const pod = this.runner.pod;
    try {
      const image = await this.deps.resolveImage(this.spec.image ?? '', this.spec);
      const sources = await this.deps.fetchSources(pod);
      const port = containerListenPort(this.runner.mappings, this.spec.name);
      const injected: Record<string, string> = { HOSTNAME: pod.metadata.name ?? '', ...(this.deps.volumes?.envFor?.(pod, this.spec) ?? {}) };
      if (port !== undefined) injected.PORT = String(port);
      this.config = resolveContainerConfig({ pod, container: this.spec, image, sources, baseEnv: this.deps.baseEnv, injected });
      this.config.env[AGENT_ID_ENV] = this.deps.agentId;
      if (this.deps.volumes?.wrapArgv) this.config.argv = await this.deps.volumes.wrapArgv(pod, this.spec, this.config.argv);
      if (image.imageID !== undefined) this.status.imageID = image.imageID;
      this.prepFailures = 0;
      return { image };
    } catch (e) {
      this.prepFailures++;
      let reason = 'CreateContainerConfigError';
      let message = (e as Error).message;
      let delay = this.deps.backoff.initialMs;
      if (e instanceof ImageNotRunnableError) {
        reason = this.prepFailures > 1 ? 'ImagePullBackOff' : 'ErrImagePull';
        if (this.prepFailures > 1) message = `Back-off pulling image "${this.spec.image}": ${e.message}`;
        delay = Math.min(this.deps.backoff.initialMs * 2 ** (this.prepFailures - 1), this.deps.backoff.maxMs);
      } else if (!(e instanceof ContainerConfigError) && (e as { code?: string }).code !== 'SKIFF_ERR_VOLUME') {
        this.deps.logger.warn('container configuration failed', { pod: podRef(pod), container: this.spec.name, error: message });
      }
      this.status.state = { waiting: { reason, message } };
      this.status.ready = false;
      this.status.started = false;
      this.deps.event?.(pod, 'Warning', 'Failed', `Error: ${message}`);
      this.changed();
      await sleep(this.deps.clock, delay, this.wake.signal);
      return undefined;
    }
  }

  /** Start one instance and wait for it to end. Returns its terminated state. */
  private async runInstance(isRestart: boolean): Promise<TerminatedState | undefined> {
    const cfg = this.config!;
    const pod = this.runner.pod;
    const containerID = `skiff://${randomId()}`;
    const startedMs = this.deps.clock.now();
    const marker = `${CONTAINER_ID_ENV}=${containerID.slice('skiff://'.length)}`;
    cfg.env[CONTAINER_ID_ENV] = containerID.slice('skiff://'.length);
    // Log files and the process start at once (the log's file-system round
    // trips would otherwise delay the spawn by ~2 ms): the child's output waits
    // in its pipe until the log is attached below.
    const [logSet, spawned] = await Promise.allSettled([this.log.beginInstance(), this.deps.spawner.spawn({ argv: cfg.argv, env: cfg.env, cwd: cfg.cwd })]);
    if (logSet.status === 'rejected') {
      // Local trouble (log directory, disk): nothing may run unlogged; the loop reports StartError.
      if (spawned.status === 'fulfilled') {
        this.deps.spawner.signalGroup(spawned.value.pid, 'SIGKILL');
        spawned.value.stdout?.destroy();
        spawned.value.stderr?.destroy();
        await spawned.value.exited;
      }
      throw logSet.reason;
    }
    if (isRestart) this.status.restartCount++;
    let proc: SpawnedProcess;
    if (spawned.status === 'fulfilled') proc = spawned.value;
    else {
      const e = spawned.reason;
      const msg = e instanceof SpawnError ? e.message : `failed to start container: ${(e as Error).message}`;
      this.deps.event?.(pod, 'Warning', 'Failed', `Error: ${msg}`);
      this.lastFinishedMs = this.deps.clock.now();
      return { exitCode: 128, reason: 'StartError', message: msg, startedAt: kubeTime(startedMs), finishedAt: kubeTime(this.deps.clock.now()), containerID };
    }
    if (this.stopping) this.deps.spawner.signalGroup(proc.pid, 'SIGKILL');
    this.proc = proc;
    this.killReason = undefined;
    this.log.attach(proc.stdout, 'stdout');
    this.log.attach(proc.stderr, 'stderr');
    const ids = { namespace: pod.metadata.namespace!, pod: pod.metadata.name!, uid: pod.metadata.uid!, container: this.spec.name };
    // On disk before the container is reported running, so a crash of Skiff after that point is always reapable.
    const st = await readProcStat(proc.pid);
    await this.deps.pidFiles.write({ ...ids, pid: proc.pid, pgid: proc.pid, startTime: st?.startTime ?? 0 }).catch(() => {});
    const startedAt = kubeTime(startedMs);
    this.status.containerID = containerID;
    this.status.state = { running: { startedAt } };
    this.deps.event?.(pod, 'Normal', 'Started', `Started container ${this.spec.name}`);
    const abort = (this.instanceAbort = new AbortController());
    this.startProbes(abort.signal, cfg);
    this.changed();
    const exit = await proc.exited;
    abort.abort();
    // The container is its process group: whatever the main process left behind goes with it.
    this.deps.spawner.signalGroup(proc.pid, 'SIGKILL');
    await this.deps.killMarked?.(marker).catch(() => {});
    this.proc = undefined;
    this.trackers = {};
    this.status.ready = false;
    this.status.started = false;
    await this.deps.pidFiles.remove(ids).catch(() => {});
    this.lastFinishedMs = this.deps.clock.now();
    const exitCode = exitCodeOf(exit.code, exit.signal, SIGNALS);
    const t: TerminatedState = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: kubeTime(this.deps.clock.now()),
      containerID,
    };
    if (this.killReason) t.message = this.killReason;
    return t;
  }

  private startProbes(signal: AbortSignal, cfg: ContainerConfig): void {
    const pod = this.runner.pod;
    const ctx = { container: this.spec.name, mappings: this.runner.mappings, periodOverrideMs: probePeriodOverride(pod, this.deps.probePeriodMs) };
    const probes = this.init
      ? {}
      : {
          startup: compileProbe('startup', this.spec.startupProbe, ctx),
          readiness: compileProbe('readiness', this.spec.readinessProbe, ctx),
          liveness: compileProbe('liveness', this.spec.livenessProbe, ctx),
        };
    this.trackers = {
      startup: probes.startup && new ProbeTracker(probes.startup),
      readiness: probes.readiness && new ProbeTracker(probes.readiness),
      liveness: probes.liveness && new ProbeTracker(probes.liveness),
    };
    this.status.started = !probes.startup;
    this.status.ready = this.status.started && !probes.readiness;
    const exec = { spawner: this.deps.spawner, env: cfg.env, cwd: cfg.cwd };
    for (const p of [probes.startup, probes.readiness, probes.liveness]) if (p) void this.probeLoop(p, signal, exec);
  }

  private async probeLoop(p: CompiledProbe, signal: AbortSignal, exec: { spawner: ProcessSpawner; env: Record<string, string>; cwd?: string }): Promise<void> {
    const clock = this.deps.clock;
    const tracker = this.trackers[p.kind]!;
    const startedAt = clock.now();
    let everSucceeded = false;
    await sleep(clock, p.initialDelayMs, signal);
    while (!signal.aborted) {
      if (p.kind === 'startup' ? this.status.started : !this.status.started) {
        if (p.kind === 'startup') return;
        await sleep(clock, Math.min(p.periodMs, 100), signal);
        continue;
      }
      const r = await runHandler(p.handler, p.timeoutMs, exec);
      if (signal.aborted) return;
      const changed = tracker.record(r.ok, r.message);
      everSucceeded ||= r.ok;
      if (!r.ok && (changed || (p.kind === 'startup' && tracker.exhausted))) {
        const kind = p.kind[0].toUpperCase() + p.kind.slice(1);
        this.deps.event?.(this.runner.pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${r.message}`);
      }
      if (p.kind === 'readiness' && changed) {
        this.status.ready = tracker.ok && this.status.started;
        this.changed();
      } else if (p.kind === 'startup') {
        if (tracker.ok) {
          this.status.started = true;
          this.status.ready = !this.trackers.readiness;
          this.changed();
          return;
        }
        if (tracker.exhausted) {
          void this.killForRestart(`Container ${this.spec.name} failed startup probe, will be restarted`, p);
          return;
        }
      } else if (p.kind === 'liveness' && changed && !tracker.ok) {
        void this.killForRestart(`Container ${this.spec.name} failed liveness probe, will be restarted`, p);
        return;
      }
      await sleep(clock, probeDelayMs(p, { everSucceeded, sinceStartMs: clock.now() - startedAt }), signal);
    }
  }

  private async killForRestart(reason: string, p: CompiledProbe): Promise<void> {
    const proc = this.proc;
    if (!proc || this.stopping) return;
    this.killReason = reason;
    this.deps.event?.(this.runner.pod, 'Normal', 'Killing', reason);
    const graceS = p.terminationGracePeriodSeconds ?? this.runner.pod.spec?.terminationGracePeriodSeconds ?? 30;
    await this.signalAndWait(proc, this.deps.clock.now() + graceS * 1000);
  }

  private async signalAndWait(proc: SpawnedProcess, deadline: number): Promise<void> {
    this.deps.spawner.signalGroup(proc.pid, 'SIGTERM');
    const remaining = Math.max(0, deadline - this.deps.clock.now());
    const cancel = new AbortController();
    const timedOut = await Promise.race([proc.exited.then(() => false), sleep(this.deps.clock, remaining, cancel.signal).then(() => !cancel.signal.aborted)]);
    cancel.abort(); // no timer left behind to hold the event loop
    if (timedOut) this.deps.spawner.signalGroup(proc.pid, 'SIGKILL');
    await proc.exited;
  }

  /** SIGKILL the running instance now (a delete shortened the grace period). */
  killNow(): void {
    if (this.proc) this.deps.spawner.signalGroup(this.proc.pid, 'SIGKILL');
  }

  /** Stop for good: preStop hook, SIGTERM, SIGKILL at `deadline`; resolves when the loop has ended. */
  async stop(deadline: number, runPreStop: boolean): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    const proc = this.proc;
    if (proc) {
      this.deps.event?.(this.runner.pod, 'Normal', 'Killing', `Stopping container ${this.spec.name}`);
      const preStop = this.spec.lifecycle?.preStop;
      if (runPreStop && preStop && this.config) {
        const remaining = deadline - this.deps.clock.now();
        if (preStop.sleep && Number.isInteger(preStop.sleep.seconds)) {
          const cancel = new AbortController();
          await Promise.race([sleep(this.deps.clock, Math.min(remaining, preStop.sleep.seconds * 1000), cancel.signal), proc.exited]);
          cancel.abort();
        } else {
          const h = compileHandler(preStop, this.spec.name, this.runner.mappings);
          await Promise.race([runHandler(h, Math.max(1, remaining), { spawner: this.deps.spawner, env: this.config.env, cwd: this.config.cwd }), proc.exited]);
        }
      }
      // kubelet grants at least 2 s after a preStop hook that used up the grace period.
      await this.signalAndWait(proc, Math.max(deadline, runPreStop && preStop ? this.deps.clock.now() + 2000 : deadline));
    }
    await this.done;
  }
}

export interface RestoredState {
  status?: any;
}

export class PodRunner {
  pod: KObject;
  mappings: PortMapping[] = [];
  readonly initSlots: ContainerSlot[];
  readonly slots: ContainerSlot[];
  readonly hasInit: boolean;
  private startTime?: string;
  private terminating?: Promise<void>;
  private running?: Promise<void>;
  private restored?: any;
  private killAt?: number;
  private killTimer?: TimerHandle;
  finished = false;

  constructor(
    pod: KObject,
    readonly deps: RunnerDeps,
    readonly logDir: string,
  ) {
    this.pod = pod;
    this.hasInit = (pod.spec?.initContainers ?? []).length > 0;
    this.initSlots = (pod.spec?.initContainers ?? []).map((c: any) => new ContainerSlot(this, c, true, logDir));
    this.slots = (pod.spec?.containers ?? []).map((c: any) => new ContainerSlot(this, c, false, logDir));
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  changed(): void {
    this.deps.onChange();
  }

  /** Pids of the containers running now (init and app), for per-pod CPU / memory. */
  pids(): number[] {
    const out: number[] = [];
    for (const s of this.initSlots) if (s.pid !== undefined) out.push(s.pid);
    for (const s of this.slots) if (s.pid !== undefined) out.push(s.pid);
    return out;
  }

  slot(name: string): ContainerSlot | undefined {
    return this.slots.find((s) => s.spec.name === name) ?? this.initSlots.find((s) => s.spec.name === name);
  }

  /** The pod object changed (labels, deletionTimestamp…); spec is immutable. */
  update(pod: KObject): void {
    this.pod = pod;
  }

  /** Begin running. `previousStatus` is the stored status when the agent restarted with this pod already running. */
  start(mappings: PortMapping[], previousStatus?: any): void {
    this.mappings = mappings;
    this.restored = previousStatus;
    this.startTime = previousStatus?.startTime ?? kubeTime(this.deps.clock.now());
    this.running = this.run().catch((e) => this.deps.logger.error('pod runner failed', { pod: podRef(this.pod), error: (e as Error).message }));
  }

  private async run(): Promise<void> {
    const now = this.deps.clock.now();
    const prevInit: ContainerStatus[] = this.restored?.initContainerStatuses ?? [];
    const prev: ContainerStatus[] = this.restored?.containerStatuses ?? [];
    const lostInit = this.initSlots.map((s) => s.restore(prevInit.find((p) => p.name === s.spec.name), now));
    const lost = this.slots.map((s) => s.restore(prev.find((p) => p.name === s.spec.name), now));
    this.changed();
    await this.deps.volumes?.setUp(this.pod);
    for (let i = 0; i < this.initSlots.length; i++) {
      const s = this.initSlots[i];
      if (s.succeeded) continue;
      s.done = s.loop(lostInit[i]);
      await s.done;
      if (this.terminating) return;
      if (!s.succeeded) return; // failed for good (restartPolicy Never): the pod is Failed
    }
    if (this.terminating) return;
    for (const s of this.slots) {
      const st = s.status.state;
      if ('waiting' in st && st.waiting.reason === 'PodInitializing') s.status.state = { waiting: { reason: 'ContainerCreating' } };
    }
    this.changed();
    const loops = this.slots.map((s, i) => (s.done = s.loop(lost[i])));
    await Promise.all(loops);
    this.finished = true;
  }

  /** Pod status as the kubelet would report it now. */
  statusFor(current: KObject): Record<string, unknown> {
    return buildPodStatus({
      pod: current,
      initStatuses: this.initSlots.map((s) => s.status),
      statuses: this.slots.map((s) => s.status),
      startTime: this.startTime,
      now: this.deps.clock.now(),
    });
  }

  /**
   * Stop every container: preStop hooks and SIGTERM now, SIGKILL after
   * `graceMs`. Idempotent; resolves when no process of this pod is left.
   */
  terminate(graceMs: number, runPreStop = true): Promise<void> {
    if (!this.terminating) {
      const deadline = this.deps.clock.now() + Math.max(0, graceMs);
      this.killAt = deadline;
      this.terminating = (async () => {
        await Promise.all([...this.initSlots, ...this.slots].map((s) => s.stop(deadline, runPreStop)));
        await this.running;
        await this.deps.volumes?.tearDown(this.pod).catch(() => {});
      })();
    }
    return this.terminating;
  }

  /**
   * A later delete asked for a shorter grace period (e.g. `--grace-period=0
   * --force` after a plain delete): SIGKILL whatever still runs at the
   * earlier deadline.
   */
  shortenGrace(graceMs: number): void {
    if (!this.terminating) return;
    const killAt = this.deps.clock.now() + Math.max(0, graceMs);
    if (this.killAt !== undefined && this.killAt <= killAt) return;
    this.killAt = killAt;
    this.deps.clock.clearTimeout(this.killTimer);
    this.killTimer = this.deps.clock.setTimeout(() => {
      for (const s of [...this.initSlots, ...this.slots]) s.killNow();
    }, graceMs);
    void this.terminating.finally(() => this.deps.clock.clearTimeout(this.killTimer));
  }

  /** Nothing has happened yet beyond "being created": every container still waits in ContainerCreating / PodInitializing. */
  get creating(): boolean {
    if (this.terminating) return false;
    for (const s of [...this.initSlots, ...this.slots]) {
      const st = s.status.state;
      if (!('waiting' in st) || (st.waiting.reason !== 'ContainerCreating' && st.waiting.reason !== 'PodInitializing')) return false;
    }
    return true;
  }

  get isTerminating(): boolean {
    return !!this.terminating;
  }

  /** After termination: end log followers. */
  close(): void {
    for (const s of [...this.initSlots, ...this.slots]) s.log.close();
  }
}
