// What the KPA and HPA PodAutoscaler reconcilers share (Knative's
// pkg/reconciler/autoscaling/reconciler.go Base): the class filter, keeping
// the PA's ServerlessService in line, reading the SKS's readiness, and
// reading / patching the scale target's replicas through the scale
// subresource.
import { isDeepStrictEqual } from 'node:util';
import type { ApiClient } from '../../../client/client.js';
import { clone, controllerOf, type Condition, type KObject } from '../../../api/meta.js';
import type { Lister } from '../../../controller/informer.js';
import { ANNOTATION } from '../../autoscaler/annotations.js';
import type { AutoscalerConfig } from '../../autoscaler/config.js';
import { makeSks } from './resources/sks.js';
import type { PodAutoscaler } from './resources/types.js';
import { SKS_GR, type ServerlessService, type SksMode } from '../serverlessservice/resources/services.js';
import { ActivatorEndpointsPopulated, DEPLOYMENTS_GR, scaleTargetGr } from '../serverlessservice/serverlessservice.js';

/** The PA's autoscaler class: its annotation, else config-autoscaler's pod-autoscaler-class. */
export function paClass(pa: KObject, cfg: Pick<AutoscalerConfig, 'podAutoscalerClass'>): string {
  return pa.metadata.annotations?.[ANNOTATION.class] || cfg.podAutoscalerClass;
}

/** A ServerlessService with the PA's name exists and belongs to someone else. */
export class SksNotOwnedError extends Error {
  readonly code = 'SKIFF_ERR_NOT_OWNED';
  constructor(readonly sksName: string) {
    super(`PodAutoscaler does not own ServerlessService "${sksName}"`);
    this.name = 'SksNotOwnedError';
  }
}

/**
 * Knative's ReconcileSKS: create the SKS, or update its spec when mode,
 * activators, target or protocol changed. Returns the SKS as it now stands
 * (status as last seen).
 */
export async function reconcileSks(
  client: ApiClient,
  skss: Lister,
  pa: PodAutoscaler,
  mode: SksMode,
  numActivators: number,
): Promise<ServerlessService> {
  const want = makeSks(pa, mode, numActivators);
  const existing = skss.get(pa.metadata.namespace, pa.metadata.name!) as ServerlessService | undefined;
  if (!existing) return (await client.create(SKS_GR, want)) as ServerlessService;
  if (controllerOf(existing)?.uid !== pa.metadata.uid) throw new SksNotOwnedError(existing.metadata.name!);
  if (isDeepStrictEqual(existing.spec, want.spec)) return existing;
  const next = clone(existing) as ServerlessService;
  next.spec = want.spec;
  return (await client.update(SKS_GR, next)) as ServerlessService;
}

function sksCondition(sks: KObject | undefined, type: string): Condition | undefined {
  return (sks?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** Ready=True on an SKS whose status is current. */
export function isSksReady(sks: KObject | undefined): boolean {
  if (!sks) return false;
  const gen = sks.metadata.generation;
  if (gen !== undefined && sks.status?.observedGeneration !== gen) return false;
  return sksCondition(sks, 'Ready')?.status === 'True';
}

export function sksReadyMessage(sks: KObject | undefined): string {
  return sksCondition(sks, 'Ready')?.message ?? '';
}

/** Since when the activator has been in the SKS's path (ms), or null when it is not. */
export function sksProxySince(sks: KObject | undefined): number | null {
  const c = sksCondition(sks, ActivatorEndpointsPopulated);
  if (c?.status !== 'True') return null;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : null;
}

export interface ScaleTargetAccess {
  client: ApiClient;
  /** Lister of apps/deployments (other kinds are read through the client). */
  deployments: Lister;
}

/** The PA's scale target object, or undefined when it does not exist. */
export async function getScaleTarget(access: ScaleTargetAccess, pa: PodAutoscaler): Promise<{ gr: string; obj: KObject | undefined }> {
  const ref = pa.spec?.scaleTargetRef;
  const gr = scaleTargetGr(ref);
  if (!ref?.name || !gr) throw new Error(`PodAutoscaler ${pa.metadata.name} has no valid spec.scaleTargetRef`);
  const ns = pa.metadata.namespace ?? '';
  const obj = gr === DEPLOYMENTS_GR ? access.deployments.get(ns, ref.name) : await access.client.get(gr, ns, ref.name);
  return { gr, obj };
}

/** spec.replicas of a scale target (Kubernetes defaults an unset count to 1). */
export function replicasOf(obj: KObject): number {
  return typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
}

/**
 * scaler.applyScale: set the scale target's replicas to `desired` through
 * the scale subresource if they differ. Returns the previous count when it
 * patched, null when nothing was needed. Throws when the target is missing.
 */
export async function applyScale(access: ScaleTargetAccess, pa: PodAutoscaler, desired: number): Promise<number | null> {
  const { gr, obj } = await getScaleTarget(access, pa);
  if (!obj) throw new Error(`failed to get scale target ${pa.spec.scaleTargetRef.kind} "${pa.spec.scaleTargetRef.name}": not found`);
  const current = replicasOf(obj);
  if (current === desired) return null;
  await access.client.patch(gr, pa.metadata.namespace ?? '', obj.metadata.name!, { spec: { replicas: desired } }, { type: 'merge', subresource: 'scale' });
  return current;
}
