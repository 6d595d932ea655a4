// Resolves a Route's spec.traffic to revisions (route/traffic/traffic.go):
// configurationName → the Configuration's latestReadyRevisionName,
// revisionName → that Revision, which must be Ready (and, for Service-owned
// routes, belong to the same Service). Problems are collected as deferred
// target errors — a failure (missing / failed / not owned) beats a wait
// (not ready yet) — and any of them means no traffic is programmed at all.
// Targets are grouped per tag ('' = the default host) and consolidated per
// revision; status entries always name revisions. Pure over two lookups.
import type { KObject } from '../../../../api/meta.js';
import { L } from '../../../../api/serving/constants.js';
import type { TrafficTarget } from '../../../../api/serving/traffic.js';
import type { IngressVisibility } from '../../ingress/types.js';
import { domainNameFromTemplate, hostnameFromTemplate, withVisibility, type RoutingConfig } from '../resources/domains.js';
import { rolloutsByTag, type Rollout } from './rollout.js';

/** The unnamed default target. */
export const DEFAULT_TARGET = '';

/** A traffic target flattened to the revision level. */
export interface RevisionTarget {
  tag: string;
  revisionName: string;
  /** The configuration behind the revision (from the target, or the revision's label). */
  configurationName: string;
  latestRevision: boolean;
  percent: number;
}

/** Why traffic could not be assigned; `isFailure` (False) vs still waiting (Unknown). */
export type TargetError =
  | { kind: 'missing'; targetKind: 'Configuration' | 'Revision'; name: string; isFailure: true }
  | { kind: 'unreadyConfiguration'; name: string; isFailure: boolean }
  | { kind: 'unreadyRevision'; name: string; isFailure: boolean }
  | { kind: 'revisionNotOwned'; revisionName: string; expectedService: string; actualService: string; isFailure: true };

export function targetErrorMessage(e: TargetError): string {
  switch (e.kind) {
    case 'missing':
      return `${e.targetKind} ${JSON.stringify(e.name)} referenced in traffic not found`;
    case 'unreadyConfiguration':
      return `Configuration ${JSON.stringify(e.name)} not ready, isFailure=${e.isFailure}`;
    case 'unreadyRevision':
      return `Revision ${JSON.stringify(e.name)} not ready, isFailure=${e.isFailure}`;
    case 'revisionNotOwned':
      return e.actualService
        ? `Revision ${JSON.stringify(e.revisionName)} belongs to Service ${JSON.stringify(e.actualService)}, not Service ${JSON.stringify(e.expectedService)}`
        : `Revision ${JSON.stringify(e.revisionName)} does not belong to Service ${JSON.stringify(e.expectedService)}`;
  }
}

export interface TrafficLookup {
  configuration(name: string): KObject | undefined;
  revision(name: string): KObject | undefined;
}

export interface TrafficConfig {
  /** Tag ('' = default) → consolidated revision targets (a single one is always 100 %). */
  targets: Map<string, RevisionTarget[]>;
  /** Spec entries flattened to revisions, merged per (tag, revision, latestRevision): the status list. */
  revisionTargets: RevisionTarget[];
  /** Referenced objects, by name (for tracking). */
  configurations: Map<string, KObject>;
  revisions: Map<string, KObject>;
  /** Referenced names that do not exist (tracked so their creation re-triggers the route). */
  missingTargets: Array<{ kind: 'Configuration' | 'Revision'; name: string }>;
}

export interface TrafficBuildResult {
  config: TrafficConfig;
  /** When set, `config.targets` and `config.revisionTargets` are empty. */
  targetError?: TargetError;
}

function readyStatus(obj: KObject): 'True' | 'False' | 'Unknown' {
  const c = (obj.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((x) => x.type === 'Ready');
  return c?.status === 'True' ? 'True' : c?.status === 'False' ? 'False' : 'Unknown';
}

/** Revision.IsReady: Ready=True for the observed current generation. */
export function isRevisionReady(rev: KObject): boolean {
  return readyStatus(rev) === 'True' && (rev.status?.observedGeneration ?? undefined) === (rev.metadata.generation ?? undefined);
}

class MissingTarget extends Error {
  constructor(readonly te: TargetError) {
    super(targetErrorMessage(te));
  }
}

/** BuildTrafficConfiguration. */
export function buildTrafficConfig(route: KObject, lookup: TrafficLookup): TrafficBuildResult {
  const configurations = new Map<string, KObject>();
  const revisions = new Map<string, KObject>();
  const missingTargets: TrafficConfig['missingTargets'] = [];
  let targets = new Map<string, RevisionTarget[]>();
  let revisionTargets: RevisionTarget[] = [];
  let deferred: TargetError | undefined;

  const getConfiguration = (name: string): KObject => {
    let c = configurations.get(name);
    if (!c) {
      c = lookup.configuration(name);
      if (!c) throw new MissingTarget({ kind: 'missing', targetKind: 'Configuration', name, isFailure: true });
      configurations.set(name, c);
    }
    return c;
  };
  const getRevision = (name: string): KObject => {
    let r = revisions.get(name);
    if (!r) {
      r = lookup.revision(name);
      if (!r) throw new MissingTarget({ kind: 'missing', targetKind: 'Revision', name, isFailure: true });
      revisions.set(name, r);
    }
    return r;
  };
  const addFlattened = (t: RevisionTarget) => {
    const merged = revisionTargets.find((x) => x.tag === t.tag && x.revisionName === t.revisionName && x.latestRevision === t.latestRevision);
    if (merged) merged.percent += t.percent;
    else revisionTargets.push({ ...t });
    const push = (name: string) => {
      const list = targets.get(name) ?? [];
      list.push({ ...t });
      targets.set(name, list);
    };
    push(DEFAULT_TARGET);
    if (t.tag) push(t.tag);
  };

  const routeService = route.metadata.labels?.[L.service] ?? '';
  const addTarget = (tt: TrafficTarget): TargetError | undefined => {
    const percent = typeof tt.percent === 'number' ? tt.percent : 0;
    const latestRevision = tt.latestRevision ?? !tt.revisionName;
    const tag = tt.tag ?? '';
    if (tt.revisionName) {
      const rev = getRevision(tt.revisionName);
      if (routeService) {
        const revService = rev.metadata.labels?.[L.service] ?? '';
        if (revService !== routeService)
          return { kind: 'revisionNotOwned', revisionName: tt.revisionName, expectedService: routeService, actualService: revService, isFailure: true };
      }
      if (!isRevisionReady(rev)) return { kind: 'unreadyRevision', name: rev.metadata.name!, isFailure: readyStatus(rev) === 'False' };
      const configName = rev.metadata.labels?.[L.configuration];
      if (configName) getConfiguration(configName);
      addFlattened({ tag, revisionName: rev.metadata.name!, configurationName: configName ?? '', latestRevision, percent });
      return undefined;
    }
    if (tt.configurationName) {
      const cfg = getConfiguration(tt.configurationName);
      const latestReady: string | undefined = cfg.status?.latestReadyRevisionName;
      if (!latestReady) return { kind: 'unreadyConfiguration', name: cfg.metadata.name!, isFailure: readyStatus(cfg) === 'False' };
      const rev = getRevision(latestReady);
      if (!isRevisionReady(rev)) return { kind: 'unreadyRevision', name: rev.metadata.name!, isFailure: readyStatus(rev) === 'False' };
      addFlattened({ tag, revisionName: rev.metadata.name!, configurationName: tt.configurationName, latestRevision, percent });
    }
    return undefined;
  };

  for (const tt of (route.spec?.traffic ?? []) as TrafficTarget[]) {
    let te: TargetError | undefined;
    try {
      te = addTarget(tt);
    } catch (err) {
      if (!(err instanceof MissingTarget)) throw err;
      te = err.te;
      if (te.kind === 'missing') missingTargets.push({ kind: te.targetKind, name: te.name });
    }
    // A failure always wins over an earlier wait; otherwise the first problem is kept.
    if (te && (!deferred || te.isFailure)) deferred = te;
  }
  if (deferred) {
    targets = new Map();
    revisionTargets = [];
  }
  const consolidated = new Map<string, RevisionTarget[]>();
  for (const [name, list] of targets) consolidated.set(name, consolidate(list));
  return { config: { targets: consolidated, revisionTargets, configurations, revisions, missingTargets }, targetError: deferred };
}

/** Sum percentages per revision (first occurrence keeps its place); a lone revision gets 100 %. */
export function consolidate(targets: RevisionTarget[]): RevisionTarget[] {
  const byName = new Map<string, RevisionTarget>();
  for (const t of targets) {
    const cur = byName.get(t.revisionName);
    if (cur) cur.percent += t.percent;
    else byName.set(t.revisionName, { ...t });
  }
  const out = [...byName.values()];
  if (out.length === 1) out[0].percent = 100;
  return out;
}

/** The traffic names (tags, '' first) a route's spec mentions, sorted. */
export function trafficNames(route: KObject): string[] {
  const names = new Set<string>([DEFAULT_TARGET]);
  for (const tt of (route.spec?.traffic ?? []) as TrafficTarget[]) names.add(tt.tag ?? '');
  return [...names].sort();
}

/** The URL of a tagged target (computeURL). */
export function tagURL(cfg: RoutingConfig, route: KObject, tag: string, visibility: Map<string, IngressVisibility>): string {
  const clusterLocal = visibility.get(tag) === 'ClusterLocal';
  const host = domainNameFromTemplate(cfg, withVisibility(route.metadata, clusterLocal), hostnameFromTemplate(cfg, route.metadata.name!, tag));
  return `${clusterLocal ? 'http' : cfg.network.defaultExternalScheme}://${host}`;
}

/**
 * status.traffic (GetRevisionTrafficTargets): one entry per flattened target,
 * or per revision of an in-progress rollout of a latestRevision target;
 * tagged entries carry their URL. Never names configurations.
 */
export function revisionTrafficTargets(
  cfg: RoutingConfig,
  route: KObject,
  tc: TrafficConfig,
  visibility: Map<string, IngressVisibility>,
  rollout: Rollout,
): TrafficTarget[] {
  const out: TrafficTarget[] = [];
  for (const tt of tc.revisionTargets) {
    let revs: Array<{ revisionName: string; percent: number }> = [{ revisionName: tt.revisionName, percent: tt.percent }];
    if (tt.latestRevision) {
      const ro = rolloutsByTag(rollout, tt.tag).find((c) => c.configurationName === tt.configurationName);
      if (ro) revs = ro.revisions;
    }
    const url = tt.tag ? tagURL(cfg, route, tt.tag, visibility) : undefined;
    for (const r of revs) {
      const entry: TrafficTarget = {};
      if (tt.tag) entry.tag = tt.tag;
      entry.revisionName = r.revisionName;
      entry.latestRevision = tt.latestRevision;
      entry.percent = r.percent;
      if (url) entry.url = url;
      out.push(entry);
    }
  }
  return out;
}
