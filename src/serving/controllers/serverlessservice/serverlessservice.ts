// The ServerlessService reconciler (knative/serving
// pkg/reconciler/serverlessservice): for SKS `{rev}` it keeps the public
// Service `{rev}` and the private Service `{rev}-private` (selector = the
// scale target's pod selector), and reports them in status (serviceName,
// privateServiceName, EndpointsPopulated → Ready, and the informational
// ActivatorEndpointsPopulated whose transition time tells the KPA how long
// the activator has been in the path).
//
// Embedded differences (documented): no Endpoints objects are written — the
// data plane routes from the SKS mode and the pod list it is sent. The
// activator lives in the data plane and is always there, so the public
// endpoints are never empty: EndpointsPopulated is True once the Services
// exist. In Serve mode with no ready pod the activator stays in the path
// (Knative's fallback), which ActivatorEndpointsPopulated reflects.
import { isDeepStrictEqual } from 'node:util';
import type { ApiClient } from '../../../client/client.js';
import { clone, controllerOf, type KObject } from '../../../api/meta.js';
import type { Clock } from '../../../controller/clock.js';
import { ConditionSet } from '../../../controller/conditions.js';
import { Controller, filterControllerGK, filteringHandler, type Reconciler } from '../../../controller/controller.js';
import { ReconcileEvent } from '../../../controller/errors.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { SharedInformerFactory } from '../../../controller/informer.js';
import type { Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { NETWORKING_INTERNAL_GROUP, SERVING_GROUP } from '../../../api/serving/constants.js';
import { ensurePodRevisionIndex, podReadinessHandler, PODS_GR, readyPodCount, REVISION_LABEL } from '../../autoscaler/runner/pods.js';
import { privateServiceName, publicServiceName } from './resources/names.js';
import {
  makePrivateService,
  makePublicService,
  normalizePorts,
  SERVICES_GR,
  SKS_API_VERSION,
  SKS_GR,
  SKS_KIND,
  type ServerlessService,
} from './resources/services.js';

export const EndpointsPopulated = 'EndpointsPopulated';
export const ActivatorEndpointsPopulated = 'ActivatorEndpointsPopulated';
export const sksConditions = ConditionSet.living([EndpointsPopulated]);
export const DEPLOYMENTS_GR = 'apps/deployments';

export interface ServerlessServiceDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
}

/** Group-resource of a scale target reference (apps/v1 Deployment → apps/deployments). */
export function scaleTargetGr(ref: { apiVersion?: string; kind?: string } | undefined): string | undefined {
  if (!ref?.kind) return undefined;
  const group = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/')[0] : 'core';
  const plural = ref.kind.toLowerCase() + 's';
  return `${group}/${plural}`;
}

/** Thrown when a Service with our name exists but is not ours; status says so, retrying cannot help. */
class NotOwned extends Error {}

export function newServerlessServiceReconciler(deps: ServerlessServiceDeps): Reconciler {
  const skss = deps.informers.lister(SKS_GR);
  const services = deps.informers.lister(SERVICES_GR);
  const deployments = deps.informers.lister(DEPLOYMENTS_GR);
  const podInformer = deps.informers.informerFor(PODS_GR);
  ensurePodRevisionIndex(podInformer);
  const conditions = sksConditions.withClock(deps.clock);

  async function selectorOf(sks: ServerlessService): Promise<Record<string, string>> {
    const ref = sks.spec?.objectRef;
    const ns = sks.metadata.namespace ?? '';
    const gr = scaleTargetGr(ref);
    if (!ref?.name || !gr) throw new ReconcileEvent('Warning', 'InternalError', `ServerlessService ${sks.metadata.name} has no valid spec.objectRef`);
    const target = gr === DEPLOYMENTS_GR ? deployments.get(ns, ref.name) : await deps.client.get(gr, ns, ref.name);
    if (!target) throw new Error(`error retrieving deployment selector spec: ${gr} "${ref.name}" not found`);
    const sel = target.spec?.selector?.matchLabels;
    if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0)
      throw new Error(`error retrieving deployment selector spec: ${gr} "${ref.name}" has no spec.selector.matchLabels`);
    return sel as Record<string, string>;
  }

  /** Create the Service, or bring ports / selector / our labels back to what we want. */
  async function reconcileService(sks: ServerlessService, desired: KObject): Promise<void> {
    const ns = sks.metadata.namespace ?? '';
    const name = desired.metadata.name!;
    const existing = services.get(ns, name);
    if (!existing) {
      await deps.client.create(SERVICES_GR, desired);
      return;
    }
    if (controllerOf(existing)?.uid !== sks.metadata.uid) throw new NotOwned(name);
    const wantSelector = desired.spec.selector;
    const portsDiffer = !isDeepStrictEqual(normalizePorts(existing.spec?.ports), normalizePorts(desired.spec.ports));
    const selectorDiffers = !isDeepStrictEqual(existing.spec?.selector ?? undefined, wantSelector);
    const labels = { ...(existing.metadata.labels ?? {}), ...desired.metadata.labels };
    const labelsDiffer = !isDeepStrictEqual(existing.metadata.labels ?? {}, labels);
    if (!portsDiffer && !selectorDiffers && !labelsDiffer) return;
    const next = clone(existing) as KObject;
    next.metadata.labels = labels;
    next.spec = { ...next.spec, ports: desired.spec.ports };
    if (wantSelector) next.spec.selector = wantSelector;
    else delete next.spec.selector;
    await deps.client.update(SERVICES_GR, next);
  }

  return kindReconciler<ServerlessService>({
    gr: SKS_GR,
    client: deps.client,
    lister: skss,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: conditions,
    async reconcileKind(sks) {
      const ns = sks.metadata.namespace ?? '';
      const name = sks.metadata.name!;
      const selector = await selectorOf(sks);
      try {
        await reconcileService(sks, makePublicService(sks));
        await reconcileService(sks, makePrivateService(sks, selector));
      } catch (err) {
        if (!(err instanceof NotOwned)) throw err;
        sks.status = conditions.markFalse(sks.status, EndpointsPopulated, 'NotOwned', 'There is an existing placeholder Service %q that we do not own.', err.message);
        return new ReconcileEvent('Warning', 'NotOwned', `Service "${err.message}" is not owned by ServerlessService "${name}"`);
      }
      sks.status = { ...sks.status, serviceName: publicServiceName(name), privateServiceName: privateServiceName(name) };

      // The activator is in the path in Proxy mode, and in Serve mode while no pod is ready.
      const ready = readyPodCount(podInformer, `${ns}/${sks.metadata.labels?.[REVISION_LABEL] ?? name}`);
      const activatorInPath = sks.spec?.mode === 'Proxy' || ready === 0;
      sks.status = conditions.markTrue(sks.status, EndpointsPopulated);
      sks.status = activatorInPath
        ? conditions.markTrue(sks.status, ActivatorEndpointsPopulated, 'ActivatorEndpointsPopulated', 'Revision is backed by Activator')
        : conditions.markFalse(sks.status, ActivatorEndpointsPopulated, 'ActivatorEndpointsRemoved', 'Revision is backed by its pods');
    },
  });
}

export function newServerlessServiceController(deps: ServerlessServiceDeps & { workers?: number }): Controller {
  const ctrl = new Controller({
    name: 'serverlessservice-controller',
    reconciler: newServerlessServiceReconciler(deps),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  deps.informers.informerFor(SKS_GR).addEventHandler(ctrl.handler());
  deps.informers
    .informerFor(SERVICES_GR)
    .addEventHandler(filteringHandler(filterControllerGK(NETWORKING_INTERNAL_GROUP, SKS_KIND), ctrl.ownerHandler({ apiVersion: SKS_API_VERSION, kind: SKS_KIND })));
  // SKS name = revision name: pods (readiness) and the Deployment (selector) map to it.
  deps.informers.informerFor(PODS_GR).addEventHandler(podReadinessHandler((k) => ctrl.enqueueKey(k)));
  deps.informers
    .informerFor(DEPLOYMENTS_GR)
    .addEventHandler(filteringHandler(filterControllerGK(SERVING_GROUP, 'Revision'), ctrl.ownerHandler({ apiVersion: `${SERVING_GROUP}/v1`, kind: 'Revision' })));
  return ctrl;
}
