// PingSource reconciler (pkg/reconciler/pingsource): resolves spec.sink into
// status.sinkUri (SinkProvided), reports the shared in-process adapter as the
// deployment (Deployed — there is no pingsource-mt-adapter Deployment in
// embedded mode; the adapter lives in this process), publishes ceAttributes,
// and hands ready sources to the PingAdapter; sources that are gone or lose
// their sink are unscheduled.
import type { KObject } from '../../api/meta.js';
import { GR } from '../../api/eventing/constants.js';
import type { StatusWithConditions } from '../../controller/conditions.js';
import type { Controller, Reconciler } from '../../controller/controller.js';
import { keyOf } from '../../controller/informer.js';
import { kindReconciler } from '../../controller/reconciler.js';
import { withGone } from '../controllers/common.js';
import type { ResolvedAddress } from '../controllers/destination.js';
import { PING_EVENT_TYPE, pingEventSource, type PingAdapter, type PingJob } from './ping-adapter.js';
import { SC, SOURCE_CONDITION_SETS, SourceWiring, withSink, type SourcesDeps } from './common.js';

/** The adapter job for a PingSource whose sink resolved to `sinkUri`. Pure. */
export function pingJobOf(ps: KObject, sinkUri: string): PingJob {
  const spec = ps.spec ?? {};
  const job: PingJob = { namespace: ps.metadata.namespace!, name: ps.metadata.name!, schedule: spec.schedule || '* * * * *', sinkUri };
  if (spec.timezone) job.timezone = spec.timezone;
  if (spec.contentType) job.contentType = spec.contentType;
  if (spec.dataBase64) job.dataBase64 = spec.dataBase64;
  else if (spec.data) job.data = spec.data;
  const ext = spec.ceOverrides?.extensions;
  if (ext && typeof ext === 'object') job.extensions = Object.fromEntries(Object.entries(ext).map(([k, v]) => [k, String(v)]));
  return job;
}

export function newPingSourceReconciler(deps: SourcesDeps, w: SourceWiring, adapter: PingAdapter): Reconciler {
  const lister = deps.informers.lister(GR.pingSources);
  const set = SOURCE_CONDITION_SETS.ping.withClock(deps.clock);
  const inner = kindReconciler<KObject>({
    gr: GR.pingSources,
    client: deps.client,
    lister,
    recorder: deps.recorder,
    logger: deps.logger,
    conditionSet: set,
    async reconcileKind(ps) {
      const ns = ps.metadata.namespace!;
      let status = ps.status as StatusWithConditions;
      let addr: ResolvedAddress;
      try {
        addr = w.resolver.resolve(ps.spec?.sink, { namespace: ns, key: keyOf(ps) });
      } catch (err) {
        adapter.remove(ns, ps.metadata.name!);
        ps.status = set.markFalse(withSink(status, undefined), SC.sinkProvided, 'NotFound', 'Sink not found: %v', err);
        return;
      }
      status = set.markTrue(withSink(status, addr), SC.sinkProvided);
      adapter.upsert(pingJobOf(ps, addr.url));
      status = set.markTrue(status, SC.deployed);
      ps.status = { ...status, ceAttributes: [{ type: PING_EVENT_TYPE, source: pingEventSource(ns, ps.metadata.name!) }] };
    },
  });
  return withGone(lister, inner, (ns, name) => {
    adapter.remove(ns, name);
    w.tracker.untrackAll(`${ns}/${name}`);
  });
}

export function newPingSourceController(deps: SourcesDeps, adapter: PingAdapter): Controller {
  const w = new SourceWiring(deps);
  const ctrl = w.bind('pingsource-controller', deps, newPingSourceReconciler(deps, w, adapter));
  deps.informers.informerFor(GR.pingSources).addEventHandler(ctrl.handler());
  return ctrl;
}
