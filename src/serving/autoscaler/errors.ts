// Error types of the autoscaler maths: the field-error shape used by
// annotation validation (structurally identical to src/api/errors.ts
// `FieldError`, so results can be handed to the API layer unchanged) and the
// coded error thrown for a bad `config-autoscaler` ConfigMap.

export interface FieldError {
  /** Dotted path, e.g. `metadata.annotations.autoscaling.knative.dev/min-scale`. */
  path: string;
  message: string;
  /** Kubernetes cause type (FieldValueInvalid, ...). */
  type?: string;
}

export interface ConfigProblem {
  /** The ConfigMap data key at fault, e.g. `stable-window`. */
  readonly key: string;
  readonly message: string;
}

/** A `knative-serving/config-autoscaler` ConfigMap that Knative would reject. */
export class AutoscalerConfigError extends Error {
  readonly code = 'SKIFF_ERR_INVALID_CONFIG';
  readonly configMap = 'config-autoscaler';
  /** Every problem found; the first one's key is also in `key`. */
  readonly problems: readonly ConfigProblem[];
  readonly key: string;
  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid ConfigMap knative-serving/config-autoscaler: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'AutoscalerConfigError';
    this.problems = Object.freeze([...problems]);
    this.key = problems[0]?.key ?? '';
  }
}
