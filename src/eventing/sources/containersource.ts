// ContainerSource reconciler (pkg/reconciler/containersource): a Deployment
// `{name}-deployment` running `spec.template` (1 replica) and a SinkBinding
// `{name}-sinkbinding` binding `spec.sink`/`spec.ceOverrides` to it, both
// owned by the source. Conditions SinkBindingReady (the binding's Ready, its
// sinkUri copied to status) and ReceiveAdapterReady (the Deployment's
// Available). The Deployment template is compared with the binding's K_*
// variables stripped, and rewritten with them kept, so the two reconcilers
// never undo each other. POD_NAME / POD_NAMESPACE (downward API) are added to
// containers that do not set them: adapters such as heartbeats name their
// event source after the pod.
import { createHash } from 'node:crypto';
import { makeOwnerRef, type Condition, type KObject } from '../../api/meta.js';
import { API_VERSION, GR, SOURCES_GROUP } from '../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../controller/conditions.js';
import { filterControllerGK, filteringHandler, type Controller, type Reconciler } from '../../controller/controller.js';
import { kindReconciler } from '../../controller/reconciler.js';
import { ownedBy } from '../controllers/common.js';
import { childName } from '../controllers/names.js';
import { stableJson } from '../../api/eventing/duck.js';
import { SC, SOURCE_CONDITION_SETS, SourceWiring, withSink, type SourcesDeps } from './common.js';
import { BINDING_ENV, bindPodTemplate } from './sinkbinding.js';

export const DEPLOYMENTS_GR = 'apps/deployments';
export const SOURCE_LABEL = 'sources.knative.dev/source';
export const SOURCE_NAME_LABEL = 'sources.knative.dev/name';
export const CONTAINER_SOURCE_CONTROLLER = 'container-source-controller';
/** Digest of the template the source asked for: admission defaulting may rewrite the live one. */
export const TEMPLATE_HASH_ANNOTATION = 'sources.knative.dev/template-hash';

export const deploymentNameOf = (source: string): string => childName(source, '-deployment');
export const sinkBindingNameOf = (source: string): string => childName(source, '-sinkbinding');

const DOWNWARD_ENV = [
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
];

/** The receive-adapter Deployment (resources.MakeDeployment). Pure. */
export function makeReceiveAdapter(src: KObject): KObject {
  const name = src.metadata.name!;
  const labels = { [SOURCE_LABEL]: CONTAINER_SOURCE_CONTROLLER, [SOURCE_NAME_LABEL]: name };
  const template = structuredClone(src.spec?.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), ...labels } };
  const spec = template.spec ?? {};
  spec.containers = (spec.containers ?? []).map((c: Record<string, any>) => {
    const env: Array<{ name: string }> = Array.isArray(c.env) ? c.env : [];
    const missing = DOWNWARD_ENV.filter((d) => !env.some((e) => e.name === d.name));
    return missing.length ? { ...c, env: [...env, ...structuredClone(missing)] } : c;
  });
  template.spec = spec;
  const hash = createHash('sha256').update(stableJson(template)).digest('hex').slice(0, 16);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deploymentNameOf(name), namespace: src.metadata.namespace, labels: { ...labels }, annotations: { [TEMPLATE_HASH_ANNOTATION]: hash }, ownerReferences: [makeOwnerRef(src)] },
    spec: { replicas: 1, selector: { matchLabels: { ...labels } }, template },
  };
}

/** The SinkBinding pointing `spec.sink` at the receive adapter (resources.MakeSinkBinding). Pure. */
export function makeSinkBinding(src: KObject): KObject {
  const spec: Record<string, unknown> = {
    subject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: src.metadata.namespace, name: deploymentNameOf(src.metadata.name!) },
    sink: structuredClone(src.spec?.sink),
  };
  const ref = (spec.sink as { ref?: { namespace?: string } } | undefined)?.ref;
  if (ref && !ref.namespace) ref.namespace = src.metadata.namespace; // as admission defaults it
  if (src.spec?.ceOverrides) spec.ceOverrides = structuredClone(src.spec.ceOverrides);
  return {
    apiVersion: API_VERSION.sources,
    kind: 'SinkBinding',
    metadata: { name: sinkBindingNameOf(src.metadata.name!), namespace: src.metadata.namespace, labels: { [SOURCE_LABEL]: CONTAINER_SOURCE_CONTROLLER, [SOURCE_NAME_LABEL]: src.metadata.name! }, ownerReferences: [makeOwnerRef(src)] },
    spec,
  };
}

/** Keep the binding variables an existing template carries when replacing it with `desired`. */
function keepBindingEnv(desired: Record<string, any>, existing: Record<string, any> | undefined): Record<string, any> {
  const first = existing?.spec?.containers?.[0]?.env?.filter((e: { name: string }) => (BINDING_ENV as readonly string[]).includes(e.name)) ?? [];
  if (!first.length) return desired;
  const sink = first.find((e: { name: string }) => e.name === 'K_SINK')?.value;
  if (!sink) return desired;
  const ce = first.find((e: { name: string }) => e.name === 'K_CE_OVERRIDES')?.value;
  const ca = first.find((e: { name: string }) => e.name === 'K_CA_CERTS')?.value;
  return bindPodTemplate(desired, { sink, ...(ce ? { ceOverrides: ce } : {}), ...(ca ? { caCerts: ca } : {}) }) ?? desired;
}

const readyOf = (o: KObject | undefined, type = 'Ready'): Condition | undefined => o?.status?.conditions?.find((c: Condition) => c.type === type);

export function newContainerSourceReconciler(deps: SourcesDeps): Reconciler {
  const lister = deps.informers.lister(GR.containerSources);
  const deployments = deps.informers.lister(DEPLOYMENTS_GR);
  const bindings = deps.informers.lister(GR.sinkBindings);
  const set = SOURCE_CONDITION_SETS.container.withClock(deps.clock);
  return kindReconciler<KObject>({
    gr: GR.containerSources,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(src) {
      const ns = src.metadata.namespace!;
      let status = src.status as StatusWithConditions;

      // Receive adapter.
      const wantD = makeReceiveAdapter(src);
      let d = deployments.get(ns, wantD.metadata.name!);
      if (!d) d = await deps.client.create(DEPLOYMENTS_GR, wantD);
      else if (!ownedBy(d, src)) {
        src.status = set.markFalse(status, SC.receiveAdapterReady, 'DeploymentNotOwned', 'deployment %q is not owned by ContainerSource %q', d.metadata.name, src.metadata.name);
        return;
      } else if (d.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] !== wantD.metadata.annotations![TEMPLATE_HASH_ANNOTATION] || d.spec?.replicas !== 1) {
        const template = keepBindingEnv(wantD.spec.template, d.spec?.template);
        const next = structuredClone(d);
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...wantD.metadata.annotations };
        d = await deps.client.update(DEPLOYMENTS_GR, { ...next, spec: { ...d.spec, replicas: 1, selector: d.spec?.selector ?? wantD.spec.selector, template } });
      }

      // SinkBinding.
      const wantB = makeSinkBinding(src);
      let b = bindings.get(ns, wantB.metadata.name!);
      if (!b) b = await deps.client.create(GR.sinkBindings, wantB);
      else if (!ownedBy(b, src)) {
        src.status = set.markFalse(status, SC.sinkBindingReady, 'SinkBindingNotOwned', 'sinkbinding %q is not owned by ContainerSource %q', b.metadata.name, src.metadata.name);
        return;
      } else if (stableJson(b.spec) !== stableJson(wantB.spec)) {
        b = await deps.client.update(GR.sinkBindings, { ...structuredClone(b), spec: wantB.spec });
      }

      const br = readyOf(b);
      status = withSink(status, b.status?.sinkUri ? { url: b.status.sinkUri, ...(b.status.sinkCACerts ? { CACerts: b.status.sinkCACerts } : {}) } : undefined);
      if (br?.status === 'True') status = set.markTrue(status, SC.sinkBindingReady);
      else if (br?.status === 'False') status = set.markFalse(status, SC.sinkBindingReady, br.reason ?? 'SinkBindingNotReady', '%s', br.message ?? '');
      else status = set.markUnknown(status, SC.sinkBindingReady, br?.reason ?? 'SinkBindingNotReady', '%s', br?.message ?? 'the SinkBinding is not ready yet');

      const av = readyOf(d, 'Available');
      if (av?.status === 'True') status = set.markTrue(status, SC.receiveAdapterReady);
      else if (av?.status === 'False') status = set.markFalse(status, SC.receiveAdapterReady, av.reason ?? 'DeploymentUnavailable', 'The Deployment %q is unavailable: %s', d.metadata.name, av.message ?? '');
      else status = set.markUnknown(status, SC.receiveAdapterReady, 'DeploymentUnavailable', 'The Deployment %q is not available yet', d.metadata.name);
      src.status = status;
    },
  });
}

export function newContainerSourceController(deps: SourcesDeps): Controller {
  const w = new SourceWiring(deps);
  const ctrl = w.bind('containersource-controller', deps, newContainerSourceReconciler(deps));
  deps.informers.informerFor(GR.containerSources).addEventHandler(ctrl.handler());
  const owner = { apiVersion: API_VERSION.sources, kind: 'ContainerSource' };
  const fromOwner = filteringHandler(filterControllerGK(SOURCES_GROUP, 'ContainerSource'), ctrl.ownerHandler(owner));
  deps.informers.informerFor(DEPLOYMENTS_GR).addEventHandler(fromOwner);
  deps.informers.informerFor(GR.sinkBindings).addEventHandler(fromOwner);
  return ctrl;
}
