// Route status conditions with Knative's reasons and messages
// (pkg/apis/serving/v1/route_lifecycle.go): AllTrafficAssigned,
// IngressReady and CertificateProvisioned → Ready. Each mark returns a new
// status (ConditionSet never mutates).
import type { Condition } from '../../../api/meta.js';
import { ConditionSet, type StatusWithConditions } from '../../../controller/conditions.js';
import type { IngressStatus } from '../ingress/types.js';
import type { TargetError } from './traffic/traffic.js';

export const AllTrafficAssigned = 'AllTrafficAssigned';
export const IngressReady = 'IngressReady';
export const CertificateProvisioned = 'CertificateProvisioned';
export const routeConditions = ConditionSet.living([AllTrafficAssigned, IngressReady, CertificateProvisioned]);

export const EXTERNAL_DOMAIN_TLS_NOT_ENABLED_MESSAGE = 'external-domain-tls is not enabled';
export const TLS_NOT_ENABLED_FOR_CLUSTER_LOCAL_MESSAGE = 'TLS is not enabled for cluster-local';

type S = StatusWithConditions;
const q = (s: string) => JSON.stringify(s);

export function markIngressNotConfigured<T extends S>(cs: ConditionSet, s: T): T {
  return cs.markUnknown(s, IngressReady, 'IngressNotConfigured', 'Ingress has not yet been reconciled.');
}

export function markIngressRolloutInProgress<T extends S>(cs: ConditionSet, s: T): T {
  return cs.markUnknown(s, IngressReady, 'RolloutInProgress', 'A gradual rollout of the latest revision(s) is in progress.');
}

export function markServiceNotOwned<T extends S>(cs: ConditionSet, s: T, name: string): T {
  return cs.markFalse(s, IngressReady, 'NotOwned', `There is an existing placeholder Service ${q(name)} that we do not own.`);
}

export function markTrafficAssigned<T extends S>(cs: ConditionSet, s: T): T {
  return cs.markTrue(s, AllTrafficAssigned);
}

export function markUnknownTrafficError<T extends S>(cs: ConditionSet, s: T, msg: string): T {
  return cs.markUnknown(s, AllTrafficAssigned, 'Unknown', msg);
}

export function markRevisionTargetTrafficError<T extends S>(cs: ConditionSet, s: T, reason: string, msg: string): T {
  return cs.markFalse(s, AllTrafficAssigned, reason, msg);
}

export function markTLSNotEnabled<T extends S>(cs: ConditionSet, s: T, msg: string): T {
  return cs.markTrue(s, CertificateProvisioned, 'TLSNotEnabled', msg);
}

/** MarkBadTrafficTarget for each kind of target error. */
export function markBadTrafficTarget<T extends S>(cs: ConditionSet, s: T, e: TargetError): T {
  switch (e.kind) {
    case 'missing':
      return cs.markFalse(s, AllTrafficAssigned, `${e.targetKind}Missing`, `${e.targetKind} ${q(e.name)} referenced in traffic not found.`);
    case 'unreadyConfiguration':
      return e.isFailure
        ? cs.markFalse(s, AllTrafficAssigned, 'RevisionMissing', `Configuration ${q(e.name)} does not have any ready Revision.`)
        : cs.markUnknown(s, AllTrafficAssigned, 'RevisionMissing', `Configuration ${q(e.name)} is waiting for a Revision to become ready.`);
    case 'unreadyRevision':
      return e.isFailure
        ? cs.markFalse(s, AllTrafficAssigned, 'RevisionMissing', `Revision ${q(e.name)} failed to become ready.`)
        : cs.markUnknown(s, AllTrafficAssigned, 'RevisionMissing', `Revision ${q(e.name)} is not yet ready.`);
    case 'revisionNotOwned':
      return e.actualService
        ? cs.markFalse(s, AllTrafficAssigned, 'RevisionNotOwned', `Revision ${q(e.revisionName)} belongs to Service ${q(e.actualService)}, not Service ${q(e.expectedService)}.`)
        : cs.markFalse(s, AllTrafficAssigned, 'RevisionNotOwned', `Revision ${q(e.revisionName)} does not belong to Service ${q(e.expectedService)}.`);
  }
}

/** IngressReady mirrors the KIngress Ready condition (IngressNotConfigured when it has none yet). */
export function propagateIngressStatus<T extends S>(cs: ConditionSet, s: T, ingStatus: IngressStatus | undefined, type = IngressReady): T {
  const c: Condition | undefined = ingStatus?.conditions?.find((x) => x.type === 'Ready');
  if (!c) return cs.markUnknown(s, type, 'IngressNotConfigured', 'Ingress has not yet been reconciled.');
  if (c.status === 'True') return cs.markTrue(s, type);
  if (c.status === 'False') return cs.markFalse(s, type, c.reason ?? '', c.message);
  return cs.markUnknown(s, type, c.reason ?? '', c.message);
}
