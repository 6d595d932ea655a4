// ClusterDomainClaims (networking.internal.knative.dev/v1alpha1): a
// cluster-scoped object named after a domain whose spec.namespace is the
// only namespace whose DomainMappings may serve that domain. Knative has no
// reconciler for them — they are plain claims, written by an admin or by the
// DomainMapping reconciler when config-network says
// `autocreate-cluster-domain-claims: "true"`. This module owns their shape,
// the claim check, and the event handler that wakes the DomainMappings of a
// domain when its claim appears, moves or goes away.
import type { KObject } from '../../../api/meta.js';
import type { EventHandler, Lister } from '../../../controller/informer.js';
import { keyOf } from '../../../controller/informer.js';
import { CDC_API_VERSION } from '../ingress/types.js';

/** MakeDomainClaim: no labels, annotations or owner (a claim outlives the mapping only when created by hand). */
export function makeClusterDomainClaim(dm: KObject): KObject {
  return {
    apiVersion: CDC_API_VERSION,
    kind: 'ClusterDomainClaim',
    metadata: { name: dm.metadata.name },
    spec: { namespace: dm.metadata.namespace },
  };
}

export type ClaimState = 'claimed' | 'absent' | 'claimedByOther';

/** Whether `namespace` holds the claim `cdc` (the claim for the domain, or undefined). */
export function claimState(cdc: KObject | undefined, namespace: string): ClaimState {
  if (!cdc) return 'absent';
  return cdc.spec?.namespace === namespace ? 'claimed' : 'claimedByOther';
}

/** Informer handler for ClusterDomainClaims: enqueue every DomainMapping named after the claimed domain. */
export function claimEventHandler(domainMappings: Lister, enqueueKey: (key: string) => void): EventHandler {
  const fire = (cdc: KObject) => {
    for (const dm of domainMappings.list()) if (dm.metadata.name === cdc.metadata.name) enqueueKey(keyOf(dm));
  };
  return { onAdd: fire, onUpdate: (_o, n) => fire(n), onDelete: fire };
}
