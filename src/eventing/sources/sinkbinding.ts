// SinkBinding reconciler. In Knative a mutating webhook injects K_SINK,
// K_CE_OVERRIDES and K_CA_CERTS into every container/initContainer of the
// subject's pod template (sinkbinding_lifecycle.go Do/Undo) as pods are
// admitted. Skiff has no pod-admission webhook chain, so the reconciler
// writes the subject itself: it patches `spec.template.spec` of every
// PodSpecable subject (Deployment, StatefulSet, DaemonSet, Job, ksvc — any
// kind with spec.template.spec.containers) named by `subject.name` or matched
// by `subject.selector`, which rolls the workload like any template edit; and
// removes the variables again from subjects it no longer binds (selector no
// longer matches, or the SinkBinding was deleted while this process ran).
// Subjects labelled `bindings.knative.dev/exclude: "true"` are skipped
// (Knative's default exclusion selection mode).
// Conditions: SinkProvided, SinkBindingAvailable (False/SubjectMissing when
// the named subject does not exist).
import type { KObject } from '../../api/meta.js';
import { GR } from '../../api/eventing/constants.js';
import { matchesSelector, selectorFromObject } from '../../api/labels.js';
import type { StatusWithConditions } from '../../controller/conditions.js';
import type { Controller, Reconciler } from '../../controller/controller.js';
import { keyOf, type EventHandler } from '../../controller/informer.js';
import { kindReconciler } from '../../controller/reconciler.js';
import { withGone } from '../controllers/common.js';
import { DestinationResolveError, type ResolvedAddress } from '../controllers/destination.js';
import { SC, SOURCE_CONDITION_SETS, SourceWiring, withSink, type SourcesDeps } from './common.js';

export const K_SINK = 'K_SINK';
export const K_CE_OVERRIDES = 'K_CE_OVERRIDES';
export const K_CA_CERTS = 'K_CA_CERTS';
export const BINDING_ENV = [K_SINK, K_CE_OVERRIDES, K_CA_CERTS] as const;
export const EXCLUDE_LABEL = 'bindings.knative.dev/exclude';

/** What a binding injects; undefined = unbind. */
export interface BindingEnv {
  sink: string;
  ceOverrides?: string;
  caCerts?: string;
}

export function bindingEnvOf(addr: ResolvedAddress, ceOverrides: unknown): BindingEnv {
  const env: BindingEnv = { sink: addr.url };
  if (ceOverrides && typeof ceOverrides === 'object') env.ceOverrides = JSON.stringify(ceOverrides);
  if (addr.CACerts) env.caCerts = addr.CACerts;
  return env;
}

type Container = { env?: Array<{ name: string; value?: string; valueFrom?: unknown }> } & Record<string, unknown>;

function withEnv(c: Container, b: BindingEnv | undefined): Container {
  const kept = (c.env ?? []).filter((e) => !(BINDING_ENV as readonly string[]).includes(e.name));
  const add: Array<{ name: string; value: string }> = [];
  if (b) {
    add.push({ name: K_SINK, value: b.sink });
    if (b.ceOverrides) add.push({ name: K_CE_OVERRIDES, value: b.ceOverrides });
    if (b.caCerts) add.push({ name: K_CA_CERTS, value: b.caCerts });
  }
  const env = [...kept, ...add];
  const out: Container = { ...c };
  if (env.length) out.env = env;
  else delete out.env;
  return out;
}

/**
 * The pod template with the binding variables set (b) or removed (undefined) on every container
 * and initContainer. Returns undefined when nothing changes. Pure.
 */
export function bindPodTemplate(template: Record<string, any> | undefined, b: BindingEnv | undefined): Record<string, any> | undefined {
  const spec = template?.spec;
  if (!spec || !Array.isArray(spec.containers)) return undefined;
  const next = { ...template, spec: { ...spec, containers: spec.containers.map((c: Container) => withEnv(c, b)) } };
  if (Array.isArray(spec.initContainers)) next.spec.initContainers = spec.initContainers.map((c: Container) => withEnv(c, b));
  return JSON.stringify(next) === JSON.stringify(template) ? undefined : next;
}

interface SubjectRef {
  gr: string;
  namespace: string;
  name: string;
}

const refKey = (r: SubjectRef) => `${r.gr}|${r.namespace}|${r.name}`;

export function newSinkBindingReconciler(deps: SourcesDeps, w: SourceWiring): Reconciler {
  const lister = deps.informers.lister(GR.sinkBindings);
  const set = SOURCE_CONDITION_SETS.sinkBinding.withClock(deps.clock);
  /** Subjects each SinkBinding currently binds (to undo when they drop out). */
  const bound = new Map<string, SubjectRef[]>();
  const watchedGrs = new Set<string>();

  /** Re-enqueue the namespace's SinkBindings on any change of a subject-kind object (covers selectors). */
  const subjectHandler = (gr: string): EventHandler => {
    const enqueueFor = (o: KObject) => {
      for (const sb of lister.list({ namespace: o.metadata.namespace })) {
        const s = sb.spec?.subject;
        let sgr: string | undefined;
        try {
          sgr = s ? w.resolver.grFor(s.apiVersion ?? '', s.kind ?? '') : undefined;
        } catch {
          sgr = undefined;
        }
        if (sgr === gr) w.controller?.enqueueKey(keyOf(sb));
      }
    };
    return { onAdd: enqueueFor, onUpdate: (_o, n) => enqueueFor(n), onDelete: enqueueFor };
  };

  async function patchSubject(ref: SubjectRef, b: BindingEnv | undefined): Promise<void> {
    const obj = deps.informers.lister(ref.gr).get(ref.namespace, ref.name);
    if (!obj) return;
    const template = bindPodTemplate(obj.spec?.template, b);
    if (!template) return;
    await deps.client.update(ref.gr, { ...structuredClone(obj), spec: { ...obj.spec, template } });
  }

  async function unbindDropped(key: string, now: SubjectRef[]): Promise<void> {
    const keep = new Set(now.map(refKey));
    for (const r of bound.get(key) ?? []) if (!keep.has(refKey(r))) await patchSubject(r, undefined);
    if (now.length) bound.set(key, now);
    else bound.delete(key);
  }

  const inner = kindReconciler<KObject>({
    gr: GR.sinkBindings,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(sb) {
      const ns = sb.metadata.namespace!;
      const key = keyOf(sb);
      let status = sb.status as StatusWithConditions;
      const subject = sb.spec?.subject ?? {};

      let addr: ResolvedAddress;
      try {
        addr = w.resolver.resolve(sb.spec?.sink, { namespace: ns, key });
      } catch (err) {
        sb.status = set.markFalse(withSink(status, undefined), SC.sinkProvided, 'NotFound', 'Sink not found: %v', err);
        await unbindDropped(key, []);
        return;
      }
      status = set.markTrue(withSink(status, addr), SC.sinkProvided);

      // Find the subjects.
      let gr: string;
      const subjects: KObject[] = [];
      try {
        gr = w.resolver.grFor(subject.apiVersion ?? '', subject.kind ?? '');
        if (!watchedGrs.has(gr)) {
          watchedGrs.add(gr);
          deps.informers.informerFor(gr).addEventHandler(subjectHandler(gr));
        }
        if (subject.name) {
          const obj = w.resolver.getTracked(gr, subject.namespace || ns, subject.name, key);
          if (!obj) {
            sb.status = set.markFalse(status, SC.sinkBindingAvailable, 'SubjectMissing', '%s %q not found', subject.kind, subject.name);
            await unbindDropped(key, []);
            return;
          }
          subjects.push(obj);
        } else {
          const inf = w.resolver.watch(gr);
          if (!inf.hasSynced()) throw new DestinationResolveError(`the cache of ${gr} has not synced yet`, true);
          const sel = selectorFromObject(subject.selector);
          for (const o of inf.list({ namespace: subject.namespace || ns })) if (matchesSelector(sel, o.metadata.labels)) subjects.push(o);
        }
      } catch (err) {
        if (err instanceof DestinationResolveError && err.transient) throw err;
        sb.status = set.markFalse(status, SC.sinkBindingAvailable, 'SubjectMissing', '%v', err);
        await unbindDropped(key, []);
        return;
      }

      const env = bindingEnvOf(addr, sb.spec?.ceOverrides);
      const refs: SubjectRef[] = [];
      for (const o of subjects) {
        if (o.metadata.labels?.[EXCLUDE_LABEL] === 'true') continue;
        const ref = { gr, namespace: o.metadata.namespace!, name: o.metadata.name! };
        await patchSubject(ref, env);
        refs.push(ref);
      }
      await unbindDropped(key, refs);
      sb.status = set.markTrue(status, SC.sinkBindingAvailable);
    },
  });
  return withGone(lister, inner, async (ns, name) => {
    await unbindDropped(`${ns}/${name}`, []);
    w.tracker.untrackAll(`${ns}/${name}`);
  });
}

export function newSinkBindingController(deps: SourcesDeps): Controller {
  const w = new SourceWiring(deps);
  const ctrl = w.bind('sinkbinding-controller', deps, newSinkBindingReconciler(deps, w));
  deps.informers.informerFor(GR.sinkBindings).addEventHandler(ctrl.handler());
  return ctrl;
}
