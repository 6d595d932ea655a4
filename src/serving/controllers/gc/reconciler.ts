// Revision garbage collection (Knative pkg/reconciler/gc): a Configuration
// reconciler that never writes the Configuration; it deletes the Revisions
// planRevisionGc picks under the live config-gc, and asks to look again when
// the next one will have aged out.
import type { ApiClient } from '../../../client/client.js';
import type { KObject } from '../../../api/meta.js';
import type { Clock } from '../../../controller/clock.js';
import type { Reconciler } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { GR } from '../names.js';
import { L } from '../../../api/serving/constants.js';
import { LiveConfig, SERVING_NAMESPACE } from '../revision/config.js';
import { planRevisionGc } from './collect.js';
import { CONFIG_GC, DEFAULT_GC_CONFIG, parseGcConfig } from './config.js';
import { ChildWriteError, errMessage } from '../errors.js';

export interface RevisionGcReconcilerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
}

export function newRevisionGcReconciler(deps: RevisionGcReconcilerDeps): Reconciler {
  const log = deps.logger ?? silentLogger;
  const configurations = deps.informers.lister(GR.configurations);
  const revisions = deps.informers.lister(GR.revisions);
  const gcConfig = new LiveConfig(deps.informers.informerFor(GR.configMaps, { namespace: SERVING_NAMESPACE }), CONFIG_GC, parseGcConfig, DEFAULT_GC_CONFIG, log);

  return kindReconciler<KObject>({
    gr: GR.configurations,
    client: deps.client,
    lister: configurations,
    recorder: deps.recorder,
    logger: log,
    // No conditionSet: collecting revisions says nothing about the Configuration's status.
    async reconcileKind(config) {
      const ns = config.metadata.namespace!;
      const plan = planRevisionGc(config, revisions.list({ namespace: ns, labelSelector: [{ key: L.configuration, op: 'in', values: [config.metadata.name!] }] }), gcConfig.get(), deps.clock.now());
      const failures: string[] = [];
      for (const name of plan.delete) {
        log.info('deleting stale revision', { revision: `${ns}/${name}`, configuration: config.metadata.name });
        try {
          await deps.client.delete(GR.revisions, ns, name);
        } catch (err) {
          if ((err as { status?: number }).status === 404) continue;
          failures.push(`${name}: ${errMessage(err)}`);
        }
      }
      if (failures.length) throw new ChildWriteError(`failed to garbage-collect revisions of ${JSON.stringify(`${ns}/${config.metadata.name}`)}: ${failures.join('; ')}`);
      return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
    },
  });
}
