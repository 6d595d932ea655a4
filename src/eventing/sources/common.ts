// What the source controllers share: their dependencies, a small wiring
// (tracker + destination resolver bound to one controller's queue — the
// eventing Wiring minus its data-plane dependency), the sources' condition
// sets, and status helpers (SourceStatus: sinkUri/sinkCACerts/sinkAudience).
import type { ApiClient } from '../../client/client.js';
import type { Clock } from '../../controller/clock.js';
import { ConditionSet, type StatusWithConditions } from '../../controller/conditions.js';
import { Controller, Tracker, type Reconciler } from '../../controller/controller.js';
import type { EventRecorder } from '../../controller/events.js';
import type { SharedInformerFactory } from '../../controller/informer.js';
import type { Logger } from '../../controller/logger.js';
import type { SendFn } from '../delivery/dispatcher.js';
import { DestinationResolver, type KindToGr, type ResolvedAddress } from '../controllers/destination.js';

export interface SourcesDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  /** How adapters send CloudEvents (daemon: `viaGateway(createHttpSender().send, gatewayUrl)`). */
  send: SendFn;
  /** apiVersion/kind → group-resource (the registry's); default: Knative's plural guess. */
  kindToGr?: KindToGr;
  /** Workers per controller (default 2). */
  workers?: number;
  /** Clock the Ping adapter schedules on (default `clock`); tests pass a FakeClock here. */
  pingClock?: Clock;
  /** ApiServerSource event `source` (Knative: the adapter's rest.Config.Host); default https://kubernetes.default.svc. */
  apiServerHost?: string;
  /** Event ids (default crypto.randomUUID); injected so tests get stable ids. */
  newId?: () => string;
}

export const SC = {
  ready: 'Ready',
  sinkProvided: 'SinkProvided',
  deployed: 'Deployed',
  sinkBindingAvailable: 'SinkBindingAvailable',
  sinkBindingReady: 'SinkBindingReady',
  receiveAdapterReady: 'ReceiveAdapterReady',
} as const;

/** Knative's sets minus the OIDC/trust-bundle conditions Skiff does not implement (seed: "3 OK / 3"). */
export const SOURCE_CONDITION_SETS = {
  ping: ConditionSet.living([SC.sinkProvided, SC.deployed]),
  sinkBinding: ConditionSet.living([SC.sinkProvided, SC.sinkBindingAvailable]),
  container: ConditionSet.living([SC.sinkBindingReady, SC.receiveAdapterReady]),
};

export class SourceWiring {
  controller?: Controller;
  readonly tracker: Tracker;
  readonly resolver: DestinationResolver;

  constructor(deps: SourcesDeps) {
    const enqueue = (key: string) => this.controller?.enqueueKey(key);
    this.tracker = new Tracker(enqueue, { clock: deps.clock });
    this.resolver = new DestinationResolver({ informers: deps.informers, tracker: this.tracker, enqueue, kindToGr: deps.kindToGr });
  }

  bind(name: string, deps: SourcesDeps, reconciler: Reconciler): Controller {
    this.controller = new Controller({ name, reconciler, clock: deps.clock, logger: deps.logger, workers: deps.workers });
    return this.controller;
  }
}

const SINK_KEYS = ['sinkUri', 'sinkCACerts', 'sinkAudience'];

/** `status` with sinkUri/sinkCACerts/sinkAudience replaced by `addr` (cleared when undefined). */
export function withSink<S extends StatusWithConditions>(status: S, addr: ResolvedAddress | undefined): S {
  const out = { ...status } as Record<string, unknown>;
  for (const k of SINK_KEYS) delete out[k];
  if (addr) {
    out.sinkUri = addr.url;
    if (addr.CACerts) out.sinkCACerts = addr.CACerts;
    if (addr.audience) out.sinkAudience = addr.audience;
  }
  return out as S;
}
