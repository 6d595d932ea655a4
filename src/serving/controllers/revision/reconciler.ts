// RevisionReconciler (Knative pkg/reconciler/revision/{revision.go,
// reconcile_resources.go, cruds.go}). Ordered, level-triggered and
// idempotent: per Revision
//   1. status.logUrl and status.containerStatuses (embedded mode resolves no
//      digests: the image reference stands in for the digest);
//   2. the Deployment `{rev}-deployment`: create it, or update it when the
//      shape we want changed (deployment-hash label), then surface its
//      status and the first pod's failures (exit codes, missing images,
//      unschedulable, waiting past the progress deadline);
//   3. the PodAutoscaler `{rev}`: create / update spec and annotations, then
//      copy its status (replicas, Active, ScaleTargetInitialized → Ready).
// Nothing else is created here: the KPA reconciler owns the
// ServerlessService and the `{rev}` / `{rev}-private` Services.
import { Writable } from 'node:stream';
import { sameJson } from '../../../api/json.js';
import type { ApiClient } from '../../../client/client.js';
import { matchesSelector, selectorFromObject } from '../../../api/labels.js';
import { clone, condition, type KObject } from '../../../api/meta.js';
import type { Clock } from '../../../controller/clock.js';
import type { ConditionSet } from '../../../controller/conditions.js';
import type { Reconciler } from '../../../controller/controller.js';
import type { EventRecorder } from '../../../controller/events.js';
import type { Lister, SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { kindReconciler } from '../../../controller/reconciler.js';
import { deploymentName, GR, podAutoscalerName } from '../names.js';
import { RevisionConfigStore, SERVING_NAMESPACE, type RevisionConfig } from './config.js';
import {
  ContainerHealthy,
  REASON_CONTAINER_MISSING,
  REASON_DEPLOYING,
  REASON_NOT_OWNED,
  ResourcesAvailable,
  containerExitingMessage,
  containerMissingMessage,
  exitCodeReason,
  hasDeploymentTimedOut,
  propagateAutoscalerStatus,
  propagateDeploymentStatus,
  resourceNotOwnedMessage,
  revisionConditionSet,
  type RevisionStatus,
} from './lifecycle.js';
import { makeDeployment } from './resources/deploy.js';
import { DEPLOYMENT_HASH_LABEL, mergeMetadata, podAutoscalerAnnotations } from './resources/meta.js';
import { makePodAutoscaler, makePodAutoscalerSpec, paAnnotationsNeedSync, syncPaAnnotations } from './resources/pa.js';
import { ChildWriteError, errMessage, NotOwnedError } from '../errors.js';

/** Knative's queue-proxy sidecar name: never the container at fault. */
const QUEUE_CONTAINER_NAME = 'queue-proxy';
/** Waiting reasons meaning "this image cannot be had" (the node agent uses the kubelet's). */
const IMAGE_WAITING_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
/** Like the kubelet's FallbackToLogsOnError: at most this much log tail in a termination message. */
const LOG_TAIL_LINES = 20;
const LOG_TAIL_BYTES = 2048;
const LOG_READ_TIMEOUT_MS = 1000;

/**
 * Reads container logs (structurally the node agent's PodLogSource, the
 * seam `kubectl logs` uses). Optional: with it, a crashed container that left
 * no termination message is described by its last log lines.
 */
export interface PodLogReader {
  read(
    namespace: string,
    pod: string,
    opts: { container?: string; previous?: boolean; tailLines?: number },
    out: NodeJS.WritableStream,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface RevisionReconcilerDeps {
  client: ApiClient;
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  logger?: Logger;
  podLogs?: PodLogReader;
}

function isControlledBy(child: KObject, owner: KObject): boolean {
  return !!child.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.metadata.uid);
}

export function isRevisionReady(rev: KObject): boolean {
  const ready = condition(rev);
  return rev.status?.observedGeneration === rev.metadata.generation && ready?.status === 'True';
}

/** The last lines a container printed before it died, or undefined if they cannot be had quickly. */
async function logTail(reader: PodLogReader, ns: string, pod: string, container: string): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      cb();
    },
  });
  const signal = AbortSignal.timeout(LOG_READ_TIMEOUT_MS);
  try {
    await reader.read(ns, pod, { container, previous: true, tailLines: LOG_TAIL_LINES }, sink, signal);
  } catch {
    return undefined;
  }
  let buf = Buffer.concat(chunks);
  if (buf.length > LOG_TAIL_BYTES) buf = buf.subarray(buf.length - LOG_TAIL_BYTES);
  const text = buf.toString('utf8').trim();
  return text || undefined;
}

export function newRevisionReconciler(deps: RevisionReconcilerDeps): Reconciler {
  const log = deps.logger ?? silentLogger;
  const revisions = deps.informers.lister(GR.revisions);
  const deployments = deps.informers.lister(GR.deployments);
  const pas = deps.informers.lister(GR.podAutoscalers);
  const pods = deps.informers.lister(GR.pods);
  const configs = new RevisionConfigStore(deps.informers.informerFor(GR.configMaps, { namespace: SERVING_NAMESPACE }), log);
  const set = revisionConditionSet.withClock(deps.clock);

  const r = new RevisionReconcile(deps, set, deployments, pas, pods);
  return kindReconciler<KObject>({
    gr: GR.revisions,
    client: deps.client,
    lister: revisions,
    recorder: deps.recorder,
    logger: log,
    conditionSet: set,
    reconcileKind: (rev) => r.reconcileKind(rev, configs.snapshot()),
  });
}

/** One reconcile pass works on `rev.status` in place (the runtime persists it). */
class RevisionReconcile {
  constructor(
    private readonly deps: RevisionReconcilerDeps,
    private readonly set: ConditionSet,
    private readonly deployments: Lister,
    private readonly pas: Lister,
    private readonly pods: Lister,
  ) {}

  async reconcileKind(rev: KObject, cfg: RevisionConfig): Promise<void> {
    const readyBefore = isRevisionReady(rev);
    this.updateLogUrl(rev, cfg);
    this.recordImages(rev);
    const deployment = await this.reconcileDeployment(rev, cfg);
    await this.reconcilePodAutoscaler(rev, deployment, cfg);
    const readyAfter = condition(rev)?.status === 'True';
    if (!readyBefore && readyAfter) {
      this.deps.recorder.event(rev, 'Normal', 'RevisionReady', 'Revision becomes ready upon all resources being ready');
    }
  }

  private status(rev: KObject): RevisionStatus {
    return (rev.status ?? {}) as RevisionStatus;
  }

  private updateLogUrl(rev: KObject, cfg: RevisionConfig): void {
    const s = { ...this.status(rev) };
    const tpl = cfg.observability.loggingUrlTemplate;
    if (tpl) s.logUrl = tpl.replaceAll('${REVISION_UID}', rev.metadata.uid ?? '');
    else delete s.logUrl;
    rev.status = s;
  }

  /**
   * Knative resolves each image to a digest once and pins it in
   * status.containerStatuses. Embedded mode runs images as local programs
   * and has no registry to ask, so the reference itself is recorded.
   */
  private recordImages(rev: KObject): void {
    const s = { ...this.status(rev) };
    const containers: any[] = rev.spec?.containers ?? [];
    const inits: any[] = rev.spec?.initContainers ?? [];
    const have = (s.containerStatuses?.length ?? 0) + (s.initContainerStatuses?.length ?? 0);
    if (have === containers.length + inits.length) return;
    s.containerStatuses = containers.map((c) => ({ name: c.name, imageDigest: c.image ?? '' }));
    if (inits.length) s.initContainerStatuses = inits.map((c) => ({ name: c.name, imageDigest: c.image ?? '' }));
    rev.status = s;
  }

  // ---- Deployment ----

  private async reconcileDeployment(rev: KObject, cfg: RevisionConfig): Promise<KObject> {
    const ns = rev.metadata.namespace!;
    const name = deploymentName(rev);
    let deployment = this.deployments.get(ns, name);
    if (!deployment) {
      rev.status = this.set.markUnknown(this.status(rev), ResourcesAvailable, REASON_DEPLOYING, '');
      rev.status = this.set.markUnknown(this.status(rev), ContainerHealthy, REASON_DEPLOYING, '');
      try {
        deployment = await this.deps.client.create(GR.deployments, makeDeployment(rev, cfg));
      } catch (err) {
        throw new ChildWriteError(`failed to create deployment ${JSON.stringify(name)}: ${errMessage(err)}`, { cause: err });
      }
      // A brand-new Deployment has no status worth surfacing yet.
      return deployment;
    }
    if (!isControlledBy(deployment, rev)) {
      rev.status = this.set.markFalse(this.status(rev), ResourcesAvailable, REASON_NOT_OWNED, '%s', resourceNotOwnedMessage('Deployment', name));
      throw new NotOwnedError('Revision', rev.metadata.name!, 'Deployment', name);
    }
    try {
      deployment = await this.checkAndUpdateDeployment(rev, deployment, cfg);
    } catch (err) {
      throw new ChildWriteError(`failed to update deployment ${JSON.stringify(name)}: ${errMessage(err)}`, { cause: err });
    }

    rev.status = propagateDeploymentStatus(this.set, this.status(rev), deployment.status);

    // No available pod although some are wanted: find out why from one of them.
    const replicas = deployment.spec?.replicas ?? 0;
    if (replicas > 0 && (deployment.status?.availableReplicas ?? 0) === 0) {
      await this.surfacePodFailure(rev, deployment);
    }
    if ((deployment.status?.readyReplicas ?? 0) > 0) {
      rev.status = this.set.markTrue(this.status(rev), ContainerHealthy);
    }
    return deployment;
  }

  /** Update only when our desired shape changed; replicas (the autoscaler's) and the selector (immutable) are kept. */
  private async checkAndUpdateDeployment(rev: KObject, have: KObject, cfg: RevisionConfig): Promise<KObject> {
    const want = makeDeployment(rev, cfg);
    if (have.metadata.labels?.[DEPLOYMENT_HASH_LABEL] === want.metadata.labels?.[DEPLOYMENT_HASH_LABEL]) return have;
    const next = clone(have);
    next.spec = { ...want.spec, replicas: have.spec?.replicas, selector: have.spec?.selector };
    next.metadata.labels = mergeMetadata(want.metadata.labels, have.metadata.labels);
    next.metadata.annotations = mergeMetadata(want.metadata.annotations, have.metadata.annotations);
    next.spec.template.metadata.labels = mergeMetadata(want.spec.template.metadata.labels, have.spec?.template?.metadata?.labels);
    next.spec.template.metadata.annotations = mergeMetadata(want.spec.template.metadata.annotations, have.spec?.template?.metadata?.annotations);
    const updated = await this.deps.client.update(GR.deployments, next);
    (this.deps.logger ?? silentLogger).info('updated deployment to the revision\'s desired shape', { deployment: `${updated.metadata.namespace}/${updated.metadata.name}` });
    return updated;
  }

  /** Knative looks at the first pod: unschedulable, a crashed container, a missing image, or waiting past the deadline. */
  private async surfacePodFailure(rev: KObject, deployment: KObject): Promise<void> {
    const ns = rev.metadata.namespace!;
    const selector = selectorFromObject(deployment.spec?.selector);
    const candidates = this.pods
      .list({ namespace: ns })
      .filter((p) => selector.length > 0 && matchesSelector(selector, p.metadata.labels))
      .sort((a, b) => Number(!!a.metadata.deletionTimestamp) - Number(!!b.metadata.deletionTimestamp) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const pod = candidates[0];
    if (!pod) return;

    for (const c of pod.status?.conditions ?? []) {
      if (c.type === 'PodScheduled' && c.status === 'False') {
        rev.status = this.set.markFalse(this.status(rev), ResourcesAvailable, c.reason ?? 'Unschedulable', '%s', c.message ?? '');
        break;
      }
    }

    for (const cs of pod.status?.containerStatuses ?? []) {
      if (cs.name === QUEUE_CONTAINER_NAME) continue;
      // Knative reads the last termination; a container that just died and was not restarted yet counts too.
      const t = cs.lastState?.terminated ?? cs.state?.terminated;
      if (t) {
        const message = await this.terminationMessage(ns, pod, cs.name, t);
        rev.status = this.set.markFalse(this.status(rev), ContainerHealthy, exitCodeReason(t.exitCode ?? 0), '%s', containerExitingMessage(message));
        break;
      }
      const w = cs.state?.waiting;
      if (w && IMAGE_WAITING_REASONS.has(w.reason)) {
        // Embedded mode's counterpart of Knative's failed digest resolution: the image cannot be run here.
        const image = (rev.spec?.containers ?? []).find((c: any) => c.name === cs.name)?.image ?? cs.image ?? '';
        rev.status = this.set.markFalse(this.status(rev), ContainerHealthy, REASON_CONTAINER_MISSING, '%s', containerMissingMessage(image, w.message ?? w.reason));
        break;
      }
      if (w && hasDeploymentTimedOut(deployment)) {
        rev.status = this.set.markFalse(this.status(rev), ResourcesAvailable, w.reason ?? '', '%s', w.message ?? '');
        break;
      }
    }
  }

  private async terminationMessage(ns: string, pod: KObject, container: string, t: any): Promise<string> {
    if (t.message) return String(t.message);
    if (this.deps.podLogs) {
      const tail = await logTail(this.deps.podLogs, ns, pod.metadata.name!, container);
      if (tail) return tail;
    }
    return t.exitCode === 0 ? 'container exited with no error' : `container exited with code ${t.exitCode}`;
  }

  // ---- PodAutoscaler ----

  private async reconcilePodAutoscaler(rev: KObject, deployment: KObject, cfg: RevisionConfig): Promise<void> {
    const ns = rev.metadata.namespace!;
    const name = podAutoscalerName(rev);
    let pa = this.pas.get(ns, name);
    if (!pa) {
      try {
        pa = await this.deps.client.create(GR.podAutoscalers, makePodAutoscaler(rev, deployment, cfg.autoscaler));
      } catch (err) {
        throw new ChildWriteError(`failed to create PA ${JSON.stringify(name)}: ${errMessage(err)}`, { cause: err });
      }
    } else if (!isControlledBy(pa, rev)) {
      rev.status = this.set.markFalse(this.status(rev), ResourcesAvailable, REASON_NOT_OWNED, '%s', resourceNotOwnedMessage('PodAutoscaler', name));
      throw new NotOwnedError('Revision', rev.metadata.name!, 'PodAutoscaler', name);
    }

    rev.status = propagateAutoscalerStatus(this.set, this.status(rev), pa.status);

    // The PA spec follows the revision (reachability moves with routing state and failures).
    const spec = makePodAutoscalerSpec(rev, deployment);
    const fromRev = podAutoscalerAnnotations(rev);
    if (!sameJson(spec, pa.spec) || paAnnotationsNeedSync(pa.metadata.annotations, fromRev)) {
      const next = clone(pa);
      next.spec = spec;
      next.metadata.annotations = syncPaAnnotations(pa.metadata.annotations, fromRev);
      try {
        await this.deps.client.update(GR.podAutoscalers, next);
      } catch (err) {
        throw new ChildWriteError(`failed to update PA ${JSON.stringify(name)}: ${errMessage(err)}`, { cause: err });
      }
    }
  }
}
