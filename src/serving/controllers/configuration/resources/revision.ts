// Configuration → Revision (Knative pkg/reconciler/configuration/resources/revision.go):
// the template's metadata and spec, named after the template or
// `{config}-%05d` of the Configuration's generation, labelled with its
// Configuration (and Service), owned by it, and born `routingState: pending`
// — or `active` straight away when the Configuration is already routed
// (its `serving.knative.dev/routes` annotation is copied over). Also the
// BYO-name check shared with the Service reconciler. Pure.
import { sameJson } from '../../../../api/json.js';
import { makeOwnerRef, type KObject } from '../../../../api/meta.js';
import { A, L } from '../../../../api/serving/constants.js';
import { rfc3339 } from '../../../../controller/clock.js';
import { revisionNameFor } from '../../names.js';

export type RoutingState = 'pending' | 'active' | 'reserve';

/**
 * Revision.SetRoutingState: set the label and stamp routingStateModified —
 * unless the state is unchanged and already stamped (the timestamp says when
 * the state last *changed*; GC reads it).
 */
export function setRoutingState(rev: KObject, state: RoutingState, nowMs: number): void {
  const labels = (rev.metadata.labels ??= {});
  const annotations = (rev.metadata.annotations ??= {});
  if (annotations[A.routingStateModified] && labels[L.routingState] === state) return;
  labels[L.routingState] = state;
  annotations[A.routingStateModified] = rfc3339(nowMs);
}

/** RevisionLabelValueForKey: the value a Revision of `config` carries under `key` ('' = none). */
export function revisionLabelValue(key: string, config: KObject): string {
  switch (key) {
    case L.configuration:
      return config.metadata.name ?? '';
    case L.service:
      return config.metadata.labels?.[L.service] ?? '';
    case L.configurationGeneration:
      return String(config.metadata.generation ?? 0);
    case L.configurationUID:
      return config.metadata.uid ?? '';
    case L.serviceUID:
      return config.metadata.labels?.[L.serviceUID] ?? '';
    default:
      return '';
  }
}

const REVISION_LABEL_KEYS = [L.configuration, L.service, L.configurationGeneration, L.configurationUID, L.serviceUID];

export function makeRevision(config: KObject, nowMs: number): KObject {
  const tpl = config.spec?.template ?? {};
  const meta = structuredClone(tpl.metadata ?? {});
  // A template's metadata is an ObjectMeta but only name/labels/annotations make sense on the child.
  delete meta.creationTimestamp;
  delete meta.namespace;
  const rev: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { ...meta, name: revisionNameFor(config), namespace: config.metadata.namespace },
    spec: structuredClone(tpl.spec ?? {}),
  };
  // Pending tells the labeler this revision has not been looked at yet.
  setRoutingState(rev, 'pending', nowMs);

  const labels = rev.metadata.labels!;
  for (const key of REVISION_LABEL_KEYS) {
    const v = revisionLabelValue(key, config);
    if (v !== '') labels[key] = v;
  }

  const annotations = rev.metadata.annotations!;
  const cfgAnn = config.metadata.annotations ?? {};
  if (cfgAnn[A.lastModifier] !== undefined) annotations[A.creator] = cfgAnn[A.lastModifier];
  if (cfgAnn[A.routes] !== undefined) {
    // Already routed: the revision is born active, no labeler round trip needed.
    annotations[A.routes] = cfgAnn[A.routes];
    setRoutingState(rev, 'active', nowMs);
  }

  rev.metadata.ownerReferences = [...(rev.metadata.ownerReferences ?? []), makeOwnerRef(config)];
  return rev;
}

export type NameAvailability = 'available' | 'ours' | 'taken';

/**
 * CheckNameAvailability for a Configuration whose template names its
 * Revision: `available` when no such Revision exists, `ours` when it exists,
 * is controlled by this Configuration and was made from this template (same
 * generation, or an identical spec), `taken` otherwise. Without a template
 * name there is nothing to check (`available`).
 */
export function checkNameAvailability(config: KObject, existing: KObject | undefined): NameAvailability {
  const name = config.spec?.template?.metadata?.name;
  if (!name || !existing) return 'available';
  const controlled = existing.metadata.ownerReferences?.some((r) => r.controller && r.uid === config.metadata.uid);
  if (!controlled) return 'taken';
  if (existing.metadata.labels?.[L.configurationGeneration] === revisionLabelValue(L.configurationGeneration, config)) return 'ours';
  // Only the spec must match: the rest is immutable or may carry the user's own labels.
  return sameJson(config.spec?.template?.spec, existing.spec) ? 'ours' : 'taken';
}
