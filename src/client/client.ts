// ApiClient: the one interface controllers, the node agent and the data plane
// use to read and write objects. Embedded mode implements it in-process over
// the ObjectService (same admission as HTTP); Kubernetes mode will implement
// it over a real kube-apiserver. Controllers never know which.
import type { KObject } from '../api/meta.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ClientWatchEvent {
  type: WatchEventType;
  object: KObject;
}

export interface ListOptions {
  namespace?: string; // undefined = all namespaces (or cluster-scoped)
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
}

export interface WatchHandle {
  stop(): void;
}

export interface PatchOptions {
  type: 'merge' | 'json' | 'strategic';
  subresource?: 'status' | 'scale';
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  resourceVersion?: string; // precondition
  gracePeriodSeconds?: number;
}

/**
 * `gr` is the group-resource key: `core/pods`, `apps/deployments`,
 * `serving.knative.dev/services` (see api/registry.ts grOf()).
 */
export interface ApiClient {
  get(gr: string, namespace: string, name: string): Promise<KObject | undefined>;
  list(gr: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * Watch from `resourceVersion` (exclusive). The handler gets events in order; on
   * `onError` with status 410 the caller must relist (informers do).
   */
  watch(
    gr: string,
    opts: ListOptions & { resourceVersion?: string },
    onEvent: (ev: ClientWatchEvent) => void,
    onError: (err: Error & { status?: number }) => void,
  ): WatchHandle;
  create(gr: string, obj: KObject): Promise<KObject>;
  /** Full replace (PUT); obj.metadata.resourceVersion, if set, is an optimistic-concurrency precondition. */
  update(gr: string, obj: KObject): Promise<KObject>;
  /** PUT on the /status subresource. */
  updateStatus(gr: string, obj: KObject): Promise<KObject>;
  patch(gr: string, namespace: string, name: string, patch: unknown, opts: PatchOptions): Promise<KObject>;
  delete(gr: string, namespace: string, name: string, opts?: DeleteOptions): Promise<KObject | undefined>;
}
