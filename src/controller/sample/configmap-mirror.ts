// A toy reconciler that exercises the whole runtime and shows the shape real
// ones should take: a ConfigMapMirror (samples.skiff.dev/v1alpha1) owns a
// child ConfigMap `<name>-mirror` holding `spec.data`, and reports it through
// a living condition set (ChildReady → Ready). Pure builders first, then the
// reconcile, then the wiring of informers to the controller.
import type { ApiClient } from '../../client/client.js';
import { makeOwnerRef, type KObject } from '../../api/meta.js';
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import { ConditionSet } from '../conditions.js';
import { Controller, filterControllerGK, filteringHandler, type Reconciler } from '../controller.js';
import { ReconcileEvent } from '../errors.js';
import type { EventRecorder } from '../events.js';
import type { SharedInformerFactory } from '../informer.js';
import type { Logger } from '../logger.js';
import { kindReconciler } from '../reconciler.js';

export const MIRROR_API_VERSION = 'samples.skiff.dev/v1alpha1';
export const MIRROR_KIND = 'ConfigMapMirror';
export const MIRROR_GR = 'samples.skiff.dev/configmapmirrors';
export const CONFIGMAP_GR = 'core/configmaps';
export const MIRROR_LABEL = 'samples.skiff.dev/mirror';

export const ChildReady = 'ChildReady';
export const mirrorConditions = ConditionSet.living([ChildReady]);

export interface ConfigMapMirror extends KObject {
  spec: { data?: Record<string, string>; recheckAfterSeconds?: number };
  status?: { conditions?: KObject['status']; observedGeneration?: number; childName?: string };
}

// ---- resources (pure) ----

export function mirrorName(parent: KObject): string {
  return `${parent.metadata.name}-mirror`;
}

export function makeMirrorConfigMap(parent: ConfigMapMirror): KObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: mirrorName(parent),
      namespace: parent.metadata.namespace,
      labels: { [MIRROR_LABEL]: parent.metadata.name! },
      ownerReferences: [makeOwnerRef(parent)],
    },
    data: { ...(parent.spec.data ?? {}) },
  };
}

// ---- reconcile ----

export interface MirrorDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
}

export function newConfigMapMirrorReconciler(deps: MirrorDeps): Reconciler {
  const parents = deps.informers.lister(MIRROR_GR);
  const configMaps = deps.informers.lister(CONFIGMAP_GR);
  const conditions = mirrorConditions.withClock(deps.clock);

  return kindReconciler<ConfigMapMirror>({
    gr: MIRROR_GR,
    client: deps.client,
    lister: parents,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: conditions,
    async reconcileKind(parent) {
      const ns = parent.metadata.namespace!;
      const name = mirrorName(parent);
      const desired = makeMirrorConfigMap(parent);
      const existing = configMaps.get(ns, name);
      parent.status = { ...parent.status, childName: name };

      if (!existing) {
        try {
          await deps.client.create(CONFIGMAP_GR, desired);
        } catch (err) {
          parent.status = conditions.markFalse(parent.status, ChildReady, 'CreateFailed', 'Failed to create ConfigMap %q: %v', name, err);
          throw err;
        }
        deps.recorder.eventf(parent, 'Normal', 'Created', 'Created ConfigMap %q', name);
      } else if (!existing.metadata.ownerReferences?.some((r) => r.controller && r.uid === parent.metadata.uid)) {
        parent.status = conditions.markFalse(parent.status, ChildReady, 'NotOwned', 'There is an existing ConfigMap %q that we do not own.', name);
        // Retrying cannot help until someone removes that ConfigMap; returning (not throwing) records the event without backoff retries.
        return new ReconcileEvent('Warning', 'NotOwned', `ConfigMap "${name}" is not owned by this ConfigMapMirror`);
      } else if (!isDeepStrictEqual(existing.data ?? {}, desired.data)) {
        await deps.client.update(CONFIGMAP_GR, { ...structuredClone(existing), data: desired.data });
        deps.recorder.eventf(parent, 'Normal', 'Updated', 'Updated ConfigMap %q', name);
      }
      parent.status = conditions.markTrue(parent.status, ChildReady);
      const recheck = parent.spec.recheckAfterSeconds;
      return recheck ? { requeueAfterMs: recheck * 1000 } : undefined;
    },
  });
}

// ---- wiring ----

export function newConfigMapMirrorController(deps: MirrorDeps & { workers?: number }): Controller {
  const ctrl = new Controller({
    name: 'configmapmirror-controller',
    reconciler: newConfigMapMirrorReconciler(deps),
    clock: deps.clock,
    logger: deps.logger,
    workers: deps.workers,
  });
  deps.informers.informerFor(MIRROR_GR).addEventHandler(ctrl.handler());
  deps.informers
    .informerFor(CONFIGMAP_GR)
    .addEventHandler(filteringHandler(filterControllerGK('samples.skiff.dev', MIRROR_KIND), ctrl.ownerHandler({ apiVersion: MIRROR_API_VERSION, kind: MIRROR_KIND })));
  return ctrl;
}
