// Test builders for Configurations (Knative pkg/testing/v1 style), matching
// the Revision builders in ../revision/fixtures.ts: Configuration `hello`
// (uid `hello-cfg-uid`) of Service `hello` (uid `hello-svc-uid`).
import type { KObject } from '../../../api/meta.js';
import { NS, cond, revision, T0 } from '../revision/fixtures.js';

export interface ConfigOptions {
  generation?: number;
  templateName?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  status?: Record<string, unknown>;
  /** Edit the template spec (e.g. a new env value for a new generation). */
  spec?: (spec: any) => void;
  owned?: boolean;
}

export function configuration(name = 'hello', o: ConfigOptions = {}): KObject {
  const tplSpec = structuredClone(revision(`${name}-00001`).spec);
  o.spec?.(tplSpec);
  const c: KObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: {
      name,
      namespace: NS,
      uid: `${name}-cfg-uid`,
      generation: o.generation ?? 1,
      creationTimestamp: T0,
      labels: o.labels ?? { 'serving.knative.dev/service': name, 'serving.knative.dev/serviceUID': `${name}-svc-uid` },
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owned === false
        ? {}
        : { ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name, uid: `${name}-svc-uid`, controller: true, blockOwnerDeletion: true }] }),
    },
    spec: { template: { metadata: o.templateName ? { name: o.templateName } : {}, spec: tplSpec } },
  };
  if (o.status) c.status = structuredClone(o.status);
  return c;
}

/** Configuration status with the given revisions; Ready True when they are equal. */
export function configStatus(o: { created?: string; ready?: string; gen?: number; at?: string; readyCond?: ReturnType<typeof cond> }): Record<string, unknown> {
  const at = o.at ?? T0;
  const s: Record<string, unknown> = { observedGeneration: o.gen ?? 1 };
  if (o.created) s.latestCreatedRevisionName = o.created;
  if (o.ready) s.latestReadyRevisionName = o.ready;
  s.conditions = [o.readyCond ?? (o.created && o.created === o.ready ? cond('Ready', 'True', at) : cond('Ready', 'Unknown', at))];
  return s;
}
