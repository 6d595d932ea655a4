// Pod status as the kubelet reports it, computed from the agent's view of the
// containers (pure): phase (kubelet's getPhase rules, restart policy aware),
// the PodScheduled / Initialized / Ready / ContainersReady conditions with
// lastTransitionTime carried over while a condition keeps its status, and the
// container status lists. The caller compares the result with what is stored
// and writes only on change.
import type { Condition, KObject } from '../../api/meta.js';
import { kubeTime } from '../deps.js';
import { POD_IP } from './ports.js';

export interface TerminatedState {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
  containerID?: string;
}

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: TerminatedState };

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: Partial<{ terminated: TerminatedState }>;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

const isTerminated = (s: ContainerState): s is { terminated: TerminatedState } => 'terminated' in s;
const isRunning = (s: ContainerState): s is { running: { startedAt: string } } => 'running' in s;

export function initContainersDone(initSpecs: any[], initStatuses: ContainerStatus[]): boolean {
  return initSpecs.every((c) => {
    const st = initStatuses.find((s) => s.name === c.name);
    return !!st && isTerminated(st.state) && st.state.terminated.exitCode === 0;
  });
}

/** kubelet's getPhase. */
export function podPhase(spec: any, initStatuses: ContainerStatus[], statuses: ContainerStatus[]): PodPhase {
  const policy: string = spec?.restartPolicy ?? 'Always';
  const initSpecs: any[] = spec?.initContainers ?? [];
  for (const c of initSpecs) {
    const st = initStatuses.find((s) => s.name === c.name);
    if (st && isTerminated(st.state) && st.state.terminated.exitCode === 0) continue;
    if (st && isTerminated(st.state) && policy === 'Never') return 'Failed';
    return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec?.containers ?? []) {
    const st = statuses.find((s) => s.name === c.name);
    if (!st) {
      waiting++;
      continue;
    }
    if (isRunning(st.state)) running++;
    else if (isTerminated(st.state)) {
      stopped++;
      if (st.state.terminated.exitCode === 0) succeeded++;
    } else if (st.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'OnFailure') return 'Running';
    return 'Failed';
  }
  return 'Pending';
}

function cond(prev: Condition[] | undefined, type: string, status: Condition['status'], now: number, reason?: string, message?: string): Condition {
  const old = prev?.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : kubeTime(now);
  const c: Condition & { lastProbeTime: null } = { type, status, lastProbeTime: null, lastTransitionTime };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export interface PodStatusInput {
  pod: KObject;
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  startTime?: string;
  now: number;
}

export function buildPodStatus(input: PodStatusInput): Record<string, unknown> {
  const { pod, initStatuses, statuses, now } = input;
  const spec = pod.spec ?? {};
  const prev: Condition[] | undefined = pod.status?.conditions;
  const phase = podPhase(spec, initStatuses, statuses);
  const initSpecs: any[] = spec.initContainers ?? [];
  const initialized = initContainersDone(initSpecs, initStatuses);
  const unready = (spec.containers ?? []).map((c: any) => c.name).filter((n: string) => !statuses.find((s) => s.name === n)?.ready);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const readyStatus = unready.length === 0 && !completed ? 'True' : 'False';
  const readyReason = readyStatus === 'True' ? undefined : completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = readyStatus === 'True' || completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const incompleteInit = initSpecs
    .map((c) => c.name)
    .filter((n: string) => {
      const st = initStatuses.find((s) => s.name === n);
      return !(st && isTerminated(st.state) && st.state.terminated.exitCode === 0);
    });
  const conditions = [
    initialized
      ? cond(prev, 'Initialized', 'True', now, completed && initSpecs.length ? 'PodCompleted' : undefined)
      : cond(prev, 'Initialized', 'False', now, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
    cond(prev, 'Ready', readyStatus, now, readyReason, readyMessage),
    cond(prev, 'ContainersReady', readyStatus, now, readyReason, readyMessage),
    cond(prev, 'PodScheduled', 'True', now),
  ];
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: POD_IP,
    hostIPs: [{ ip: POD_IP }],
    podIP: POD_IP,
    podIPs: [{ ip: POD_IP }],
    qosClass: 'BestEffort',
  };
  if (input.startTime) status.startTime = input.startTime;
  if (initSpecs.length) status.initContainerStatuses = initStatuses;
  status.containerStatuses = statuses;
  return status;
}

/**
 * Exit code as a container runtime reports it: the code, or 128 + signal
 * number for a process killed by a signal (137 for SIGKILL), like containerd.
 */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null, signals: Record<string, number>): number {
  if (code !== null) return code;
  const n = signal ? signals[signal] : undefined;
  return n ? 128 + n : 137;
}
