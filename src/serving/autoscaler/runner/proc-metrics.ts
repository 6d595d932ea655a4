// Per-pod CPU and memory for HPA-class revisions, read from Linux /proc (what
// metrics-server / the kubelet's cAdvisor provide on a cluster). A pod is one
// or more local processes; the caller says which pids via `pidsOf`.
// - CPU: (utime + stime) ticks from /proc/<pid>/stat, as millicores over the
//   interval since the previous sample of the same process. Like
//   metrics-server, which needs two scrapes to compute a rate, a pod has no
//   metrics until one of its processes has been sampled twice: the first
//   sample is only a baseline. (A lifetime average would count the process's
//   start-up burst — Node boot is a large fraction of a core for its first
//   second — as load and make an idle HPA revision scale up at once.)
// - Memory: resident pages from /proc/<pid>/statm × page size.
// The parsers are pure; I/O is one injected async readFile. Clock ticks per
// second (USER_HZ) and the page size cannot be queried from Node: they default
// to 100 and 4096 (x86-64 and most arm64 Linux) and can be overridden.
import { readFile as fsReadFile } from 'node:fs/promises';
import { realClock, type Clock } from '../../../controller/clock.js';

export interface PodUsage {
  /** CPU in millicores (1000 = one core busy). */
  cpuMillis: number;
  /** Resident set size, bytes. */
  memoryBytes: number;
}

/** The HPA's metric source: usage of one pod, undefined when unknown. */
export interface ProcessMetrics {
  podUsage(namespace: string, pod: string): PodUsage | undefined;
  /** Called before a sync with the pods about to be read, so a sampler can refresh them. */
  prepare?(pods: ReadonlyArray<{ namespace: string; pod: string }>): Promise<void>;
}

export interface ProcCpuSample {
  /** utime + stime, clock ticks. */
  cpuTicks: number;
  /** Process start, clock ticks after boot. */
  startTicks: number;
}

/**
 * /proc/<pid>/stat → CPU ticks and start time. The command name (field 2) is
 * in parentheses and may contain spaces or ')'; fields after the last ')' are
 * split on spaces. Undefined when the text is not a stat line.
 */
export function parseProcStatCpu(text: string): ProcCpuSample | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0 || text.indexOf('(') < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state): field n is f[n - 3]. utime 14, stime 15, starttime 22.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const start = Number(f[19]);
  if (![utime, stime, start].every((n) => Number.isFinite(n) && n >= 0)) return undefined;
  return { cpuTicks: utime + stime, startTicks: start };
}

/** /proc/<pid>/statm → resident pages (second field). */
export function parseProcStatmResidentPages(text: string): number | undefined {
  const f = text.trim().split(/\s+/);
  const resident = Number(f[1]);
  return Number.isFinite(resident) && resident >= 0 ? resident : undefined;
}

/** Millicores used between two samples of one process. */
export function cpuMillisBetween(prevTicks: number, curTicks: number, elapsedMs: number, ticksPerSecond: number): number {
  if (!(elapsedMs > 0) || curTicks < prevTicks) return 0;
  return ((curTicks - prevTicks) / ticksPerSecond / (elapsedMs / 1000)) * 1000;
}

export interface ProcMetricsReaderOptions {
  /** The pid(s) of a pod's processes; undefined when the pod runs nothing. */
  pidsOf(namespace: string, pod: string): number | readonly number[] | undefined;
  clock?: Clock;
  /** Reads a file as UTF-8 (default fs/promises). */
  readFile?(path: string): Promise<string>;
  procRoot?: string;
  /** USER_HZ (default 100). */
  clockTicksPerSecond?: number;
  /** Bytes per page (default 4096). */
  pageSizeBytes?: number;
  /** Forget pods not sampled for this long (default 5 min). */
  forgetAfterMs?: number;
}

interface PidSample {
  cpuTicks: number;
  startTicks: number;
  at: number;
}

interface PodEntry {
  usage: PodUsage | undefined;
  pids: Map<number, PidSample>;
  sampledAt: number;
}

/** A ProcessMetrics over /proc: `prepare()` samples, `podUsage()` returns the usage since the sample before. */
export class ProcMetricsReader implements ProcessMetrics {
  private readonly clock: Clock;
  private readonly read: (path: string) => Promise<string>;
  private readonly root: string;
  private readonly hz: number;
  private readonly pageSize: number;
  private readonly forgetAfterMs: number;
  private readonly pods = new Map<string, PodEntry>();

  constructor(private readonly opts: ProcMetricsReaderOptions) {
    this.clock = opts.clock ?? realClock;
    this.read = opts.readFile ?? ((p) => fsReadFile(p, 'utf8'));
    this.root = opts.procRoot ?? '/proc';
    this.hz = opts.clockTicksPerSecond ?? 100;
    this.pageSize = opts.pageSizeBytes ?? 4096;
    this.forgetAfterMs = opts.forgetAfterMs ?? 300_000;
  }

  podUsage(namespace: string, pod: string): PodUsage | undefined {
    return this.pods.get(`${namespace}/${pod}`)?.usage;
  }

  async prepare(pods: ReadonlyArray<{ namespace: string; pod: string }>): Promise<void> {
    const now = this.clock.now();
    await Promise.all(pods.map((p) => this.samplePod(p.namespace, p.pod, now)));
    for (const [k, e] of this.pods) if (now - e.sampledAt > this.forgetAfterMs) this.pods.delete(k);
  }

  /** Sample one pod now and return its usage since the previous sample (undefined the first time). */
  async sample(namespace: string, pod: string): Promise<PodUsage | undefined> {
    await this.prepare([{ namespace, pod }]);
    return this.podUsage(namespace, pod);
  }

  private async readOr(path: string): Promise<string> {
    try {
      return await this.read(path);
    } catch {
      return ''; // the process exited between lookup and read: simply not there
    }
  }

  private async samplePod(namespace: string, pod: string, now: number): Promise<void> {
    const key = `${namespace}/${pod}`;
    const raw = this.opts.pidsOf(namespace, pod);
    const pids = raw === undefined ? [] : typeof raw === 'number' ? [raw] : [...raw];
    let entry = this.pods.get(key);
    if (!entry) this.pods.set(key, (entry = { usage: undefined, pids: new Map(), sampledAt: now }));
    entry.sampledAt = now;
    let cpu = 0;
    let mem = 0;
    let rated = 0; // processes with a CPU rate (sampled before)
    const next = new Map<number, PidSample>();
    for (const pid of pids) {
      const [statText, statmText] = await Promise.all([this.readOr(`${this.root}/${pid}/stat`), this.readOr(`${this.root}/${pid}/statm`)]);
      const st = parseProcStatCpu(statText);
      const pages = parseProcStatmResidentPages(statmText);
      if (!st) continue;
      const prev = entry.pids.get(pid);
      // Same pid but another start time: the pid was recycled, so the old sample is not comparable.
      if (prev && prev.startTicks === st.startTicks && now > prev.at) {
        cpu += cpuMillisBetween(prev.cpuTicks, st.cpuTicks, now - prev.at, this.hz);
        rated++;
      }
      // A process seen for the first time (a restarted container) is a baseline: no CPU yet.
      mem += (pages ?? 0) * this.pageSize;
      next.set(pid, { cpuTicks: st.cpuTicks, startTicks: st.startTicks, at: now });
    }
    entry.pids = next;
    entry.usage = rated > 0 ? { cpuMillis: cpu, memoryBytes: mem } : undefined;
  }
}
