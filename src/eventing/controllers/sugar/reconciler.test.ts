import { describe } from 'node:test';
import type { KObject } from '../../../api/meta.js';
import { runTable, type TableRow } from '../../../controller/testing/table.js';
import { NS, factoryFor, ksvcRef, meta } from '../testing/builders.js';
import { makeInjectedBroker, newNamespaceSugarReconciler, newTriggerSugarReconciler } from './reconciler.js';

const ns = (name: string, labels?: Record<string, string>, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `${name}-uid`, ...(labels ? { labels } : {}), ...extra },
});
const sugarCm = (data: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-sugar', namespace: 'knative-eventing' }, data });
const trigger = (broker: string, opts: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KObject => ({
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Trigger',
  metadata: meta('t1', { ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.annotations ? { annotations: opts.annotations } : {}) }),
  spec: { broker, subscriber: ksvcRef('event-display') },
});
const defaultBroker = (namespace: string): KObject => ({ apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: meta('default', { namespace }), spec: {} });
const INJECT = { 'eventing.knative.dev/injection': 'enabled' };

const nsRows: TableRow[] = [
  {
    name: 'namespace labelled eventing.knative.dev/injection=enabled gets Broker "default" (label injected=true); event in the namespace',
    key: 'demo',
    objects: [ns('demo', INJECT)],
    wantCreates: [makeInjectedBroker('demo', 'default')],
    wantEvents: ['Normal BrokerCreated Default eventing.knative.dev Broker created.'],
  },
  { name: 'unlabelled namespace: nothing', key: 'demo', objects: [ns('demo')] },
  { name: 'broker already there: nothing', key: 'demo', objects: [ns('demo', INJECT), defaultBroker('demo')] },
  { name: 'terminating namespace: nothing', key: 'demo', objects: [ns('demo', INJECT, { deletionTimestamp: '2024-01-01T00:00:00Z' })] },
  {
    name: 'config-sugar namespace-selector "{}" selects every namespace (live config)',
    key: 'plain',
    objects: [ns('plain'), sugarCm({ 'namespace-selector': '{}' })],
    wantCreates: [makeInjectedBroker('plain', 'default')],
    wantEvents: ['Normal BrokerCreated Default eventing.knative.dev Broker created.'],
  },
  { name: 'config-sugar with empty selectors turns injection off', key: 'demo', objects: [ns('demo', INJECT), sugarCm({ 'namespace-selector': '' })] },
];

const triggerRows: TableRow[] = [
  {
    name: 'trigger annotated eventing.knative.dev/injection: enabled gets Broker "default"',
    key: `${NS}/t1`,
    objects: [trigger('default', { annotations: INJECT })],
    wantCreates: [makeInjectedBroker(NS, 'default')],
    wantEvents: ['Normal BrokerCreated Default eventing.knative.dev Broker "default" created.'],
  },
  {
    name: 'trigger labelled for injection gets the broker it names',
    key: `${NS}/t1`,
    objects: [trigger('b2', { labels: INJECT })],
    wantCreates: [makeInjectedBroker(NS, 'b2')],
    wantEvents: ['Normal BrokerCreated Default eventing.knative.dev Broker "b2" created.'],
  },
  { name: 'plain trigger: nothing', key: `${NS}/t1`, objects: [trigger('default')] },
  { name: 'annotation disabled opts out even when labelled', key: `${NS}/t1`, objects: [trigger('default', { labels: INJECT, annotations: { 'eventing.knative.dev/injection': 'disabled' } })] },
  { name: 'broker exists: nothing', key: `${NS}/t1`, objects: [trigger('default', { annotations: INJECT }), defaultBroker(NS)] },
];

describe('sugar: namespace injection', () => {
  runTable(nsRows, factoryFor((deps) => newNamespaceSugarReconciler(deps)));
});

describe('sugar: trigger injection', () => {
  runTable(triggerRows, factoryFor((deps) => newTriggerSugarReconciler(deps)));
});
