// Live routing configuration for the Route, DomainMapping and KIngress
// controllers (knative's config.Store): watches config-domain,
// config-network and config-features in knative-serving, parses them into
// one frozen RoutingConfig snapshot each reconcile reads at its start, and
// tells listeners (controllers → global resync) when it changed. An invalid
// edit is logged and ignored: the last good snapshot stays in force.
import type { KObject } from '../../../api/meta.js';
import type { Informer, SharedInformerFactory } from '../../../controller/informer.js';
import { silentLogger, type Logger } from '../../../controller/logger.js';
import { DEFAULT_DOMAIN_CONFIG, DOMAIN_CONFIG_MAP, parseDomainConfig, type DomainConfig } from '../../config/domain.js';
import { DEFAULT_NETWORK_CONFIG, NETWORK_CONFIG_MAP, parseNetworkConfig, type NetworkConfig } from '../../config/network.js';
import type { RoutingConfig } from './resources/domains.js';

export const SERVING_NAMESPACE = 'knative-serving';
export const FEATURES_CONFIG_MAP = 'config-features';
const WATCHED = new Set([DOMAIN_CONFIG_MAP, NETWORK_CONFIG_MAP, FEATURES_CONFIG_MAP]);

export function makeRoutingConfig(domain: DomainConfig = DEFAULT_DOMAIN_CONFIG, network: NetworkConfig = DEFAULT_NETWORK_CONFIG, tagHeaderBasedRouting = false): RoutingConfig {
  return Object.freeze({ domain, network, tagHeaderBasedRouting });
}

/** Build a snapshot straight from config map data (tests, and the store itself). Throws on invalid data. */
export function routingConfigFromData(data: { domain?: Record<string, string>; network?: Record<string, string>; features?: Record<string, string> }): RoutingConfig {
  return makeRoutingConfig(parseDomainConfig(data.domain), parseNetworkConfig(data.network), (data.features?.['tag-header-based-routing'] ?? '').toLowerCase() === 'enabled');
}

export interface RoutingConfigSource {
  current(): RoutingConfig;
}

/** A fixed snapshot (tests). */
export function staticRoutingConfig(cfg: RoutingConfig): RoutingConfigSource {
  return { current: () => cfg };
}

export class RoutingConfigStore implements RoutingConfigSource {
  readonly informer: Informer;
  private snapshot: RoutingConfig;
  private domain: DomainConfig = DEFAULT_DOMAIN_CONFIG;
  private network: NetworkConfig = DEFAULT_NETWORK_CONFIG;
  private tagHeader = false;
  private readonly listeners = new Set<() => void>();
  private readonly log: Logger;

  constructor(informers: SharedInformerFactory, logger: Logger = silentLogger) {
    this.log = logger;
    this.snapshot = makeRoutingConfig();
    this.informer = informers.informerFor('core/configmaps', { namespace: SERVING_NAMESPACE });
    this.informer.addEventHandler({
      onAdd: (cm) => this.onConfigMap(cm, false),
      onUpdate: (_old, cm) => this.onConfigMap(cm, false),
      onDelete: (cm) => this.onConfigMap(cm, true),
    });
  }

  current(): RoutingConfig {
    return this.snapshot;
  }

  /** Called after every change that altered the snapshot. Returns an unsubscribe function. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private onConfigMap(cm: KObject, deleted: boolean): void {
    const name = cm.metadata.name ?? '';
    if (cm.metadata.namespace !== SERVING_NAMESPACE || !WATCHED.has(name)) return;
    const data = deleted ? undefined : (cm.data as Record<string, string> | undefined);
    try {
      if (name === DOMAIN_CONFIG_MAP) this.domain = parseDomainConfig(data);
      else if (name === NETWORK_CONFIG_MAP) {
        const n = parseNetworkConfig(data);
        for (const w of n.warnings) this.log.warn(w, { configMap: name });
        this.network = n;
      } else this.tagHeader = (data?.['tag-header-based-routing'] ?? '').toLowerCase() === 'enabled';
    } catch (err) {
      this.log.error('ignoring invalid config map; keeping the previous configuration', { configMap: `${SERVING_NAMESPACE}/${name}`, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.snapshot = makeRoutingConfig(this.domain, this.network, this.tagHeader);
    for (const cb of this.listeners) cb();
  }
}
