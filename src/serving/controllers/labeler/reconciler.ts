// The labeler (Knative pkg/reconciler/labeler, "v2" metadata sync): a Route
// reconciler that writes nothing on the Route itself but keeps, on every
// Configuration and Revision its traffic reaches, the
// `serving.knative.dev/routes` annotation and — on Revisions — the
// `serving.knative.dev/routingState` label the autoscaler (reachability) and
// revision GC read.
//
// Per Route: every revision and configuration named in spec.traffic or
// status.traffic is listed (a revision's controlling Configuration counts as
// named, and for `latestRevision` targets so does the Configuration's latest
// *created* revision, so a new revision is active before it takes traffic).
// Listed objects get the route added; once the Route is Ready or failed
// (fully resolved), objects that still list the route but are no longer
// named lose it — a Revision left with no route becomes `reserve`. On Route
// deletion (finalizer) the route is removed everywhere.
import type { ApiClient } from '../../../client/client.js';
import { condition, controllerOf, type KObject } from '../../../api/meta.js';
import { A, L } from '../../../api/serving/constants.js';
import type { TrafficTarget } from '../../../api/serving/traffic.js';
import type { Clock } from '../../../controller/clock.js';
import type { Reconciler, Tracker } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import { keyOf, type IndexFunc, type Lister, type SharedInformerFactory } from '../../../controller/informer.js';
import { getListAnnotation } from './list-annotation.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { GR } from '../names.js';
import { listsRoute, makeMetadataPatch } from './accessors.js';
import { ChildWriteError, errMessage } from '../errors.js';

/** Knative's labeler finalizes Routes under the Route reconciler's default finalizer name. */
export const LABELER_FINALIZER = 'routes.serving.knative.dev';

export interface LabelerReconcilerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  /** Re-enqueues a Route when a Configuration or Revision it named changes. */
  tracker: Tracker;
}

interface Accessor {
  gr: string;
  kind: string;
  lister: Lister;
  withRoutingState: boolean;
  /** Objects in `ns` currently recorded as routed by `routeName`. */
  listRouted(ns: string, routeName: string): KObject[];
}

function routeIsResolved(route: KObject): boolean {
  const ready = condition(route);
  return route.status?.observedGeneration === route.metadata.generation && (ready?.status === 'True' || ready?.status === 'False');
}

/** Informer index: `namespace/route` for every route an object's routes annotation lists. */
export const ROUTES_INDEX = 'labeler:routes';
export const indexByListedRoutes: IndexFunc = (o) => {
  const ns = o.metadata.namespace ?? '';
  return [...getListAnnotation(o.metadata.annotations, A.routes)].map((r) => `${ns}/${r}`);
};

export function newLabelerReconciler(deps: LabelerReconcilerDeps): Reconciler {
  const log = deps.logger ?? silentLogger;
  const routes = deps.informers.lister(GR.routes);
  const configurations = deps.informers.lister(GR.configurations);
  const revisions = deps.informers.lister(GR.revisions);

  // Objects by the routes their annotation lists: a namespace scan per Route reconcile made bulk applies O(n²).
  for (const gr of [GR.revisions, GR.configurations]) {
    const inf = deps.informers.informerFor(gr);
    if (!inf.hasIndex(ROUTES_INDEX)) inf.addIndexer(ROUTES_INDEX, indexByListedRoutes);
  }
  const routed = (lister: Lister, ns: string, routeName: string) =>
    lister.byIndex(ROUTES_INDEX, `${ns}/${routeName}`).filter((o) => o.metadata.namespace === ns && listsRoute(o, routeName));
  const revisionAccessor: Accessor = {
    gr: GR.revisions,
    kind: 'Revision',
    lister: revisions,
    withRoutingState: true,
    listRouted: (ns, routeName) => routed(revisions, ns, routeName).filter((r) => r.metadata.labels?.[L.routingState] === 'active'),
  };
  const configurationAccessor: Accessor = {
    gr: GR.configurations,
    kind: 'Configuration',
    lister: configurations,
    withRoutingState: false,
    listRouted: (ns, routeName) => routed(configurations, ns, routeName),
  };

  async function setRoutingMeta(acc: Accessor, route: KObject, name: string, remove: boolean): Promise<void> {
    const ns = route.metadata.namespace!;
    const obj = acc.lister.get(ns, name);
    if (!obj) return; // gone (or not in the cache yet: the tracker brings us back when it appears)
    const patch = makeMetadataPatch(obj, route.metadata.name!, { withRoutingState: acc.withRoutingState, remove, nowMs: deps.clock.now() });
    if (!patch) return;
    log.debug('labeler patching routing metadata', { kind: acc.kind, object: `${ns}/${name}`, patch });
    try {
      await deps.client.patch(acc.gr, ns, name, patch, { type: 'merge' });
    } catch (err) {
      if ((err as { status?: number }).status === 404) return;
      const what = remove ? 'remove route annotation from' : 'add route annotation to';
      throw new ChildWriteError(`failed to ${what} ${acc.kind} ${JSON.stringify(`${ns}/${name}`)}: ${errMessage(err)}`, { cause: err });
    }
  }

  async function clearForNotListed(acc: Accessor, route: KObject, keep: ReadonlySet<string>): Promise<void> {
    const stale = acc
      .listRouted(route.metadata.namespace!, route.metadata.name!)
      .map((o) => o.metadata.name!)
      .filter((n) => !keep.has(n))
      .sort();
    for (const name of stale) await setRoutingMeta(acc, route, name, true);
  }

  async function setForListed(acc: Accessor, route: KObject, names: ReadonlySet<string>): Promise<void> {
    for (const name of [...names].sort()) await setRoutingMeta(acc, route, name, false);
  }

  async function syncRoutingMeta(route: KObject): Promise<void> {
    const ns = route.metadata.namespace!;
    const routeKey = keyOf(route);
    const revNames = new Set<string>();
    const configNames = new Set<string>();
    const targets: TrafficTarget[] = [...(route.status?.traffic ?? []), ...(route.spec?.traffic ?? [])];
    for (const tt of targets) {
      let configName = tt.configurationName;
      if (tt.revisionName) {
        deps.tracker.track({ gr: GR.revisions, namespace: ns, name: tt.revisionName }, routeKey);
        const rev = revisions.get(ns, tt.revisionName);
        // A revision that does not exist (yet) is skipped; the tracker re-enqueues us when it appears.
        if (!rev) continue;
        revNames.add(tt.revisionName);
        const owner = controllerOf(rev);
        if (owner?.kind === 'Configuration') configName = owner.name;
      }
      if (configName) {
        deps.tracker.track({ gr: GR.configurations, namespace: ns, name: configName }, routeKey);
        const config = configurations.get(ns, configName);
        if (!config) continue;
        configNames.add(configName);
        const lcr: string | undefined = config.status?.latestCreatedRevisionName;
        if (lcr && tt.latestRevision === true) {
          // The next revision is marked before it takes traffic, so it is never briefly `reserve`.
          deps.tracker.track({ gr: GR.revisions, namespace: ns, name: lcr }, routeKey);
          revNames.add(lcr);
        }
      }
    }
    // Forget old targets only once the Route has settled on its traffic.
    if (routeIsResolved(route)) {
      await clearForNotListed(revisionAccessor, route, revNames);
      await clearForNotListed(configurationAccessor, route, configNames);
    }
    await setForListed(revisionAccessor, route, revNames);
    await setForListed(configurationAccessor, route, configNames);
  }

  return kindReconciler<KObject>({
    gr: GR.routes,
    client: deps.client,
    lister: routes,
    recorder: deps.recorder,
    logger: log,
    finalizerName: LABELER_FINALIZER,
    // No conditionSet: the labeler never touches the Route's status.
    async reconcileKind(route) {
      await syncRoutingMeta(route);
    },
    async finalizeKind(route) {
      await clearForNotListed(revisionAccessor, route, new Set());
      await clearForNotListed(configurationAccessor, route, new Set());
    },
  });
}
