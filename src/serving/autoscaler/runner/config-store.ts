// The autoscaler's live view of `knative-serving/config-autoscaler` and the
// `progress-deadline` of `config-deployment`, read from the shared ConfigMap
// informer and parsed once per resourceVersion (Knative's configmap.Watcher +
// config.FromContext). A map that does not parse keeps the last good snapshot
// (Knative refuses the bad map at its webhook; we have none for ConfigMaps),
// and the problem is logged once per version.
import type { KObject } from '../../../api/meta.js';
import type { Lister } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig, type AutoscalerConfig } from '../config.js';
import { parseGoDuration } from '../../../api/go-syntax.js';
import { DEFAULT_PROGRESS_DEADLINE_MS } from '../scaler.js';

export const SERVING_NAMESPACE = 'knative-serving';
export const CONFIG_AUTOSCALER = 'config-autoscaler';
export const CONFIG_DEPLOYMENT = 'config-deployment';
export const CONFIGMAPS_GR = 'core/configmaps';
/** Annotation on a revision (copied to its PodAutoscaler) overriding config-deployment's progress-deadline. */
export const PROGRESS_DEADLINE_ANNOTATION = 'serving.knative.dev/progress-deadline';

export interface AutoscalingConfigSource {
  autoscaler(): AutoscalerConfig;
  /** config-deployment progress-deadline, ms (600 s default). */
  progressDeadlineMs(): number;
}

/** True for the config maps this source reads (for resync handlers). */
export function isAutoscalingConfigMap(o: KObject): boolean {
  return o.metadata.namespace === SERVING_NAMESPACE && (o.metadata.name === CONFIG_AUTOSCALER || o.metadata.name === CONFIG_DEPLOYMENT);
}

export class ConfigMapAutoscalingConfig implements AutoscalingConfigSource {
  private asRv: string | undefined | null = null;
  private asCfg: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG;
  private depRv: string | undefined | null = null;
  private deadline = DEFAULT_PROGRESS_DEADLINE_MS;

  constructor(
    private readonly configMaps: Lister,
    private readonly log: Logger = silentLogger,
  ) {}

  autoscaler(): AutoscalerConfig {
    const cm = this.configMaps.get(SERVING_NAMESPACE, CONFIG_AUTOSCALER);
    const rv = cm ? (cm.metadata.resourceVersion ?? '') : undefined;
    if (rv === this.asRv) return this.asCfg;
    this.asRv = rv;
    if (!cm) {
      this.asCfg = DEFAULT_AUTOSCALER_CONFIG;
      return this.asCfg;
    }
    try {
      this.asCfg = parseAutoscalerConfig(cm.data ?? {});
    } catch (err) {
      this.log.warn('config-autoscaler is invalid; keeping the previous configuration', { error: err instanceof Error ? err.message : String(err) });
    }
    return this.asCfg;
  }

  progressDeadlineMs(): number {
    const cm = this.configMaps.get(SERVING_NAMESPACE, CONFIG_DEPLOYMENT);
    const rv = cm ? (cm.metadata.resourceVersion ?? '') : undefined;
    if (rv === this.depRv) return this.deadline;
    this.depRv = rv;
    const raw = cm?.data?.['progress-deadline'];
    if (raw === undefined) {
      this.deadline = DEFAULT_PROGRESS_DEADLINE_MS;
      return this.deadline;
    }
    const ms = parseGoDuration(raw);
    if (ms === undefined || ms <= 0) this.log.warn('config-deployment progress-deadline is invalid; keeping the previous value', { value: raw });
    else this.deadline = ms;
    return this.deadline;
  }
}

/** A PA's progress deadline: its annotation (whole duration) or the config value. */
export function progressDeadlineOf(pa: KObject, source: AutoscalingConfigSource): number {
  const raw = pa.metadata.annotations?.[PROGRESS_DEADLINE_ANNOTATION];
  if (raw !== undefined) {
    const ms = parseGoDuration(raw);
    if (ms !== undefined && ms > 0) return ms;
  }
  return source.progressDeadlineMs();
}
