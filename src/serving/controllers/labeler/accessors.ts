// What the labeler writes on a Configuration or Revision a Route points at
// (Knative pkg/reconciler/labeler/accessors.go): the route's name in the
// `serving.knative.dev/routes` list annotation and, for Revisions, the
// `serving.knative.dev/routingState` label (`active` while some Route lists
// it, `reserve` once none does) with the time it last changed in
// `serving.knative.dev/routingStateModified`. Patches are JSON merge
// patches: `null` removes a key. Pure.
import type { KObject } from '../../../api/meta.js';
import { A, L } from '../../../api/serving/constants.js';
import { rfc3339 } from '../../../controller/clock.js';
import { formatListAnnotation, getListAnnotation } from './list-annotation.js';

export type MetadataPatch = { metadata: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> } };

/** Add (or with `remove`, drop) `routeName` in the routes annotation; records the change in `diff`. */
function updateRouteAnnotation(obj: KObject, routeName: string, diff: Record<string, string | null>, remove: boolean): void {
  const names = getListAnnotation(obj.metadata.annotations, A.routes);
  const has = names.has(routeName);
  if (has && remove) {
    names.delete(routeName);
    diff[A.routes] = names.size === 0 ? null : formatListAnnotation(names);
  } else if (!has && !remove) {
    names.add(routeName);
    diff[A.routes] = formatListAnnotation(names);
  }
}

/** routingState follows "is any route listed" (after the pending change in `diffAnn`). */
function markRoutingState(obj: KObject, nowMs: number, diffLabels: Record<string, string | null>, diffAnn: Record<string, string | null>): void {
  let hasRoute = !!obj.metadata.annotations?.[A.routes];
  if (A.routes in diffAnn) hasRoute = diffAnn[A.routes] !== null;
  const want = hasRoute ? 'active' : 'reserve';
  if (obj.metadata.labels?.[L.routingState] !== want) {
    diffLabels[L.routingState] = want;
    diffAnn[A.routingStateModified] = rfc3339(nowMs);
  }
}

/**
 * The merge patch that records (or, with `remove`, forgets) `routeName` on
 * `obj`; undefined when `obj` already says so. `withRoutingState` for Revisions.
 */
export function makeMetadataPatch(obj: KObject, routeName: string, opts: { withRoutingState: boolean; remove: boolean; nowMs: number }): MetadataPatch | undefined {
  const labels: Record<string, string | null> = {};
  const annotations: Record<string, string | null> = {};
  updateRouteAnnotation(obj, routeName, annotations, opts.remove);
  if (opts.withRoutingState) markRoutingState(obj, opts.nowMs, labels, annotations);
  const metadata: MetadataPatch['metadata'] = {};
  if (Object.keys(labels).length) metadata.labels = labels;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return Object.keys(metadata).length ? { metadata } : undefined;
}

/** Does `obj`'s routes annotation list `routeName`? */
export function listsRoute(obj: KObject, routeName: string): boolean {
  return getListAnnotation(obj.metadata.annotations, A.routes).has(routeName);
}
