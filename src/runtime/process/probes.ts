// Probe definitions and result tracking (pure). `compileProbe` applies the
// Kubernetes defaults (period 10 s, timeout 1 s, success 1, failure 3,
// initial delay 0) and resolves ports by number or name through the pod's
// port mapping; `ProbeTracker` turns single results into the probe's state
// with success/failure thresholds. Running a probe is I/O and lives in
// probe-handlers.ts; scheduling lives in the pod runner.
//
// Probe period override: a pod annotated `skiff.dev/probe-period-ms` (Serving
// sets it for revisions, to become ready quickly) probes at that period, as
// does every pod when the agent is given `probePeriodMs` (tests).
//
// Fast first readiness (a deliberate deviation from kubelet, see
// `probeDelayMs`): until a container's HTTP/TCP readiness probe first
// succeeds, it is retried at 1/16 of the time since the container started
// (at least 1 ms, at most the period) instead of once per period. With the
// default 10 s period a server that listens after 50 ms is Ready at ~53 ms,
// not at 10 s; the extra probes are O(log startup time), and a probe that
// fails before the first success changes no state and emits no event, so
// only the time to Ready differs. Exec probes (a process per run) and
// startup/liveness probes (whose failures count) keep the period.
import type { KObject } from '../../api/meta.js';
import { POD_IP, resolveHostPort, type PortMapping } from './ports.js';

export const PROBE_PERIOD_ANNOTATION = 'skiff.dev/probe-period-ms';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export type ProbeHandler =
  | { type: 'http'; scheme: 'http' | 'https'; host: string; port: number; path: string; headers: Array<[string, string]> }
  | { type: 'tcp'; host: string; port: number }
  | { type: 'exec'; command: string[] }
  /** A probe whose definition cannot work (unknown named port…): always fails with `message`. */
  | { type: 'invalid'; message: string };

export interface CompiledProbe {
  kind: ProbeKind;
  handler: ProbeHandler;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
  /** Liveness/startup: grace for the kill that follows a failure (probe-level override). */
  terminationGracePeriodSeconds?: number;
}

function posInt(v: unknown, dflt: number, min = 0): number {
  return Number.isInteger(v) && (v as number) >= min ? (v as number) : dflt;
}

/** The probe period for a pod: agent override, then the pod annotation, else undefined (use the spec). */
export function probePeriodOverride(pod: KObject, agentOverrideMs?: number): number | undefined {
  if (agentOverrideMs && agentOverrideMs > 0) return agentOverrideMs;
  const raw = pod.metadata.annotations?.[PROBE_PERIOD_ANNOTATION];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.max(1, Math.floor(n)) : undefined;
}

/** Fast first readiness: retry after this fraction of the time since the container started… */
export const FAST_READINESS_DIVISOR = 16;
/** …but not sooner than this. A refused try is a bare TCP connect (~60 µs of CPU), so 1 ms is cheap. */
export const FAST_READINESS_MIN_MS = 1;

/**
 * How long to wait before running probe `p` again. Normally its period; for
 * an HTTP/TCP readiness probe that has not yet succeeded in this container
 * instance, `sinceStartMs / FAST_READINESS_DIVISOR` clamped to
 * [FAST_READINESS_MIN_MS, period], so Ready lags the moment the container
 * can answer by at most ~1/16 of its start-up time.
 */
export function probeDelayMs(p: Pick<CompiledProbe, 'kind' | 'handler' | 'periodMs'>, state: { everSucceeded: boolean; sinceStartMs: number }): number {
  if (p.kind !== 'readiness' || state.everSucceeded || (p.handler.type !== 'http' && p.handler.type !== 'tcp')) return p.periodMs;
  const fast = Math.max(FAST_READINESS_MIN_MS, Math.floor(Math.max(0, state.sinceStartMs) / FAST_READINESS_DIVISOR));
  return Math.min(p.periodMs, fast);
}

export function compileProbe(
  kind: ProbeKind,
  probe: any,
  ctx: { container: string; mappings: PortMapping[]; periodOverrideMs?: number },
): CompiledProbe | undefined {
  if (!probe || typeof probe !== 'object') return undefined;
  const handler = compileHandler(probe, ctx.container, ctx.mappings);
  const periodMs = ctx.periodOverrideMs ?? posInt(probe.periodSeconds, 10, 1) * 1000;
  return {
    kind,
    handler,
    initialDelayMs: posInt(probe.initialDelaySeconds, 0) * 1000,
    periodMs,
    timeoutMs: posInt(probe.timeoutSeconds, 1, 1) * 1000,
    // Liveness and startup probes must have successThreshold 1 (API validation); enforce it here too.
    successThreshold: kind === 'readiness' ? posInt(probe.successThreshold, 1, 1) : 1,
    failureThreshold: posInt(probe.failureThreshold, 3, 1),
    ...(Number.isInteger(probe.terminationGracePeriodSeconds) ? { terminationGracePeriodSeconds: probe.terminationGracePeriodSeconds } : {}),
  };
}

/** Handler part (shared by probes and lifecycle hooks). */
export function compileHandler(spec: any, container: string, mappings: PortMapping[]): ProbeHandler {
  const port = (p: unknown): number | { message: string } => {
    if (p === undefined || p === null || p === '') return { message: 'probe has no port' };
    const hp = resolveHostPort(mappings, container, p as number | string);
    return hp === undefined ? { message: `couldn't find port "${String(p)}" in container ${container}` } : hp;
  };
  if (spec.exec) {
    const command = Array.isArray(spec.exec.command) ? spec.exec.command.map(String) : [];
    return command.length ? { type: 'exec', command } : { type: 'invalid', message: 'exec probe has no command' };
  }
  if (spec.httpGet) {
    const h = spec.httpGet;
    const p = port(h.port);
    if (typeof p !== 'number') return { type: 'invalid', message: p.message };
    let path = typeof h.path === 'string' && h.path ? h.path : '/';
    if (!path.startsWith('/')) path = `/${path}`;
    const headers: Array<[string, string]> = (h.httpHeaders ?? []).filter((x: any) => x?.name).map((x: any) => [String(x.name), String(x.value ?? '')]);
    return { type: 'http', scheme: String(h.scheme ?? 'HTTP').toUpperCase() === 'HTTPS' ? 'https' : 'http', host: h.host || POD_IP, port: p, path, headers };
  }
  if (spec.tcpSocket || spec.grpc) {
    // gRPC health checks are approximated by a TCP connect (no gRPC client in Skiff).
    const t = spec.tcpSocket ?? spec.grpc;
    const p = port(t.port);
    if (typeof p !== 'number') return { type: 'invalid', message: p.message };
    return { type: 'tcp', host: t.host || POD_IP, port: p };
  }
  return { type: 'invalid', message: 'probe must specify one of exec, httpGet, tcpSocket, grpc' };
}

/**
 * A probe's state. Readiness and startup start failed (not ready / not
 * started), liveness starts succeeded; the state flips after
 * `successThreshold` consecutive successes or `failureThreshold` consecutive
 * failures.
 */
export class ProbeTracker {
  ok: boolean;
  private successes = 0;
  private failures = 0;
  lastMessage = '';

  constructor(readonly probe: Pick<CompiledProbe, 'kind' | 'successThreshold' | 'failureThreshold'>) {
    this.ok = probe.kind === 'liveness';
  }

  /** Record one result; returns true when the state changed. */
  record(success: boolean, message = ''): boolean {
    this.lastMessage = message;
    if (success) {
      this.failures = 0;
      this.successes++;
      if (!this.ok && this.successes >= this.probe.successThreshold) {
        this.ok = true;
        return true;
      }
    } else {
      this.successes = 0;
      this.failures++;
      if (this.ok && this.failures >= this.probe.failureThreshold) {
        this.ok = false;
        return true;
      }
      // Startup probes count failures from the start even though they begin "not ok".
    }
    return false;
  }

  /** Startup probe gave up: failures reached the threshold. */
  get exhausted(): boolean {
    return this.failures >= this.probe.failureThreshold;
  }
}
