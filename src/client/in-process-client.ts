// ApiClient implemented in-process over the ObjectService: the embedded
// mode's controllers get the same admission, concurrency and watch semantics
// as kubectl over HTTP, without the HTTP.
import type { KObject } from '../api/meta.js';
import type { ObjectService } from '../apiserver/object-service.js';
import type { ApiClient, ClientWatchEvent, DeleteOptions, ListOptions, ListResult, PatchOptions, WatchHandle } from './client.js';

export class InProcessClient implements ApiClient {
  constructor(private readonly svc: ObjectService) {}

  async get(gr: string, namespace: string, name: string): Promise<KObject | undefined> {
    const t = this.svc.type(gr);
    return this.svc.store.get(gr, t.namespaced ? namespace : '', name);
  }

  async list(gr: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.svc.list(gr, opts);
  }

  watch(
    gr: string,
    opts: ListOptions & { resourceVersion?: string },
    onEvent: (ev: ClientWatchEvent) => void,
    onError: (err: Error & { status?: number }) => void,
  ): WatchHandle {
    // Store events arrive synchronously inside writes; deliver them on a
    // microtask, in order, so handlers never run inside another write.
    const buf: ClientWatchEvent[] = [];
    let scheduled = false;
    let stopped = false;
    const flush = () => {
      scheduled = false;
      while (buf.length && !stopped) onEvent(buf.shift()!);
    };
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = this.svc.watch(gr, opts, (ev) => {
        buf.push({ type: ev.type, object: ev.object });
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      });
    } catch (e) {
      queueMicrotask(() => onError(e as Error));
    }
    return {
      stop() {
        stopped = true;
        unsubscribe?.();
      },
    };
  }

  async create(gr: string, obj: KObject): Promise<KObject> {
    return this.svc.create(gr, obj, { internal: true });
  }

  async update(gr: string, obj: KObject): Promise<KObject> {
    return this.svc.update(gr, obj, { internal: true });
  }

  async updateStatus(gr: string, obj: KObject): Promise<KObject> {
    return this.svc.update(gr, obj, { internal: true, subresource: 'status' });
  }

  async patch(gr: string, namespace: string, name: string, patch: unknown, opts: PatchOptions): Promise<KObject> {
    return this.svc.patch(gr, namespace, name, patch, opts.type, { internal: true, subresource: opts.subresource });
  }

  async delete(gr: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KObject | undefined> {
    try {
      return this.svc.delete(gr, namespace, name, { internal: true, propagationPolicy: opts.propagationPolicy, resourceVersion: opts.resourceVersion, gracePeriodSeconds: opts.gracePeriodSeconds });
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  }
}
