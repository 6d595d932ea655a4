// KIngress status reconciler: the part of a net-* plugin that reports back.
// Skiff's gateway is programmed from the store by the main thread (the data
// plane bridge); this controller only turns "the data plane acknowledged
// generation G" into status — NetworkConfigured and LoadBalancerReady →
// Ready, with both load balancers pointing at Skiff's gateway, which is what
// Route and DomainMapping wait for. A spec the gateway cannot serve is
// reported as NetworkConfigured=False (Knative's webhook would have refused it).
import type { ApiClient } from '../../../client/client.js';
import type { Clock } from '../../../controller/clock.js';
import { ConditionSet } from '../../../controller/conditions.js';
import { Controller, type Reconciler } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { SharedInformerFactory } from '../../../controller/informer.js';
import type { Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import type { IngressProgrammer } from './programmer.js';
import { GATEWAY_HOST, INGRESS_GR, type IngressStatus, type KIngress } from './types.js';

export const NetworkConfigured = 'NetworkConfigured';
export const LoadBalancerReady = 'LoadBalancerReady';
export const ingressConditions = ConditionSet.living([NetworkConfigured, LoadBalancerReady]);

export interface IngressDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  programmer: IngressProgrammer;
}

/** First problem with a KIngress spec the gateway could not serve, as `field: message`; undefined when fine. */
export function validateIngressSpec(spec: unknown): string | undefined {
  const s = spec as KIngress['spec'] | undefined;
  if (!s || typeof s !== 'object') return 'spec: Required value';
  if (!Array.isArray(s.rules) || s.rules.length === 0) return 'spec.rules: Required value';
  for (const [i, r] of s.rules.entries()) {
    const p = `spec.rules[${i}]`;
    if (!Array.isArray(r?.hosts) || r.hosts.length === 0) return `${p}.hosts: Required value`;
    if (r.visibility !== undefined && r.visibility !== 'ExternalIP' && r.visibility !== 'ClusterLocal')
      return `${p}.visibility: Unsupported value: ${JSON.stringify(r.visibility)}: supported values: "ClusterLocal", "ExternalIP"`;
    if (!Array.isArray(r.http?.paths) || r.http.paths.length === 0) return `${p}.http.paths: Required value`;
    for (const [j, path] of r.http.paths.entries()) {
      const pp = `${p}.http.paths[${j}]`;
      if (!Array.isArray(path?.splits) || path.splits.length === 0) return `${pp}.splits: Required value`;
      let sum = 0;
      for (const [k, sp] of path.splits.entries()) {
        if (!sp?.serviceName) return `${pp}.splits[${k}].serviceName: Required value`;
        // A single split may leave percent unset (= 100), as in Knative.
        const pct = sp.percent ?? (path.splits.length === 1 ? 100 : 0);
        if (!Number.isInteger(pct) || pct < 0 || pct > 100) return `${pp}.splits[${k}].percent: Invalid value: ${pct}: must be between 0 and 100`;
        sum += pct;
      }
      if (sum !== 100) return `${pp}.splits: Invalid value: the sum of percentages is ${sum}, want 100`;
    }
  }
  return undefined;
}

export function newIngressReconciler(deps: IngressDeps): Reconciler {
  const conditions = ingressConditions.withClock(deps.clock);
  return kindReconciler<KIngress>({
    gr: INGRESS_GR,
    client: deps.client,
    lister: deps.informers.lister(INGRESS_GR),
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: conditions,
    async reconcileKind(ing) {
      let st = (ing.status ?? {}) as IngressStatus;
      const problem = validateIngressSpec(ing.spec);
      if (problem) {
        st = conditions.markFalse(st, NetworkConfigured, 'InvalidSpec', problem);
        ing.status = st;
        return;
      }
      st = conditions.markTrue(st, NetworkConfigured);
      const ns = ing.metadata.namespace ?? '';
      if (deps.programmer.isProgrammed(ns, ing.metadata.name!, ing.metadata.generation ?? 1)) {
        const lb = { ingress: [{ domainInternal: GATEWAY_HOST }] };
        st = { ...st, publicLoadBalancer: lb, privateLoadBalancer: lb };
        st = conditions.markTrue(st, LoadBalancerReady);
      } else {
        st = conditions.markUnknown(st, LoadBalancerReady, 'Uninitialized', 'Waiting for load balancer to be ready');
      }
      ing.status = st;
    },
  });
}

export function newIngressController(deps: IngressDeps & { workers?: number }): Controller {
  const ctrl = new Controller({ name: 'ingress-controller', reconciler: newIngressReconciler(deps), clock: deps.clock, logger: deps.logger, workers: deps.workers });
  deps.informers.informerFor(INGRESS_GR).addEventHandler(ctrl.handler());
  deps.programmer.onProgrammed((ns, name) => ctrl.enqueueKey(ns ? `${ns}/${name}` : name));
  return ctrl;
}
