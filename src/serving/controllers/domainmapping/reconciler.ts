// DomainMapping reconciler (pkg/reconciler/domainmapping): the mapping's name
// is the domain. It must hold the ClusterDomainClaim of that name (created
// here when config-network autocreate-cluster-domain-claims is true), its ref
// must resolve to a cluster-local host in the same namespace, and then a
// KIngress `{domain}` routes the domain there. Conditions DomainClaimed,
// ReferenceResolved, IngressReady, CertificateProvisioned → Ready, with
// Knative's reasons, in the order `kn domain describe` shows them.
// Unlike Knative, claim and reference problems are not retried with
// backoff: the reconciler watches claims and tracks the ref, so the change
// that fixes them re-enqueues the mapping at once.
import { sameJson } from '../../../api/json.js';
import type { KObject } from '../../../api/meta.js';
import { SERVING_GROUP } from '../../../api/serving/constants.js';
import type { ApiClient } from '../../../client/client.js';
import type { Clock } from '../../../controller/clock.js';
import { ConditionSet, type StatusWithConditions } from '../../../controller/conditions.js';
import { Controller, filterControllerGK, filteringHandler, Tracker, type Reconciler } from '../../../controller/controller.js';
import { permanent, ReconcileEvent } from '../../../controller/errors.js';
import type { EventRecorder } from '../../../controller/events.js';
import { keyOf, type SharedInformerFactory } from '../../../controller/informer.js';
import type { Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { claimEventHandler, claimState, makeClusterDomainClaim } from '../clusterdomainclaim/claims.js';
import { CDC_GR, childWriteError, INGRESS_GR, NET, type IngressStatus, type IngressTLS, type KIngress } from '../ingress/types.js';
import type { RoutingConfigSource } from '../route/config-store.js';
import { EXTERNAL_DOMAIN_TLS_NOT_ENABLED_MESSAGE, propagateIngressStatus } from '../route/lifecycle.js';
import { HttpProtocolError, httpOptionFor } from '../route/resources/ingress.js';
import { makeDomainMappingIngress } from './resources/ingress.js';
import { refGr, resolveDomainMappingRef, type KReference } from './resources/resolve.js';

export const DOMAINMAPPING_GR = `${SERVING_GROUP}/domainmappings`;
export const DomainClaimed = 'DomainClaimed';
export const ReferenceResolved = 'ReferenceResolved';
export const DMIngressReady = 'IngressReady';
export const DMCertificateProvisioned = 'CertificateProvisioned';
export const domainMappingConditions = ConditionSet.living([DomainClaimed, ReferenceResolved, DMIngressReady, DMCertificateProvisioned]);

export const DOMAIN_ALREADY_CLAIMED_MESSAGE = 'The domain name is already in use by another DomainMapping';
export const TLS_CERTIFICATE_PROVIDED_EXTERNALLY = 'TLS certificate was provided externally';

/** Every gr a ref can point at (tracked so their changes re-enqueue the mapping). */
const REF_GRS = ['core/services', `${SERVING_GROUP}/services`, `${SERVING_GROUP}/routes`];

export interface DomainMappingDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  config: RoutingConfigSource;
  tracker?: Tracker;
}

export function newDomainMappingReconciler(deps: DomainMappingDeps): Reconciler {
  const dms = deps.informers.lister(DOMAINMAPPING_GR);
  const cdcs = deps.informers.lister(CDC_GR);
  const ingresses = deps.informers.lister(INGRESS_GR);
  const refListers = new Map(REF_GRS.map((gr) => [gr, deps.informers.lister(gr)]));
  const cs = domainMappingConditions.withClock(deps.clock);
  type S = StatusWithConditions;
  const markIngressNotConfigured = (s: S) => cs.markUnknown(s, DMIngressReady, 'IngressNotConfigured', 'Ingress has not yet been reconciled.');

  async function reconcileIngress(dm: KObject, desired: KIngress): Promise<KObject> {
    const existing = ingresses.get(desired.metadata.namespace, desired.metadata.name!);
    if (!existing) {
      let created: KObject;
      try {
        created = await deps.client.create(INGRESS_GR, desired);
      } catch (err) {
        deps.recorder.eventf(dm, 'Warning', 'CreationFailed', 'Failed to create Ingress: %v', err);
        throw childWriteError('create Ingress', err);
      }
      deps.recorder.eventf(dm, 'Normal', 'Created', 'Created Ingress %q', created.metadata.name);
      return created;
    }
    if (sameJson(existing.spec, desired.spec) && sameJson(existing.metadata.annotations ?? {}, desired.metadata.annotations) && sameJson(existing.metadata.labels ?? {}, desired.metadata.labels))
      return existing;
    const next = structuredClone(existing) as KIngress;
    next.spec = desired.spec;
    next.metadata.annotations = desired.metadata.annotations;
    next.metadata.labels = desired.metadata.labels;
    try {
      return await deps.client.update(INGRESS_GR, next);
    } catch (err) {
      throw childWriteError('update Ingress', err);
    }
  }

  return kindReconciler<KObject>({
    gr: DOMAINMAPPING_GR,
    client: deps.client,
    lister: dms,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: cs,
    async reconcileKind(dm) {
      const cfg = deps.config.current();
      const ns = dm.metadata.namespace!;
      const domain = dm.metadata.name!;
      let st = dm.status as S;
      try {
        // Assume the ingress is not configured until we know better, so a failure
        // below never leaves IngressReady True under a new observedGeneration.
        if (dm.metadata.generation !== st.observedGeneration) st = markIngressNotConfigured(st);
        let url = `${cfg.network.defaultExternalScheme}://${domain}`;
        st = { ...st, url, address: { url } };
        const ingressClass = dm.metadata.annotations?.[NET.ingressClass] ?? dm.metadata.annotations?.[NET.ingressClassAlt] ?? cfg.network.ingressClass;

        // ---- claim the domain ----
        const claim = claimState(cdcs.get(undefined, domain), ns);
        if (claim === 'claimedByOther') {
          st = cs.markFalse(st, DomainClaimed, 'DomainAlreadyClaimed', DOMAIN_ALREADY_CLAIMED_MESSAGE);
          return new ReconcileEvent('Warning', 'DomainAlreadyClaimed', `namespace ${JSON.stringify(ns)} does not own ClusterDomainClaim for ${JSON.stringify(domain)}`);
        }
        if (claim === 'absent') {
          if (!cfg.network.autocreateClusterDomainClaims) {
            st = cs.markFalse(st, DomainClaimed, 'DomainAlreadyClaimed', DOMAIN_ALREADY_CLAIMED_MESSAGE);
            return new ReconcileEvent(
              'Warning',
              'DomainAlreadyClaimed',
              `no ClusterDomainClaim found for domain ${JSON.stringify(domain)} (and autocreate-cluster-domain-claims property is not true)`,
            );
          }
          try {
            await deps.client.create(CDC_GR, makeClusterDomainClaim(dm));
          } catch (err) {
            throw childWriteError('create ClusterDomainClaim', err);
          }
        }
        st = cs.markTrue(st, DomainClaimed);

        // ---- TLS: Skiff provisions no certificates; a user-provided secret is passed through ----
        let tls: IngressTLS[] | undefined;
        const secretName: string | undefined = dm.spec?.tls?.secretName;
        if (secretName) {
          st = cs.markTrue(st, DMCertificateProvisioned, 'CertificateExternallyProvided', TLS_CERTIFICATE_PROVIDED_EXTERNALLY);
          url = `https://${domain}`;
          st = { ...st, url, address: { url } };
          tls = [{ hosts: [domain], secretName, secretNamespace: ns }];
        } else {
          st = cs.markTrue(st, DMCertificateProvisioned, 'TLSNotEnabled', EXTERNAL_DOMAIN_TLS_NOT_ENABLED_MESSAGE);
        }

        // ---- resolve the reference ----
        const ref = (dm.spec?.ref ?? {}) as KReference;
        const refNs = ref.namespace || ns;
        const gr = refGr(ref);
        if (gr && ref.name && deps.tracker) deps.tracker.track({ gr, namespace: refNs, name: ref.name }, keyOf(dm));
        const resolved = resolveDomainMappingRef(ns, ref, (g, n, name) => refListers.get(g)?.get(n, name));
        if (!resolved.ok) {
          st = cs.markFalse(st, ReferenceResolved, 'ResolveFailed', resolved.message);
          return new ReconcileEvent('Warning', 'ResolveFailed', `resolving reference: ${resolved.message}`);
        }
        st = cs.markTrue(st, ReferenceResolved);

        // ---- the KIngress ----
        let httpOption;
        try {
          httpOption = httpOptionFor(cfg, dm.metadata.annotations);
        } catch (err) {
          if (err instanceof HttpProtocolError) throw permanent(err);
          throw err;
        }
        const desired = makeDomainMappingIngress(dm, { backendServiceName: resolved.backendServiceName, targetHost: resolved.host, ingressClass, httpOption, tls });
        const ingress = await reconcileIngress(dm, desired);
        const ingStatus = ingress.status as IngressStatus | undefined;
        if (ingress.metadata.generation !== ingStatus?.observedGeneration) st = markIngressNotConfigured(st);
        else st = propagateIngressStatus(cs, st, ingStatus, DMIngressReady);
        return undefined;
      } finally {
        dm.status = st;
      }
    },
    async finalizeKind(dm) {
      // Only clean up claims we may have created, and only our own namespace's.
      if (!deps.config.current().network.autocreateClusterDomainClaims) return;
      const cdc = cdcs.get(undefined, dm.metadata.name!);
      if (!cdc || claimState(cdc, dm.metadata.namespace!) !== 'claimed') return;
      await deps.client.delete(CDC_GR, '', dm.metadata.name!);
    },
  });
}

/** The DomainMapping controller: mappings, their KIngresses, claims of their domains and the objects they reference. */
export function newDomainMappingController(deps: Omit<DomainMappingDeps, 'tracker'> & { workers?: number }): { controller: Controller; tracker: Tracker } {
  let ctrl: Controller | undefined;
  const tracker = new Tracker((key) => ctrl?.enqueueKey(key), { clock: deps.clock });
  ctrl = new Controller({ name: 'domainmapping-controller', reconciler: newDomainMappingReconciler({ ...deps, tracker }), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  const c = ctrl;
  const dmInformer = deps.informers.informerFor(DOMAINMAPPING_GR);
  dmInformer.addEventHandler(c.handler());
  dmInformer.addEventHandler({ onDelete: (o) => tracker.untrackAll(keyOf(o)) });
  deps.informers
    .informerFor(INGRESS_GR)
    .addEventHandler(filteringHandler(filterControllerGK(SERVING_GROUP, 'DomainMapping'), c.ownerHandler({ apiVersion: `${SERVING_GROUP}/v1beta1`, kind: 'DomainMapping' })));
  deps.informers.informerFor(CDC_GR).addEventHandler(claimEventHandler(dmInformer, (k) => c.enqueueKey(k)));
  for (const gr of REF_GRS) deps.informers.informerFor(gr).addEventHandler(tracker.handlerFor(gr));
  return { controller: c, tracker };
}
