// ServiceReconciler (Knative pkg/reconciler/service/service.go). A Service
// owns one Configuration and one Route of its own name and mirrors them:
//   1. create or converge the Configuration (spec, labels, annotations);
//      while it has not observed its new generation, ConfigurationsReady is
//      Unknown `OutOfDate` — and with a template-named revision we stop
//      here, so the Route never points at a name before it exists;
//   2. a template name taken by a conflicting Revision fails RoutesReady
//      with `RevisionNameTaken` and traffic is left where it is;
//   3. create or converge the Route; RoutesReady mirrors it (Unknown
//      `OutOfDate` until it observed its generation) and stays Unknown
//      `TrafficNotMigrated` until the Route's status.traffic is its spec with
//      the Configuration resolved to the latest ready revision.
// Status: latestCreated/latestReadyRevisionName from the Configuration;
// url, address and traffic from the Route.
import { sameJson } from '../../../api/json.js';
import type { ApiClient } from '../../../client/client.js';
import { clone, condition, type KObject } from '../../../api/meta.js';
import type { TrafficTarget } from '../../../api/serving/traffic.js';
import type { Clock } from '../../../controller/clock.js';
import { ConditionSet, type StatusWithConditions } from '../../../controller/conditions.js';
import type { Reconciler } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { Lister, SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { checkNameAvailability } from '../configuration/resources/revision.js';
import { GR, serviceConfigurationName, serviceRouteName } from '../names.js';
import { makeConfiguration } from './resources/configuration.js';
import { makeRoute } from './resources/route.js';
import { ChildWriteError, errMessage, NotOwnedError } from '../errors.js';

export const ConfigurationsReady = 'ConfigurationsReady';
export const RoutesReady = 'RoutesReady';
export const serviceConditionSet = ConditionSet.living([ConfigurationsReady, RoutesReady]);

export interface ServiceReconcilerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
}

interface ServiceStatus extends StatusWithConditions {
  latestCreatedRevisionName?: string;
  latestReadyRevisionName?: string;
  url?: string;
  address?: unknown;
  traffic?: TrafficTarget[];
}

function isControlledBy(child: KObject, owner: KObject): boolean {
  return !!child.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid);
}

function readyOf(o: KObject): { status: string; reason?: string; message?: string } | undefined {
  return condition(o);
}

function observedLatest(o: KObject): boolean {
  return o.metadata.generation === o.status?.observedGeneration;
}

export function newServiceReconciler(deps: ServiceReconcilerDeps): Reconciler {
  const log = deps.logger ?? silentLogger;
  const services = deps.informers.lister(GR.services);
  const configurations = deps.informers.lister(GR.configurations);
  const routes = deps.informers.lister(GR.routes);
  const revisions = deps.informers.lister(GR.revisions);
  const set = serviceConditionSet.withClock(deps.clock);

  /** Mark a dependent from a child's Ready condition (PropagateConfigurationStatus / PropagateRouteStatus). */
  function mirror(status: ServiceStatus, type: string, child: KObject): ServiceStatus {
    const c = readyOf(child);
    if (!c) return status;
    if (c.status === 'True') return set.markTrue(status, type);
    if (c.status === 'False') return set.markFalse(status, type, c.reason ?? '', '%s', c.message ?? '');
    return set.markUnknown(status, type, c.reason ?? '', '%s', c.message ?? '');
  }

  function copyFields(status: ServiceStatus, from: Record<string, unknown> | undefined, fields: string[]): ServiceStatus {
    const s: Record<string, unknown> = { ...status };
    for (const f of fields) {
      if (from?.[f] === undefined || from[f] === '') delete s[f];
      else s[f] = structuredClone(from[f]);
    }
    return s as ServiceStatus;
  }

  async function reconcileChild(
    service: KObject,
    kind: 'Configuration' | 'Route',
    gr: string,
    lister: Lister,
    name: string,
    desiredFor: (existing?: KObject) => KObject,
    onNotOwned: () => void,
  ): Promise<KObject> {
    const ns = service.metadata.namespace!;
    const existing = lister.get(ns, name);
    if (!existing) {
      let created: KObject;
      try {
        created = await deps.client.create(gr, desiredFor());
      } catch (err) {
        deps.recorder.eventf(service, 'Warning', 'CreationFailed', 'Failed to create %s %q: %v', kind, name, err);
        throw new ChildWriteError(`failed to create ${kind}: ${errMessage(err)}`, { cause: err });
      }
      deps.recorder.eventf(service, 'Normal', 'Created', 'Created %s %q', kind, name);
      return created;
    }
    if (!isControlledBy(existing, service)) {
      onNotOwned();
      throw new NotOwnedError('Service', service.metadata.name!, kind, name, kind.toLowerCase());
    }
    const desired = desiredFor(existing);
    if (
      sameJson(desired.spec, existing.spec) &&
      sameJson(desired.metadata.labels ?? {}, existing.metadata.labels ?? {}) &&
      sameJson(desired.metadata.annotations ?? {}, existing.metadata.annotations ?? {})
    ) {
      return existing;
    }
    log.info(`service-delegated ${kind} differs from the Service; clobbering`, { [kind.toLowerCase()]: `${ns}/${name}` });
    const next = clone(existing);
    next.spec = desired.spec;
    next.metadata.labels = desired.metadata.labels;
    next.metadata.annotations = desired.metadata.annotations;
    try {
      return await deps.client.update(gr, next);
    } catch (err) {
      throw new ChildWriteError(`failed to reconcile ${kind}: ${errMessage(err)}`, { cause: err });
    }
  }

  /** RoutesReady stays Unknown until the Route serves its spec, the Configuration resolved to its latest ready revision. */
  function checkRoutesNotReady(status: ServiceStatus, config: KObject, route: KObject): ServiceStatus {
    const rc = status.conditions?.find((c) => c.type === RoutesReady);
    if (rc?.status !== 'True') return status;
    const notYet = () => set.markUnknown(status, RoutesReady, 'TrafficNotMigrated', 'Traffic is not yet migrated to the latest revision.');
    const want: TrafficTarget[] = structuredClone(route.spec?.traffic ?? []);
    const got: TrafficTarget[] = structuredClone(route.status?.traffic ?? []);
    if (want.length !== got.length) return notYet();
    for (const t of want) {
      if (t.configurationName === config.metadata.name) {
        t.revisionName = config.status?.latestReadyRevisionName ?? '';
        delete t.configurationName;
      }
    }
    // url is status-only and latestRevision is a spec-side flag: neither says where traffic goes.
    const strip = (ts: TrafficTarget[]) => ts.map(({ url: _u, latestRevision: _l, ...rest }) => rest);
    return sameJson(strip(got), strip(want)) ? status : notYet();
  }

  return kindReconciler<KObject>({
    gr: GR.services,
    client: deps.client,
    lister: services,
    recorder: deps.recorder,
    logger: log,
    conditionSet: set,
    async reconcileKind(service) {
      const ns = service.metadata.namespace!;
      let status = (service.status ?? {}) as ServiceStatus;
      const save = () => {
        service.status = status;
      };
      try {
        // 1. Configuration.
        const configName = serviceConfigurationName(service);
        const config = await reconcileChild(
          service,
          'Configuration',
          GR.configurations,
          configurations,
          configName,
          (existing) => makeConfiguration(service, existing),
          () => {
            status = set.markFalse(status, ConfigurationsReady, 'NotOwned', 'There is an existing Configuration %q that we do not own.', configName);
          },
        );
        const byoName: string | undefined = config.spec?.template?.metadata?.name;
        if (!observedLatest(config)) {
          status = set.markUnknown(status, ConfigurationsReady, 'OutOfDate', 'The Configuration is still working to reflect the latest desired specification.');
          // A named revision must exist before the Route may point at it: wait for the Configuration.
          if (byoName) return;
        } else {
          status = copyFields(status, config.status, ['latestReadyRevisionName', 'latestCreatedRevisionName']);
          status = mirror(status, ConfigurationsReady, config);
        }

        // 2. A template name in use by a conflicting revision: do not move traffic.
        if (byoName && checkNameAvailability(config, revisions.get(ns, byoName)) === 'taken') {
          status = set.markFalse(status, RoutesReady, 'RevisionNameTaken', 'The revision name %q is taken by a conflicting Revision, so traffic will not be migrated', byoName);
          return;
        }

        // 3. Route.
        const routeName = serviceRouteName(service);
        const route = await reconcileChild(
          service,
          'Route',
          GR.routes,
          routes,
          routeName,
          () => makeRoute(service),
          () => {
            status = set.markFalse(status, RoutesReady, 'NotOwned', 'There is an existing Route %q that we do not own.', routeName);
          },
        );
        if (!observedLatest(route)) {
          status = set.markUnknown(status, RoutesReady, 'OutOfDate', 'The Route is still working to reflect the latest desired specification.');
        } else {
          status = copyFields(status, route.status, ['url', 'address', 'traffic']);
          status = mirror(status, RoutesReady, route);
        }
        status = checkRoutesNotReady(status, config, route);
      } finally {
        save();
      }
    },
  });
}
