// Wires Serving into a registry: the Knative kinds (src/api/serving) plus the
// admission checks that live with the autoscaler (annotation validation needs
// the config-autoscaler snapshot), keeping src/api free of upward imports.
import type { ResourceRegistry } from '../api/registry.js';
import { registerServingKinds } from '../api/serving/kinds.js';
import { setAutoscalingAnnotationValidator } from '../api/serving/revision-spec.js';
import { validateAutoscalingAnnotations } from './autoscaler/annotations.js';
import { DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig } from './autoscaler/config.js';

export function registerServing(r: ResourceRegistry): void {
  registerServingKinds(r);
  setAutoscalingAnnotationValidator((annotations, path, _cc, get) => {
    let cfg = DEFAULT_AUTOSCALER_CONFIG;
    try {
      cfg = parseAutoscalerConfig(get?.('core/configmaps', 'knative-serving', 'config-autoscaler')?.data);
    } catch {
      // An invalid config map is reported where it is edited; admission falls back to defaults.
    }
    return validateAutoscalingAnnotations(annotations ?? {}, cfg, path);
  });
}
