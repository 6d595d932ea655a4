// The pure part of `skiff apply`: the desired object sent to the server and
// the three-way JSON merge patch (last applied ↔ new manifest ↔ live object),
// as kubectl computes it for kinds without strategic-merge metadata.
import type { KObject } from '../api/meta.js';
import { deepEqual, isPlainObject } from '../api/json.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata the server owns; a manifest saved from `get -o yaml` must not fight over it. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/**
 * The JSON merge patch that makes `live` say what `desired` says, and drops
 * fields that `lastApplied` set but `desired` no longer mentions. Fields
 * neither manifest mentions (server defaults, status, controller-set labels)
 * are left alone. Lists are replaced whole (merge-patch semantics).
 */
export function threeWayMergePatch(lastApplied: unknown, desired: Record<string, unknown>, live: unknown): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const liveObj = isPlainObject(live) ? live : {};
  const lastObj = isPlainObject(lastApplied) ? lastApplied : {};
  for (const [k, d] of Object.entries(desired)) {
    if (d === undefined) continue;
    const l = liveObj[k];
    if (isPlainObject(d) && isPlainObject(l)) {
      const sub = threeWayMergePatch(lastObj[k], d, l);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (d === null) {
      if (l !== undefined && l !== null) patch[k] = null;
    } else if (!deepEqual(d, l)) patch[k] = d;
  }
  for (const k of Object.keys(lastObj)) {
    if (!(k in desired) && liveObj[k] !== undefined) patch[k] = null;
  }
  return patch;
}

export type ApplyResult = 'created' | 'configured' | 'unchanged';

/** The object to send: manifest minus status and server-owned metadata, with the last-applied annotation. */
export function desiredObject(manifest: KObject, namespace: string | undefined): { desired: KObject; annotation: string } {
  const desired = structuredClone(manifest);
  delete desired.status;
  const meta = (desired.metadata ??= {}) as Record<string, unknown>;
  for (const f of SERVER_METADATA) delete meta[f];
  if (namespace) desired.metadata.namespace = namespace;
  else delete desired.metadata.namespace;
  // The annotation records the manifest as applied, without the annotation itself.
  const recorded = structuredClone(desired);
  if (recorded.metadata.annotations) {
    delete recorded.metadata.annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(recorded.metadata.annotations).length === 0) delete recorded.metadata.annotations;
  }
  const annotation = `${JSON.stringify(recorded)}\n`;
  desired.metadata.annotations = { ...(desired.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: annotation };
  return { desired, annotation };
}
