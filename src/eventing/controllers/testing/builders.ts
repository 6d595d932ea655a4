// Object builders and a table-test factory helper for the eventing reconciler
// tests (knative's testing/v1 functional options, reduced).
import type { Condition, KObject } from '../../../api/meta.js';
import type { Reconciler } from '../../../controller/controller.js';
import type { TableContext } from '../../../controller/testing/table.js';
import { Wiring, type EventingControllerDeps } from '../common.js';
import { FakeDataPlane } from './fake-dataplane.js';

/** The table harness's fake clock starts here. */
export const T0 = '2024-01-01T00:00:00Z';
export const NS = 'default';

export function cond(type: string, status: Condition['status'], reason?: string, message?: string, at = T0): Condition {
  const c: Condition = { type, status, lastTransitionTime: at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** Conditions sorted by type, as the condition set stores them. */
export function conds(...cs: Condition[]): Condition[] {
  return [...cs].sort((a, b) => (a.type < b.type ? -1 : 1));
}

export function meta(name: string, extra: Partial<KObject['metadata']> = {}): KObject['metadata'] {
  return { name, namespace: NS, uid: `${name}-uid`, generation: 1, creationTimestamp: T0, ...extra };
}

export function ksvc(name: string, url = `http://${name}.${NS}.svc.cluster.local`): KObject {
  return { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta(name), spec: {}, status: { address: { url }, url: `http://${name}.${NS}.example.com` } };
}

export function k8sService(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: { selector: { app: name }, ports: [{ port: 80 }] } };
}

export const ksvcRef = (name: string) => ({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name, namespace: NS } });

/** Groups every reconciler test pre-warms so lazily created informers are synced when asked. */
export const WARM_GRS = [
  'serving.knative.dev/services',
  'serving.knative.dev/routes',
  'core/services',
  'core/configmaps',
  'eventing.knative.dev/brokers',
  'messaging.knative.dev/channels',
  'messaging.knative.dev/inmemorychannels',
  'messaging.knative.dev/subscriptions',
  'sources.knative.dev/pingsources',
];

/** A ReconcilerFactory for runTable: deps from the table context + a FakeDataPlane. */
export function factoryFor(
  make: (deps: EventingControllerDeps, w: Wiring) => Reconciler,
  plane: () => FakeDataPlane = () => new FakeDataPlane(),
): (ctx: TableContext) => Reconciler {
  return (ctx) => {
    const deps: EventingControllerDeps = { ...ctx, dataPlane: plane() };
    const w = new Wiring(deps);
    for (const gr of WARM_GRS) w.resolver.watch(gr);
    (ctx as TableContext & { dataPlane?: FakeDataPlane }).dataPlane = deps.dataPlane as FakeDataPlane;
    return make(deps, w);
  };
}

/** The FakeDataPlane a factoryFor-built reconciler used. */
export function planeOf(ctx: TableContext): FakeDataPlane {
  return (ctx as TableContext & { dataPlane: FakeDataPlane }).dataPlane;
}
