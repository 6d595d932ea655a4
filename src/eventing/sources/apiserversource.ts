// ApiServerSource: reconciler + in-process adapter. Knative runs one adapter
// Deployment per source (`apiserversource-{name}-{uid}`) that watches
// `spec.resources` with client-go informers under `serviceAccountName`; here
// the adapter subscribes to Skiff's shared informers in this process (Skiff
// has no RBAC, so SufficientPermissions is always True). Like a fresh Knative
// adapter, a new or changed source first sees every existing matching object
// as an `add`. Event shapes (pkg/adapter/apiserver/events): type
// dev.knative.apiserver.{ref|resource}.{add|update|delete}; source = the API
// server URL; subject = /apis/{apiVersion}/namespaces/{ns}/{plural}/{name};
// extensions kind/apiversion/name/namespace; data (application/json) = the
// ObjectReference (Reference mode) or the whole object (Resource mode).
// Scope: the source's namespace, or every namespace matching
// spec.namespaceSelector; resources[].selector and spec.owner filter objects.
// spec.filters (behind the new-apiserversource-filters flag) are not applied.
import { randomUUID } from 'node:crypto';
import type { KObject } from '../../api/meta.js';
import { GR } from '../../api/eventing/constants.js';
import { matchesSelector, selectorFromObject, type Selector } from '../../api/labels.js';
import type { StatusWithConditions } from '../../controller/conditions.js';
import { ConditionSet } from '../../controller/conditions.js';
import type { Clock } from '../../controller/clock.js';
import type { Controller, Reconciler } from '../../controller/controller.js';
import { keyOf, type EventHandler, type SharedInformerFactory } from '../../controller/informer.js';
import type { Logger } from '../../controller/logger.js';
import { kindReconciler } from '../../controller/reconciler.js';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { deliverWithRetry, type SendFn } from '../delivery/dispatcher.js';
import { withGone } from '../controllers/common.js';
import type { ResolvedAddress } from '../controllers/destination.js';
import { SC, SourceWiring, withSink, type SourcesDeps } from './common.js';
import { PING_DELIVERY } from './ping-adapter.js';

export const DEFAULT_API_SERVER_HOST = 'https://kubernetes.default.svc';
const SUFFICIENT_PERMISSIONS = 'SufficientPermissions';
export const apiServerSourceConditions = ConditionSet.living([SC.sinkProvided, SC.deployed, SUFFICIENT_PERMISSIONS]);

export type ApiServerMode = 'Reference' | 'Resource';
export type ApiServerVerb = 'add' | 'update' | 'delete';

export function apiServerEventType(mode: ApiServerMode, verb: ApiServerVerb): string {
  return `dev.knative.apiserver.${mode === 'Resource' ? 'resource' : 'ref'}.${verb}`;
}

/** One watched resource of a source, resolved to its group-resource. */
export interface WatchedResource {
  gr: string;
  apiVersion: string;
  kind: string;
  selector?: Selector;
}

export interface ApiServerJob {
  namespace: string;
  name: string;
  mode: ApiServerMode;
  sinkUri: string;
  resources: WatchedResource[];
  /** Namespaces watched; undefined = all (cluster-scoped resources are always seen). */
  namespaces?: string[];
  owner?: { apiVersion: string; kind: string };
  extensions?: Record<string, string>;
}

/** `/apis/{apiVersion}/namespaces/{ns}/{plural}/{name}` (events.go createSelfLink). */
export function selfLink(apiVersion: string, plural: string, namespace: string | undefined, name: string): string {
  const gv = apiVersion.includes('.') && !apiVersion.includes('/') ? `${apiVersion}/versionUnknown` : apiVersion;
  return namespace ? `/apis/${gv}/namespaces/${namespace}/${plural}/${name}` : `/apis/${gv}/${plural}/${name}`;
}

/** The event for `verb` on `obj`. Pure. */
export function makeApiServerEvent(job: ApiServerJob, res: WatchedResource, verb: ApiServerVerb, obj: KObject, id: string, nowMs: number, sourceHost: string): CloudEventRecord {
  const apiVersion = obj.apiVersion || res.apiVersion;
  const kind = obj.kind || res.kind;
  const ns = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const data =
    job.mode === 'Resource'
      ? Buffer.from(JSON.stringify({ ...obj, apiVersion, kind }))
      : Buffer.from(JSON.stringify(ns ? { kind, namespace: ns, name, apiVersion } : { kind, name, apiVersion }));
  const ev: CloudEventRecord = {
    specversion: '1.0',
    id,
    source: sourceHost,
    type: apiServerEventType(job.mode, verb),
    subject: selfLink(apiVersion, res.gr.split('/')[1] ?? '', ns || undefined, name),
    time: new Date(nowMs).toISOString(),
    datacontenttype: 'application/json',
    data,
    kind,
    apiversion: apiVersion,
    name,
  };
  if (ns) ev.namespace = ns;
  for (const [k, v] of Object.entries(job.extensions ?? {})) if (!(k in ev)) ev[k] = v;
  return ev;
}

/** Whether `obj` is in scope of `job` for `res`. Pure. */
export function inScope(job: ApiServerJob, res: WatchedResource, obj: KObject): boolean {
  const ns = obj.metadata.namespace;
  if (ns && job.namespaces && !job.namespaces.includes(ns)) return false;
  if (res.selector && !matchesSelector(res.selector, obj.metadata.labels)) return false;
  if (job.owner) {
    const group = (v: string) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '');
    const ok = (obj.metadata.ownerReferences ?? []).some((r) => r.kind === job.owner!.kind && (r.apiVersion === job.owner!.apiVersion || group(r.apiVersion) === group(job.owner!.apiVersion)));
    if (!ok) return false;
  }
  return true;
}

export interface ApiServerAdapterDeps {
  informers: SharedInformerFactory;
  clock: Clock;
  send: SendFn;
  logger?: Logger;
  newId?: () => string;
  sourceHost?: string;
}

interface Running {
  json: string;
  removers: Array<() => void>;
}

export class ApiServerAdapter {
  private readonly running = new Map<string, Running>();
  private readonly newId: () => string;
  private readonly host: string;

  constructor(private readonly deps: ApiServerAdapterDeps) {
    this.newId = deps.newId ?? randomUUID;
    this.host = deps.sourceHost ?? DEFAULT_API_SERVER_HOST;
  }

  upsert(job: ApiServerJob): void {
    const key = `${job.namespace}/${job.name}`;
    const json = JSON.stringify(job);
    const cur = this.running.get(key);
    if (cur?.json === json) return;
    this.remove(job.namespace, job.name);
    const removers = job.resources.map((res) => this.deps.informers.informerFor(res.gr).addEventHandler(this.handlerFor(job, res)));
    this.running.set(key, { json, removers });
    this.deps.informers.start();
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const cur = this.running.get(key);
    if (!cur) return;
    for (const r of cur.removers) r();
    this.running.delete(key);
  }

  has(namespace: string, name: string): boolean {
    return this.running.has(`${namespace}/${name}`);
  }

  stop(): void {
    for (const r of this.running.values()) for (const rm of r.removers) rm();
    this.running.clear();
  }

  private handlerFor(job: ApiServerJob, res: WatchedResource): EventHandler {
    const emit = (verb: ApiServerVerb, obj: KObject) => {
      if (!inScope(job, res, obj)) return;
      this.send(job, makeApiServerEvent(job, res, verb, obj, this.newId(), this.deps.clock.now(), this.host));
    };
    return {
      onAdd: (o) => emit('add', o),
      onUpdate: (old, o) => {
        if (old.metadata.resourceVersion && old.metadata.resourceVersion === o.metadata.resourceVersion) return; // resync, not a change
        emit('update', o);
      },
      onDelete: (o) => emit('delete', o),
    };
  }

  private send(job: ApiServerJob, event: CloudEventRecord): void {
    const { clock, send } = this.deps;
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    deliverWithRetry(event, job.sinkUri, PING_DELIVERY, { send, clock, sleep })
      .then((out) => {
        if (out.result !== 'delivered') this.deps.logger?.warn('failed to send apiserver event', { source: `${job.namespace}/${job.name}`, type: event.type, status: out.lastStatus, error: out.lastError });
      })
      .catch((err) => this.deps.logger?.error('failed to send apiserver event', { source: `${job.namespace}/${job.name}`, error: String(err) }));
  }
}

export function newApiServerSourceReconciler(deps: SourcesDeps, w: SourceWiring, adapter: ApiServerAdapter, sourceHost: string): Reconciler {
  const lister = deps.informers.lister(GR.apiServerSources);
  const namespaces = deps.informers.lister(GR.namespaces);
  const set = apiServerSourceConditions.withClock(deps.clock);
  const inner = kindReconciler<KObject>({
    gr: GR.apiServerSources,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(src) {
      const ns = src.metadata.namespace!;
      const name = src.metadata.name!;
      let status = src.status as StatusWithConditions;
      let addr: ResolvedAddress;
      try {
        addr = w.resolver.resolve(src.spec?.sink, { namespace: ns, key: keyOf(src) });
      } catch (err) {
        adapter.remove(ns, name);
        src.status = set.markFalse(withSink(status, undefined), SC.sinkProvided, 'NotFound', 'Sink not found: %v', err);
        return;
      }
      status = set.markTrue(withSink(status, addr), SC.sinkProvided);
      status = set.markTrue(status, SUFFICIENT_PERMISSIONS);

      const mode: ApiServerMode = src.spec?.mode === 'Resource' ? 'Resource' : 'Reference';
      const resources: WatchedResource[] = [];
      try {
        for (const r of src.spec?.resources ?? []) {
          const res: WatchedResource = { gr: w.resolver.grFor(r.apiVersion, r.kind), apiVersion: r.apiVersion, kind: r.kind };
          if (r.selector) res.selector = selectorFromObject(r.selector);
          resources.push(res);
        }
      } catch (err) {
        adapter.remove(ns, name);
        src.status = set.markFalse(status, SC.deployed, 'ResourceNotFound', '%v', err);
        return;
      }
      let watchNs: string[] | undefined = [ns];
      if (src.spec?.namespaceSelector) {
        const sel = selectorFromObject(src.spec.namespaceSelector);
        const all = Object.keys(src.spec.namespaceSelector).length === 0 || sel.length === 0;
        watchNs = all ? undefined : namespaces.list().filter((n) => matchesSelector(sel, n.metadata.labels)).map((n) => n.metadata.name!).sort();
      }
      const job: ApiServerJob = { namespace: ns, name, mode, sinkUri: addr.url, resources };
      if (watchNs) job.namespaces = watchNs;
      if (src.spec?.owner) job.owner = { apiVersion: src.spec.owner.apiVersion, kind: src.spec.owner.kind };
      const ext = src.spec?.ceOverrides?.extensions;
      if (ext && typeof ext === 'object') job.extensions = Object.fromEntries(Object.entries(ext).map(([k, v]) => [k, String(v)]));
      adapter.upsert(job);
      status = set.markTrue(status, SC.deployed);
      const verbs: ApiServerVerb[] = ['add', 'delete', 'update'];
      src.status = {
        ...status,
        ceAttributes: verbs.map((v) => ({ type: apiServerEventType(mode, v), source: sourceHost })),
        ...(watchNs ? { namespaces: watchNs } : {}),
      };
    },
  });
  return withGone(lister, inner, (ns, name) => {
    adapter.remove(ns, name);
    w.tracker.untrackAll(`${ns}/${name}`);
  });
}

export function newApiServerSourceController(deps: SourcesDeps, adapter: ApiServerAdapter, sourceHost: string): Controller {
  const w = new SourceWiring(deps);
  const ctrl = w.bind('apiserversource-controller', deps, newApiServerSourceReconciler(deps, w, adapter, sourceHost));
  deps.informers.informerFor(GR.apiServerSources).addEventHandler(ctrl.handler());
  // A namespace's labels decide namespaceSelector scope: re-check sources that use one.
  const lister = deps.informers.lister(GR.apiServerSources);
  const requeue = () => {
    for (const s of lister.list()) if (s.spec?.namespaceSelector) ctrl.enqueueKey(keyOf(s));
  };
  deps.informers.informerFor(GR.namespaces).addEventHandler({ onAdd: requeue, onUpdate: requeue, onDelete: requeue });
  return ctrl;
}
