// ConfigurationReconciler (Knative pkg/reconciler/configuration/configuration.go):
// every template change stamps one immutable Revision; status tracks the
// latest created one and the latest *ready* one. Ordered per Configuration:
//   1. find the Revision of the current generation (by the template's name,
//      or by the configuration + configurationGeneration labels); create it
//      when missing. A template name owned by someone else or used for a
//      different template fails with RevisionFailed and is not retried;
//   2. latestCreatedRevisionName := it; Ready Unknown until it is ready,
//      False `RevisionFailed` when it failed;
//   3. latestReadyRevisionName := the newest ready Revision between the old
//      latest-ready generation and now — so a failed new revision leaves
//      latestReady (and therefore traffic) on the previous one.
// Existing Revisions are never modified or recreated here.
import type { ApiClient } from '../../../client/client.js';
import type { KObject } from '../../../api/meta.js';
import { L } from '../../../api/serving/constants.js';
import type { Selector } from '../../../api/labels.js';
import type { Clock } from '../../../controller/clock.js';
import { ConditionSet } from '../../../controller/conditions.js';
import type { Reconciler } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { GR } from '../names.js';
import { checkNameAvailability, makeRevision, revisionLabelValue } from './resources/revision.js';
import { ChildWriteError, errMessage } from '../errors.js';

/** Configurations have no dependent conditions: Ready is set directly. */
export const configurationConditionSet = ConditionSet.living([]);

export const REASON_REVISION_FAILED = 'RevisionFailed';

export interface ConfigurationStatus {
  conditions?: KObject['status'];
  observedGeneration?: number;
  latestCreatedRevisionName?: string;
  latestReadyRevisionName?: string;
}

export interface ConfigurationReconcilerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
}

/** 409 AlreadyExists (not a resourceVersion Conflict). */
function isAlreadyExists(err: unknown): boolean {
  const e = err as { status?: number; reason?: string } | undefined;
  return e?.status === 409 && e.reason === 'AlreadyExists';
}

type ReadyCondition = { status: string; reason?: string; message?: string };

function readyOf(status: { conditions?: unknown } | undefined): ReadyCondition | undefined {
  return (status?.conditions as Array<ReadyCondition & { type: string }> | undefined)?.find((c) => c.type === 'Ready');
}

function readyCondition(o: KObject | undefined): ReadyCondition | undefined {
  return readyOf(o?.status);
}

/** Revision.IsReady: the latest generation was observed and Ready is True. */
function isRevisionReady(rev: KObject): boolean {
  return rev.status?.observedGeneration === rev.metadata.generation && readyCondition(rev)?.status === 'True';
}

function configGeneration(rev: KObject): number {
  const v = rev.metadata.labels?.[L.configurationGeneration];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
}

/** Selector for a Configuration's Revisions (served by the informer's label index, not a namespace scan). */
function ofConfiguration(config: KObject): Selector {
  return [{ key: L.configuration, op: 'in', values: [config.metadata.name!] }];
}

export function newConfigurationReconciler(deps: ConfigurationReconcilerDeps): Reconciler {
  const log = deps.logger ?? silentLogger;
  const configurations = deps.informers.lister(GR.configurations);
  const revisions = deps.informers.lister(GR.revisions);
  const set = configurationConditionSet.withClock(deps.clock);

  const setLatestCreated = (status: ConfigurationStatus, name: string): ConfigurationStatus => {
    let s: ConfigurationStatus = { ...status, latestCreatedRevisionName: name };
    if (s.latestReadyRevisionName !== name) s = set.markUnknown(s as any, 'Ready', '');
    return s;
  };
  const setLatestReady = (status: ConfigurationStatus, name: string): ConfigurationStatus => {
    let s: ConfigurationStatus = { ...status, latestReadyRevisionName: name };
    if (s.latestReadyRevisionName === s.latestCreatedRevisionName) s = set.markTrue(s as any, 'Ready');
    return s;
  };
  const markCreationFailed = (status: ConfigurationStatus, message: string): ConfigurationStatus =>
    set.markFalse(status as any, 'Ready', REASON_REVISION_FAILED, 'Revision creation failed with message: %s.', message);
  const markLatestCreatedFailed = (status: ConfigurationStatus, name: string, message: string): ConfigurationStatus =>
    set.markFalse(status as any, 'Ready', REASON_REVISION_FAILED, 'Revision %q failed with message: %s.', name, message);

  /** The Revision for the current generation: found, not found, or its name is taken. */
  function latestCreatedRevision(config: KObject): { rev?: KObject; byo: boolean; taken?: string } {
    const ns = config.metadata.namespace!;
    const byoName: string | undefined = config.spec?.template?.metadata?.name;
    if (byoName) {
      const existing = revisions.get(ns, byoName);
      const availability = checkNameAvailability(config, existing);
      if (availability === 'ours') return { rev: existing, byo: true };
      if (availability === 'taken') return { byo: true, taken: byoName };
      return { byo: true };
    }
    const gen = revisionLabelValue(L.configurationGeneration, config);
    const found = revisions
      .list({ namespace: ns, labelSelector: ofConfiguration(config) })
      .filter((r) => r.metadata.labels?.[L.configurationGeneration] === gen)
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    return { rev: found[0], byo: false };
  }

  /** Revisions of `config` from the latest ready one's generation on, newest first (the template-named one first of all). */
  function sortedCreatedRevisions(config: KObject, latestCreated: KObject, byo: boolean): KObject[] {
    const ns = config.metadata.namespace!;
    const status = (config.status ?? {}) as ConfigurationStatus;
    let list = revisions.list({ namespace: ns, labelSelector: ofConfiguration(config) });
    if (status.latestReadyRevisionName) {
      const lrr = revisions.get(ns, status.latestReadyRevisionName);
      if (lrr) {
        // A deleted latest-ready revision is not fatal: every revision is considered, and the newest ready one wins.
        let start = configGeneration(lrr);
        const end = config.metadata.generation ?? 0;
        if (Number.isNaN(start)) start = end;
        const gens = new Set<number>();
        for (let g = start; g <= end; g++) gens.add(g);
        const lcrGen = configGeneration(latestCreated);
        if (byo && !Number.isNaN(lcrGen)) gens.add(lcrGen);
        list = list.filter((r) => gens.has(configGeneration(r)));
      } else {
        log.warn('latest ready revision not found; considering every revision', { configuration: `${ns}/${config.metadata.name}`, revision: status.latestReadyRevisionName });
      }
    }
    const tplName = config.spec?.template?.metadata?.name;
    const rank = (r: KObject) => (tplName && r.metadata.name === tplName ? Infinity : Number.isNaN(configGeneration(r)) ? -Infinity : configGeneration(r));
    return list.sort((a, b) => rank(b) - rank(a) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
  }

  return kindReconciler<KObject>({
    gr: GR.configurations,
    client: deps.client,
    lister: configurations,
    recorder: deps.recorder,
    logger: log,
    conditionSet: set,
    async reconcileKind(config) {
      let status = (config.status ?? {}) as ConfigurationStatus;
      // What Ready said before this pass, to record a failure event only when the failure is news.
      const readyBefore = readyOf(status);
      const save = () => {
        config.status = status;
      };

      // 1. The revision of this generation.
      const found = latestCreatedRevision(config);
      let lcr = found.rev;
      if (found.taken) {
        // Someone else's revision, or one made from another template: only a new template name can fix this.
        status = markCreationFailed(status, `revisions.serving.knative.dev ${JSON.stringify(found.taken)} already exists`);
        save();
        return;
      }
      if (!lcr) {
        const desired = makeRevision(config, deps.clock.now());
        try {
          lcr = await deps.client.create(GR.revisions, desired);
        } catch (err) {
          if (isAlreadyExists(err)) {
            // Our cache is behind (or a concurrent writer won): retry to look at the real one.
            throw new ChildWriteError(`failed to create Revision: ${errMessage(err)}`, { cause: err });
          }
          deps.recorder.eventf(config, 'Warning', 'CreationFailed', 'Failed to create Revision: %v', err);
          status = markCreationFailed(status, errMessage(err));
          save();
          throw new ChildWriteError(`failed to create Revision: ${errMessage(err)}`, { cause: err });
        }
        deps.recorder.eventf(config, 'Normal', 'Created', 'Created Revision %q', lcr.metadata.name);
      }
      const revName = lcr.metadata.name!;

      // 2. Latest created, and what its readiness means for us.
      status = setLatestCreated(status, revName);
      const rc = readyCondition(lcr);
      if (rc?.status === 'True') {
        if (!status.latestReadyRevisionName) deps.recorder.event(config, 'Normal', 'ConfigurationReady', 'Configuration becomes ready');
      } else if (rc?.status === 'False') {
        status = markLatestCreatedFailed(status, revName, rc.message ?? '');
        const after = readyOf(status);
        if (readyBefore?.status !== after?.status || readyBefore?.reason !== after?.reason || readyBefore?.message !== after?.message) {
          if (revName === status.latestReadyRevisionName) deps.recorder.eventf(config, 'Warning', 'LatestReadyFailed', 'Latest ready revision %q has failed', revName);
          else deps.recorder.eventf(config, 'Warning', 'LatestCreatedFailed', 'Latest created revision %q has failed', revName);
        }
      }

      // 3. Latest ready: the newest ready revision since the last one we knew.
      for (const rev of sortedCreatedRevisions(config, lcr, found.byo)) {
        if (!isRevisionReady(rev)) continue;
        const old = status.latestReadyRevisionName;
        status = setLatestReady(status, rev.metadata.name!);
        if (old !== rev.metadata.name) deps.recorder.eventf(config, 'Normal', 'LatestReadyUpdate', 'LatestReadyRevisionName updated to %q', rev.metadata.name);
        break;
      }
      save();
    },
  });
}

