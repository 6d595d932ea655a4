// Route reconciler (pkg/reconciler/route): resolve spec.traffic to ready
// revisions, compute URLs from config-domain / config-network, own the
// placeholder Services and the KIngress `{route}`, step gradual rollouts, and
// report AllTrafficAssigned / IngressReady / CertificateProvisioned → Ready.
// Level-triggered: each reconcile rebuilds the desired children from the
// route, its targets and the config snapshot, and converges.
import { sameJson } from '../../../api/json.js';
import type { KObject } from '../../../api/meta.js';
import { A, L, SERVING_GROUP } from '../../../api/serving/constants.js';
import { parseGoDuration } from '../../../api/go-syntax.js';
import type { ApiClient } from '../../../client/client.js';
import type { Clock } from '../../../controller/clock.js';
import type { ConditionSet } from '../../../controller/conditions.js';
import { Controller, filterControllerGK, filteringHandler, Tracker, type Reconciler } from '../../../controller/controller.js';
import { permanent } from '../../../controller/errors.js';
import type { EventRecorder } from '../../../controller/events.js';
import { keyOf, type SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { childWriteError, INGRESS_GR, isIngressReady, NET, RoutingError, type IngressStatus, type IngressVisibility, type KIngress } from '../ingress/types.js';
import type { RoutingConfigSource } from './config-store.js';
import {
  EXTERNAL_DOMAIN_TLS_NOT_ENABLED_MESSAGE,
  IngressReady,
  markBadTrafficTarget,
  markIngressNotConfigured,
  markIngressRolloutInProgress,
  markRevisionTargetTrafficError,
  markServiceNotOwned,
  markTLSNotEnabled,
  markTrafficAssigned,
  propagateIngressStatus,
  routeConditions,
} from './lifecycle.js';
import { DomainNameError, domainNameFromTemplate, withVisibility, type RoutingConfig } from './resources/domains.js';
import { HttpProtocolError, makeIngress } from './resources/ingress.js';
import { ingressName, k8sServiceFullname } from './resources/names.js';
import { makePlaceholderService } from './resources/service.js';
import { buildRollout, deserializeRollout, observeReady, rolloutDone, stepRollout, type Rollout } from './traffic/rollout.js';
import { buildTrafficConfig, revisionTrafficTargets, type TrafficConfig } from './traffic/traffic.js';
import { resolveVisibility } from './visibility.js';

export const ROUTE_GR = `${SERVING_GROUP}/routes`;
export const CONFIGURATION_GR = `${SERVING_GROUP}/configurations`;
export const REVISION_GR = `${SERVING_GROUP}/revisions`;
export const SERVICE_GR = 'core/services';
const ERROR_CONFIG_REASON = 'ErrorConfig';

export interface RouteDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  config: RoutingConfigSource;
  /** Shared with the controller so Configuration/Revision changes re-enqueue routes; optional in tests. */
  tracker?: Tracker;
}

/** Seconds of the route's rollout-duration annotation (0 when absent or unparsable: admission rejects bad values). */
export function routeRolloutSeconds(route: KObject): number {
  const v = route.metadata.annotations?.[A.rolloutDuration] ?? route.metadata.annotations?.[A.rolloutDurationLegacy];
  if (!v) return 0;
  const ms = parseGoDuration(v);
  return ms === undefined ? 0 : Math.trunc(ms / 1000);
}

function isControlledBy(obj: KObject, owner: KObject): boolean {
  return !!obj.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid);
}

export function newRouteReconciler(deps: RouteDeps): Reconciler {
  const routes = deps.informers.lister(ROUTE_GR);
  const configurations = deps.informers.lister(CONFIGURATION_GR);
  const revisions = deps.informers.lister(REVISION_GR);
  const services = deps.informers.lister(SERVICE_GR);
  const ingresses = deps.informers.lister(INGRESS_GR);
  const cs = routeConditions.withClock(deps.clock);
  const log = deps.logger ?? silentLogger;

  async function reconcilePlaceholderServices(cfg: RoutingConfig, route: KObject, tc: TrafficConfig, status: { s: KObject['status'] }): Promise<void> {
    const ns = route.metadata.namespace!;
    const active = new Set<string>();
    for (const name of [...tc.targets.keys()].sort()) {
      const desired = makePlaceholderService(cfg, route, name);
      const svcName = desired.metadata.name!;
      active.add(svcName);
      const existing = services.get(ns, svcName);
      if (!existing) {
        try {
          await deps.client.create(SERVICE_GR, desired);
        } catch (err) {
          deps.recorder.eventf(route, 'Warning', 'CreationFailed', 'Failed to create placeholder service %q: %v', svcName, err);
          throw childWriteError('create placeholder service', err);
        }
        deps.recorder.eventf(route, 'Normal', 'Created', 'Created placeholder service %q', svcName);
        continue;
      }
      if (!isControlledBy(existing, route)) {
        status.s = markServiceNotOwned(cs, status.s, svcName);
        throw new RoutingError('SKIFF_ERR_ROUTING_NOT_OWNED', `route: ${JSON.stringify(route.metadata.name)} does not own Service: ${JSON.stringify(svcName)}`);
      }
      const labels = { ...(existing.metadata.labels ?? {}), ...(desired.metadata.labels ?? {}) };
      const annotations = { ...(existing.metadata.annotations ?? {}), ...(desired.metadata.annotations ?? {}) };
      const spec = { ...existing.spec, ...desired.spec };
      if (sameJson(existing.spec, spec) && sameJson(existing.metadata.labels ?? {}, labels) && sameJson(existing.metadata.annotations ?? {}, annotations)) continue;
      if (existing.spec?.type !== 'ExternalName') {
        // clusterIP-type Services cannot become ExternalName in place (kubernetes#104329): recreate.
        await deps.client.delete(SERVICE_GR, ns, svcName);
        await deps.client.create(SERVICE_GR, desired);
        continue;
      }
      const next = structuredClone(existing) as KObject;
      next.spec = spec;
      next.metadata.labels = labels;
      if (Object.keys(annotations).length) next.metadata.annotations = annotations;
      await deps.client.update(SERVICE_GR, next);
    }
    // Tags that went away leave Services behind: delete them.
    for (const svc of services.list({ namespace: ns, labelSelector: `${L.route}=${route.metadata.name}` })) {
      if (active.has(svc.metadata.name!) || !isControlledBy(svc, route)) continue;
      await deps.client.delete(SERVICE_GR, ns, svc.metadata.name!);
    }
  }

  /** The effective rollout for an existing KIngress, and when to look again (ms; 0 = no step pending). */
  function reconcileRollout(cfg: RoutingConfig, route: KObject, tc: TrafficConfig, ingress: KObject, status: KObject['status']): { rollout: Rollout; requeueMs: number } {
    let rd = routeRolloutSeconds(route);
    if (rd === 0) rd = cfg.network.rolloutDurationSecs;
    const cur = buildRollout(tc.targets);
    if (rd <= 0) return { rollout: cur, requeueMs: 0 };
    const nowNs = deps.clock.now() * 1e6;
    let prev = deserializeRollout(ingress.metadata.annotations?.[NET.rollout], (why) => log.warn(why, { route: keyOf(route) }));
    const rtView = cs.getCondition(status, IngressReady);
    // The KIngress just started serving the 1 % step: now we know how long a step takes.
    if (prev && isIngressReady(ingress) && rtView?.status !== 'True') prev = observeReady(prev, nowNs, rd);
    const { rollout, nextStepTime } = stepRollout(cur, prev, nowNs);
    return { rollout, requeueMs: nextStepTime > 0 ? Math.max(1, Math.ceil((nextStepTime - nowNs) / 1e6)) : 0 };
  }

  async function reconcileIngress(
    cfg: RoutingConfig,
    route: KObject,
    tc: TrafficConfig,
    visibility: Map<string, IngressVisibility>,
    status: KObject['status'],
  ): Promise<{ ingress: KObject; rollout: Rollout; requeueMs: number }> {
    const ns = route.metadata.namespace!;
    const existing = ingresses.get(ns, ingressName(route));
    if (!existing) {
      const rollout = buildRollout(tc.targets);
      const desired = makeIngress(cfg, route, tc, visibility, rollout);
      let created: KObject;
      try {
        created = await deps.client.create(INGRESS_GR, desired);
      } catch (err) {
        deps.recorder.eventf(route, 'Warning', 'CreationFailed', 'Failed to create Ingress: %v', err);
        throw childWriteError('create Ingress', err);
      }
      deps.recorder.eventf(route, 'Normal', 'Created', 'Created Ingress %q', created.metadata.name);
      return { ingress: created, rollout, requeueMs: 0 };
    }
    const { rollout, requeueMs } = reconcileRollout(cfg, route, tc, existing, status);
    const desired = makeIngress(cfg, route, tc, visibility, rollout);
    if (
      sameJson(existing.spec, desired.spec) &&
      sameJson(existing.metadata.annotations ?? {}, desired.metadata.annotations) &&
      sameJson(existing.metadata.labels ?? {}, desired.metadata.labels)
    ) {
      return { ingress: existing, rollout, requeueMs };
    }
    const next = structuredClone(existing) as KIngress;
    next.spec = desired.spec;
    next.metadata.annotations = desired.metadata.annotations;
    next.metadata.labels = desired.metadata.labels;
    let updated: KObject;
    try {
      updated = await deps.client.update(INGRESS_GR, next);
    } catch (err) {
      throw childWriteError('update Ingress', err);
    }
    return { ingress: updated, rollout, requeueMs };
  }

  return kindReconciler<KObject>({
    gr: ROUTE_GR,
    client: deps.client,
    lister: routes,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: cs,
    async reconcileKind(route) {
      const cfg = deps.config.current();
      const ns = route.metadata.namespace!;
      const key = keyOf(route);
      const box = { s: route.status as KObject['status'] };
      // Until the KIngress reflects a new generation, don't claim it is ready (net-contour#238).
      if (route.metadata.generation !== box.s.observedGeneration) box.s = markIngressNotConfigured(cs, box.s);
      try {
        return await reconcileRoute(cfg, route, ns, key, box);
      } finally {
        route.status = box.s;
      }
    },
  });

  async function reconcileRoute(cfg: RoutingConfig, route: KObject, ns: string, key: string, box: { s: KObject['status'] }) {
    // ---- traffic ----
    const built = buildTrafficConfig(route, {
      configuration: (n) => configurations.get(ns, n),
      revision: (n) => revisions.get(ns, n),
    });
    const tc = built.config;
    const placeholders = new Map<string, KObject>();
    for (const svc of services.list({ namespace: ns, labelSelector: `${L.route}=${route.metadata.name}` })) placeholders.set(svc.metadata.name!, svc);
    let visibility: Map<string, IngressVisibility>;
    try {
      visibility = resolveVisibility(cfg, route, placeholders);
      const clusterLocal = visibility.get('') === 'ClusterLocal';
      const host = domainNameFromTemplate(cfg, withVisibility(route.metadata, clusterLocal), route.metadata.name!);
      box.s = { ...box.s, url: `${clusterLocal ? 'http' : cfg.network.defaultExternalScheme}://${host}` };
    } catch (err) {
      if (!(err instanceof DomainNameError)) throw err;
      // Only a config (or route) change can fix a template that yields no valid host; both re-enqueue.
      box.s = markRevisionTargetTrafficError(cs, box.s, ERROR_CONFIG_REASON, err.message);
      return;
    }
    // Re-reconcile when anything the traffic names appears or changes.
    if (deps.tracker) {
      for (const m of tc.missingTargets) deps.tracker.track({ gr: m.kind === 'Configuration' ? CONFIGURATION_GR : REVISION_GR, namespace: ns, name: m.name }, key);
      for (const n of tc.configurations.keys()) deps.tracker.track({ gr: CONFIGURATION_GR, namespace: ns, name: n }, key);
      for (const n of tc.revisions.keys()) deps.tracker.track({ gr: REVISION_GR, namespace: ns, name: n }, key);
    }
    if (built.targetError) {
      box.s = markBadTrafficTarget(cs, box.s, built.targetError);
      return;
    }
    try {
      box.s = { ...box.s, traffic: revisionTrafficTargets(cfg, route, tc, visibility, { configurations: [] }) };
    } catch (err) {
      if (!(err instanceof DomainNameError)) throw err;
      box.s = markRevisionTargetTrafficError(cs, box.s, ERROR_CONFIG_REASON, err.message);
      return;
    }
    box.s = markTrafficAssigned(cs, box.s);
    box.s = { ...box.s, address: { url: `http://${k8sServiceFullname(route)}` } };

    // ---- children ----
    await reconcilePlaceholderServices(cfg, route, tc, box);
    // Skiff terminates no TLS itself: certificates are never provisioned.
    box.s = markTLSNotEnabled(cs, box.s, EXTERNAL_DOMAIN_TLS_NOT_ENABLED_MESSAGE);
    let res: { ingress: KObject; rollout: Rollout; requeueMs: number };
    try {
      res = await reconcileIngress(cfg, route, tc, visibility, box.s);
    } catch (err) {
      // Only editing the route's http-protocol annotation helps; don't hot-loop on it.
      if (err instanceof HttpProtocolError) throw permanent(err);
      throw err;
    }
    const roInProgress = !rolloutDone(res.rollout);
    const ingStatus = res.ingress.status as IngressStatus | undefined;
    if (res.ingress.metadata.generation !== ingStatus?.observedGeneration) box.s = markIngressNotConfigured(cs, box.s);
    else if (!roInProgress) box.s = propagateIngressStatus(cs, box.s, ingStatus);
    if (roInProgress) {
      box.s = markIngressRolloutInProgress(cs, box.s);
      box.s = { ...box.s, traffic: revisionTrafficTargets(cfg, route, tc, visibility, res.rollout) };
    }
    return res.requeueMs > 0 ? { requeueAfterMs: res.requeueMs } : undefined;
  }
}

export interface RouteControllerDeps extends Omit<RouteDeps, 'tracker'> {
  workers?: number;
}

/** The Route controller wired to its informers: routes, owned Services and KIngresses, tracked Configurations/Revisions. */
export function newRouteController(deps: RouteControllerDeps): { controller: Controller; tracker: Tracker } {
  let ctrl: Controller | undefined;
  const tracker = new Tracker((key) => ctrl?.enqueueKey(key), { clock: deps.clock });
  ctrl = new Controller({ name: 'route-controller', reconciler: newRouteReconciler({ ...deps, tracker }), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  const c = ctrl;
  const routeInformer = deps.informers.informerFor(ROUTE_GR);
  routeInformer.addEventHandler(c.handler());
  routeInformer.addEventHandler({ onDelete: (o) => tracker.untrackAll(keyOf(o)) });
  const ownedByRoute = filteringHandler(filterControllerGK(SERVING_GROUP, 'Route'), c.ownerHandler({ apiVersion: `${SERVING_GROUP}/v1`, kind: 'Route' }));
  deps.informers.informerFor(SERVICE_GR).addEventHandler(ownedByRoute);
  deps.informers.informerFor(INGRESS_GR).addEventHandler(ownedByRoute);
  deps.informers.informerFor(CONFIGURATION_GR).addEventHandler(tracker.handlerFor(CONFIGURATION_GR));
  deps.informers.informerFor(REVISION_GR).addEventHandler(tracker.handlerFor(REVISION_GR));
  return { controller: c, tracker };
}
