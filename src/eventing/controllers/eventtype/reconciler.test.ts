import { describe } from 'node:test';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { C } from '../common.js';
import { NS, cond, conds, factoryFor, meta } from '../testing/builders.js';
import { newEventTypeReconciler } from './reconciler.js';

function et(reference?: Record<string, string>): KObject {
  return {
    apiVersion: 'eventing.knative.dev/v1beta3',
    kind: 'EventType',
    metadata: meta('et1'),
    spec: { ...(reference ? { reference } : {}), attributes: [{ name: 'type', value: 'dev.example' }] },
  };
}
const BROKER_REF = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default', namespace: NS };
const broker: KObject = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: meta('default'), spec: {} };

const rows: TableRow[] = [
  {
    name: 'no reference: ReferenceExists=True ReferenceNotSet',
    key: `${NS}/et1`,
    objects: [et()],
    wantStatusUpdates: [{ ...et(), status: { observedGeneration: 1, conditions: conds(cond('Ready', 'True'), cond(C.referenceExists, 'True', 'ReferenceNotSet', 'spec.reference is not set')) } }],
  },
  {
    name: 'reference to a missing broker: ReferenceExists=False ResourceDoesNotExist',
    key: `${NS}/et1`,
    objects: [et(BROKER_REF)],
    wantStatusUpdates: [
      {
        ...et(BROKER_REF),
        status: {
          observedGeneration: 1,
          conditions: conds(
            cond('Ready', 'False', 'ResourceDoesNotExist', 'Resource in spec.reference does not exist'),
            cond(C.referenceExists, 'False', 'ResourceDoesNotExist', 'Resource in spec.reference does not exist'),
          ),
        },
      },
    ],
  },
  {
    name: 'reference to an existing broker: Ready',
    key: `${NS}/et1`,
    objects: [et(BROKER_REF), broker],
    wantStatusUpdates: [{ ...et(BROKER_REF), status: { observedGeneration: 1, conditions: conds(cond('Ready', 'True'), cond(C.referenceExists, 'True')) } }],
  },
];

describe('EventTypeReconciler', () => {
  runTable(rows, factoryFor((deps, w) => newEventTypeReconciler(deps, w)));
});
