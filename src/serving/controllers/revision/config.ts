// The knative-serving config maps the Revision reconciler reads, parsed into
// frozen snapshots (Knative's pkg/reconciler/revision/config store):
// config-autoscaler (initial scale, default class), config-deployment
// (progress-deadline) and config-observability (revision log URL template).
// Also `LiveConfig`, the small "parse on change, keep the last good value"
// cache the GC controller reuses for config-gc.
//
// Like Knative's config store, a config map that does not parse does not
// stop reconciling: the last good value (or the defaults) stays in force and
// the problem is logged once per resourceVersion. The webhook-side checks of
// these maps belong to whoever validates ConfigMap writes.
import type { KObject } from '../../../api/meta.js';
import type { Lister } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig, type AutoscalerConfig } from '../../autoscaler/config.js';
import { parseGoDuration } from '../../../api/go-syntax.js';

export const SERVING_NAMESPACE = 'knative-serving';
export const CONFIG_AUTOSCALER = 'config-autoscaler';
export const CONFIG_DEPLOYMENT = 'config-deployment';
export const CONFIG_OBSERVABILITY = 'config-observability';

/** A config map value this module could not use. */
export class ConfigMapParseError extends Error {
  readonly code = 'SKIFF_ERR_INVALID_CONFIG';
  constructor(
    readonly configMap: string,
    readonly key: string,
    message: string,
  ) {
    super(`invalid ConfigMap ${SERVING_NAMESPACE}/${configMap}: ${key}: ${message}`);
    this.name = 'ConfigMapParseError';
  }
}

/**
 * One config map, parsed lazily and re-parsed only when its resourceVersion
 * changes. A parse failure keeps the previous good value (defaults at first).
 */
export class LiveConfig<T> {
  private seenVersion: string | undefined = '\0never';
  private value: T;

  constructor(
    private readonly configMaps: Lister,
    readonly name: string,
    private readonly parse: (data: Readonly<Record<string, string>>) => T,
    private readonly defaults: T,
    private readonly logger: Logger = silentLogger,
    readonly namespace: string = SERVING_NAMESPACE,
  ) {
    this.value = defaults;
  }

  get(): T {
    const cm: KObject | undefined = this.configMaps.get(this.namespace, this.name);
    const version = cm ? (cm.metadata.resourceVersion ?? '') : undefined;
    if (version === this.seenVersion) return this.value;
    this.seenVersion = version;
    if (!cm) {
      this.value = this.defaults;
      return this.value;
    }
    try {
      this.value = this.parse(cm.data ?? {});
    } catch (err) {
      this.logger.error('ignoring invalid config map; keeping the last good configuration', {
        configMap: `${this.namespace}/${this.name}`,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    return this.value;
  }
}

// ---- config-deployment ----

export interface DeploymentConfig {
  /** Deployment progressDeadlineSeconds for new revisions (config `progress-deadline`, default 600s). */
  readonly progressDeadlineSeconds: number;
}

export const DEFAULT_DEPLOYMENT_CONFIG: DeploymentConfig = Object.freeze({ progressDeadlineSeconds: 600 });

/** Knative pkg/deployment/config.go: a positive Go duration with whole seconds. */
export function parseProgressDeadlineSeconds(raw: string, where: { configMap: string; key: string }): number {
  const ms = parseGoDuration(raw.trim());
  if (ms === undefined) throw new ConfigMapParseError(where.configMap, where.key, `invalid duration ${JSON.stringify(raw)} (use Go syntax such as 600s or 10m)`);
  if (ms <= 0) throw new ConfigMapParseError(where.configMap, where.key, `must be a positive duration, was ${JSON.stringify(raw)}`);
  if (ms % 1000 !== 0) throw new ConfigMapParseError(where.configMap, where.key, `must be a whole number of seconds, was ${JSON.stringify(raw)}`);
  return ms / 1000;
}

export function parseDeploymentConfig(data: Readonly<Record<string, string>>): DeploymentConfig {
  const raw = data['progress-deadline'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_DEPLOYMENT_CONFIG;
  return Object.freeze({ progressDeadlineSeconds: parseProgressDeadlineSeconds(raw, { configMap: CONFIG_DEPLOYMENT, key: 'progress-deadline' }) });
}

// ---- config-observability ----

export interface ObservabilityConfig {
  /** `logging.revision-url-template`; `${REVISION_UID}` is replaced. Empty = no status.logUrl. */
  readonly loggingUrlTemplate: string;
}

export const DEFAULT_OBSERVABILITY_CONFIG: ObservabilityConfig = Object.freeze({ loggingUrlTemplate: '' });

export function parseObservabilityConfig(data: Readonly<Record<string, string>>): ObservabilityConfig {
  return Object.freeze({ loggingUrlTemplate: (data['logging.revision-url-template'] ?? '').trim() });
}

// ---- the Revision reconciler's snapshot ----

export interface RevisionConfig {
  readonly autoscaler: AutoscalerConfig;
  readonly deployment: DeploymentConfig;
  readonly observability: ObservabilityConfig;
}

export const DEFAULT_REVISION_CONFIG: RevisionConfig = Object.freeze({
  autoscaler: DEFAULT_AUTOSCALER_CONFIG,
  deployment: DEFAULT_DEPLOYMENT_CONFIG,
  observability: DEFAULT_OBSERVABILITY_CONFIG,
});

/** The config maps whose edits must re-reconcile every Revision (their values shape Deployments and status). */
export const REVISION_RESYNC_CONFIG_MAPS: readonly string[] = Object.freeze([CONFIG_DEPLOYMENT, CONFIG_OBSERVABILITY]);

export class RevisionConfigStore {
  private readonly autoscaler: LiveConfig<AutoscalerConfig>;
  private readonly deployment: LiveConfig<DeploymentConfig>;
  private readonly observability: LiveConfig<ObservabilityConfig>;

  constructor(configMaps: Lister, logger: Logger = silentLogger) {
    this.autoscaler = new LiveConfig(configMaps, CONFIG_AUTOSCALER, (d) => parseAutoscalerConfig(d), DEFAULT_AUTOSCALER_CONFIG, logger);
    this.deployment = new LiveConfig(configMaps, CONFIG_DEPLOYMENT, parseDeploymentConfig, DEFAULT_DEPLOYMENT_CONFIG, logger);
    this.observability = new LiveConfig(configMaps, CONFIG_OBSERVABILITY, parseObservabilityConfig, DEFAULT_OBSERVABILITY_CONFIG, logger);
  }

  /** The current values, taken once per reconcile so one pass sees one consistent configuration. */
  snapshot(): RevisionConfig {
    return { autoscaler: this.autoscaler.get(), deployment: this.deployment.get(), observability: this.observability.get() };
  }
}
