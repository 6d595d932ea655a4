// ObjectService: Kubernetes object semantics on top of a Store — the part of
// kube-apiserver every caller shares (HTTP handlers and the in-process
// client). It owns: admission (defaulting + validation from the registry),
// uid/generation/creationTimestamp, optimistic concurrency, status and scale
// subresources, patches, finalizers and deletionTimestamp, namespace checks.
// Garbage collection of dependents lives in garbage-collector.ts.
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, invalid, notFound, type FieldError } from '../api/errors.js';
import { matchesFieldSelector, matchesSelector, parseFieldSelector, parseSelector } from '../api/labels.js';
import { clone, rfc3339, type KObject } from '../api/meta.js';
import { jsonMergePatch, jsonPatch, METADATA_MERGE_KEYS, strategicMergePatch } from '../api/patch.js';
import { apiVersionOf, grOf, type AdmissionContext, type ResourceRegistry, type ResourceType } from '../api/registry.js';
import { validateObjectMeta } from '../api/validation.js';
import type { Store, WatchEvent } from '../store/store.js';
import { deepEqual } from '../api/json.js';

export interface WriteOptions {
  /** Writes from Skiff's own controllers (skip user-only checks). */
  internal?: boolean;
  dryRun?: boolean;
}

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'knative-serving', 'knative-eventing'];


export class ObjectService {
  constructor(
    readonly store: Store,
    readonly registry: ResourceRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** Create the namespaces every Skiff has from the start. */
  bootstrap(): void {
    for (const name of SYSTEM_NAMESPACES) {
      if (!this.store.get('core/namespaces', '', name))
        this.create('core/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { internal: true });
    }
  }

  type(gr: string): ResourceType {
    const t = this.registry.get(gr);
    if (!t) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${gr})`);
    return t;
  }

  private admissionContext(op: AdmissionContext['operation'], opts: WriteOptions, subresource?: string): AdmissionContext {
    return { operation: op, get: (gr, ns, name) => this.store.get(gr, ns, name), internal: opts.internal, subresource };
  }

  /** Objects are stored at the storage version; present them at the version asked for. */
  present(t: ResourceType, obj: KObject, version?: string): KObject {
    if (!version || version === t.version) return obj;
    return { ...obj, apiVersion: apiVersionOf({ group: t.group, version }) };
  }

  get(gr: string, namespace: string, name: string): KObject {
    const t = this.type(gr);
    const o = this.store.get(gr, t.namespaced ? namespace : '', name);
    if (!o) throw notFound(t.plural, name, t.group);
    return o;
  }

  list(gr: string, q: ListQuery = {}): { items: KObject[]; resourceVersion: string } {
    const t = this.type(gr);
    const { items, revision } = this.store.list(gr, t.namespaced ? q.namespace : undefined);
    const ls = parseSelector(q.labelSelector);
    const fs = parseFieldSelector(q.fieldSelector);
    const out = ls.length || fs.length ? items.filter((o) => matchesSelector(ls, o.metadata.labels) && matchesFieldSelector(fs, o)) : items;
    return { items: out, resourceVersion: String(revision) };
  }

  /** Filtered watch over the store; `onEvent` gets events for this resource only. */
  watch(
    gr: string,
    q: ListQuery & { resourceVersion?: string },
    onEvent: (ev: WatchEvent) => void,
  ): () => void {
    const t = this.type(gr);
    const ls = parseSelector(q.labelSelector);
    const fs = parseFieldSelector(q.fieldSelector);
    const from = q.resourceVersion && q.resourceVersion !== '0' ? Number(q.resourceVersion) : undefined;
    if (from !== undefined && !Number.isFinite(from)) throw badRequest(`invalid resourceVersion "${q.resourceVersion}"`);
    return this.store.watch({ gr, namespace: t.namespaced ? q.namespace : undefined, fromRevision: from }, (ev) => {
      if (ls.length || fs.length) {
        if (!(matchesSelector(ls, ev.object.metadata.labels) && matchesFieldSelector(fs, ev.object))) return;
      }
      onEvent(ev);
    });
  }

  private checkKind(t: ResourceType, obj: KObject): void {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the request body must be a JSON or YAML object');
    if (obj.kind !== undefined && obj.kind !== t.kind)
      throw badRequest(`the kind "${obj.kind}" in the request body does not match the resource ${t.plural} (kind ${t.kind})`);
    if (obj.apiVersion !== undefined) {
      const ok = [t.version, ...(t.alsoServed ?? [])].some((v) => apiVersionOf({ group: t.group, version: v }) === obj.apiVersion);
      if (!ok) throw badRequest(`apiVersion "${obj.apiVersion}" does not serve kind ${t.kind} (expected ${apiVersionOf(t)})`);
    }
    if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)))
      throw badRequest('metadata must be an object');
  }

  private generationChanged(t: ResourceType, a: KObject, b: KObject): boolean {
    const fields = this.generationFields(t);
    return fields.some((f) => !deepEqual(a[f], b[f]));
  }

  private generationFields(t: ResourceType): string[] {
    if (t.generationFields) return t.generationFields;
    return t.subresources?.status ? ['spec'] : [];
  }

  create(gr: string, input: KObject, opts: WriteOptions = {}): KObject {
    const t = this.type(gr);
    this.checkKind(t, input);
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    obj.metadata = obj.metadata ?? {};
    const meta = obj.metadata;
    dropEmptyMetadata(meta);
    if (t.namespaced) {
      meta.namespace = meta.namespace || 'default';
      const ns = this.store.get('core/namespaces', '', meta.namespace);
      if (!ns) throw new ApiError(404, 'NotFound', `namespaces "${meta.namespace}" not found`, { details: { name: meta.namespace, kind: 'namespaces' } });
      if (ns.metadata.deletionTimestamp && gr !== 'core/events')
        throw new ApiError(403, 'Forbidden', `${t.plural} "${meta.name ?? meta.generateName}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`);
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    const metaErrs = validateObjectMeta(meta, t.namespaced, t.nameRule ?? 'subdomain');
    if (metaErrs.length) throw invalid(t.kind, meta.name ?? '', metaErrs, t.group);
    // Server-owned fields.
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.managedFields;
    if (this.generationFields(t).length) meta.generation = 1;
    else delete meta.generation;
    if (t.subresources?.status && !opts.internal) delete obj.status;
    const ctx = this.admissionContext('CREATE', opts);
    t.default?.(obj, ctx);
    const errs = t.validate?.(obj, undefined, ctx) ?? [];
    if (errs.length) throw invalid(t.kind, meta.name!, errs, t.group);
    if (opts.dryRun) return obj;
    return this.store.create(gr, obj);
  }

  /**
   * PUT. With a status subresource the main resource ignores status changes
   * and /status ignores everything but status (Kubernetes semantics).
   */
  update(gr: string, input: KObject, opts: WriteOptions & { subresource?: 'status' } = {}): KObject {
    const t = this.type(gr);
    this.checkKind(t, input);
    const name = input.metadata?.name;
    if (!name) throw invalid(t.kind, '', [{ path: 'metadata.name', message: 'Required value: name is required', type: 'FieldValueRequired' }], t.group);
    const ns = t.namespaced ? input.metadata.namespace || 'default' : '';
    const cur = this.store.get(gr, ns, name);
    if (!cur) throw notFound(t.plural, name, t.group);
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion)
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.group ? `${t.plural}.${t.group}` : t.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
        details: { name, group: t.group, kind: t.plural },
      });
    let next: KObject;
    if (opts.subresource === 'status') {
      if (!t.subresources?.status) throw new ApiError(404, 'NotFound', `${t.plural} does not have a status subresource`);
      // Share the frozen spec/metadata subtrees with the current version: only status is new.
      next = { ...cur, metadata: { ...cur.metadata }, status: clone(input.status) } as KObject;
      // Kubernetes lets status writers keep metadata untouched; nothing else changes.
    } else {
      next = clone(input);
      next.apiVersion = apiVersionOf(t);
      next.kind = t.kind;
      if (t.subresources?.status) next.status = cur.status === undefined ? undefined : clone(cur.status);
      const meta = next.metadata;
      // Immutable server-owned metadata.
      meta.namespace = t.namespaced ? ns : undefined;
      if (!t.namespaced) delete meta.namespace;
      meta.uid = cur.metadata.uid;
      meta.creationTimestamp = cur.metadata.creationTimestamp;
      meta.deletionTimestamp = cur.metadata.deletionTimestamp;
      if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
      meta.generation = cur.metadata.generation;
      if (meta.generation === undefined) delete meta.generation;
      delete meta.managedFields;
      dropEmptyMetadata(meta);
      const metaErrs = validateObjectMeta(meta, t.namespaced, t.nameRule ?? 'subdomain');
      if (metaErrs.length) throw invalid(t.kind, name, metaErrs, t.group);
      if (cur.metadata.deletionTimestamp) {
        // While terminating, only finalizer removal and metadata edits are meaningful; new finalizers are refused.
        const added = (meta.finalizers ?? []).filter((f) => !(cur.metadata.finalizers ?? []).includes(f));
        if (added.length)
          throw invalid(t.kind, name, [{ path: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }], t.group);
      }
      for (const f of t.immutableFields ?? []) {
        if (!deepEqual(getPath(cur, f), getPath(next, f)))
          throw invalid(t.kind, name, [{ path: f, message: 'Invalid value: field is immutable', type: 'FieldValueInvalid' }], t.group);
      }
    }
    const ctx = this.admissionContext('UPDATE', opts, opts.subresource);
    if (opts.subresource !== 'status') t.default?.(next, ctx, cur);
    const errs = opts.subresource === 'status' ? [] : t.validate?.(next, cur, ctx) ?? [];
    if (errs.length) throw invalid(t.kind, name, errs, t.group);
    if (opts.subresource !== 'status' && cur.metadata.generation !== undefined && this.generationChanged(t, cur, next))
      next.metadata.generation = (cur.metadata.generation ?? 0) + 1;
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    // A no-op write does not bump resourceVersion (kubectl apply relies on this).
    if (deepEqual(stripRv(cur), stripRv(next))) return cur;
    if (opts.dryRun) return next;
    // Finalizers all gone on an object being deleted: the delete completes now.
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length) {
      return this.store.delete(gr, ns, name);
    }
    return this.store.update(gr, next, cur.metadata.resourceVersion);
  }

  patch(
    gr: string,
    namespace: string,
    name: string,
    patch: unknown,
    type: PatchType,
    opts: WriteOptions & { subresource?: 'status' | 'scale' } = {},
  ): KObject {
    const t = this.type(gr);
    const ns = t.namespaced ? namespace || 'default' : '';
    const cur = this.store.get(gr, ns, name);
    if (!cur) throw notFound(t.plural, name, t.group);
    if (opts.subresource === 'scale') {
      const scale = this.getScale(gr, ns, name);
      const patched = this.applyPatch(scale, patch, type, {}) as KObject;
      return this.updateScale(gr, ns, name, patched, opts);
    }
    const mergeKeys = { ...METADATA_MERGE_KEYS, ...(t.mergeKeys ?? {}) };
    const patched = this.applyPatch(cur, patch, type, mergeKeys) as KObject;
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('patch produced a non-object');
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name)
      throw invalid(t.kind, name, [{ path: 'metadata.name', message: 'Invalid value: field is immutable' }], t.group);
    patched.metadata = { ...(patched.metadata ?? {}), name, namespace: t.namespaced ? ns : undefined };
    if (!t.namespaced) delete patched.metadata.namespace;
    // A resourceVersion inside the patch is a precondition; otherwise patch the current version.
    const rvInPatch = (patch as KObject)?.metadata?.resourceVersion;
    patched.metadata.resourceVersion = typeof rvInPatch === 'string' ? rvInPatch : cur.metadata.resourceVersion;
    return this.update(gr, patched, { ...opts, subresource: opts.subresource === 'status' ? 'status' : undefined });
  }

  private applyPatch(cur: unknown, patch: unknown, type: PatchType, mergeKeys: Record<string, string>): unknown {
    switch (type) {
      case 'merge':
        if (typeof patch !== 'object' || patch === null) throw badRequest('merge patch must be a JSON object');
        return jsonMergePatch(cur, patch);
      case 'json':
        return jsonPatch(cur, patch);
      case 'strategic':
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('strategic merge patch must be a JSON object');
        return strategicMergePatch(cur, patch, mergeKeys);
      case 'apply':
        // Server-side apply approximated as a merge of the applied config (no field ownership tracking).
        if (typeof patch !== 'object' || patch === null) throw badRequest('apply patch must be an object');
        return strategicMergePatch(cur, patch, mergeKeys);
    }
  }

  // ---- scale subresource -------------------------------------------------

  getScale(gr: string, namespace: string, name: string): KObject {
    const t = this.type(gr);
    const sc = t.subresources?.scale;
    if (!sc) throw new ApiError(404, 'NotFound', `${t.plural} does not have a scale subresource`);
    const o = this.get(gr, namespace, name);
    const selector = sc.labelSelectorPath ? getPath(o, sc.labelSelectorPath.slice(1)) : undefined;
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: getPath(o, sc.specReplicasPath.slice(1)) ?? 0 },
      status: { replicas: getPath(o, sc.statusReplicasPath.slice(1)) ?? 0, ...(selector !== undefined ? { selector } : {}) },
    };
  }

  updateScale(gr: string, namespace: string, name: string, scale: KObject, opts: WriteOptions = {}): KObject {
    const t = this.type(gr);
    const sc = t.subresources?.scale;
    if (!sc) throw new ApiError(404, 'NotFound', `${t.plural} does not have a scale subresource`);
    const replicas = scale?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw invalid('Scale', name, [{ path: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }], 'autoscaling');
    const cur = this.get(gr, namespace, name);
    const rv = scale.metadata?.resourceVersion;
    const next = clone(cur) as KObject;
    setPath(next, sc.specReplicasPath.slice(1), replicas);
    next.metadata.resourceVersion = rv || cur.metadata.resourceVersion;
    this.update(gr, next, opts);
    return this.getScale(gr, namespace, name);
  }

  // ---- delete ------------------------------------------------------------

  /**
   * Delete with Kubernetes semantics: objects with finalizers get a
   * deletionTimestamp and stay until the finalizers are gone; Foreground adds
   * the foregroundDeletion finalizer (the garbage collector removes dependents
   * first); Background deletes now and lets the collector remove dependents;
   * Orphan strips owner references from dependents first.
   */
  delete(
    gr: string,
    namespace: string,
    name: string,
    opts: WriteOptions & { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; resourceVersion?: string; uid?: string; gracePeriodSeconds?: number } = {},
  ): KObject {
    const t = this.type(gr);
    const ns = t.namespaced ? namespace || 'default' : '';
    const cur = this.store.get(gr, ns, name);
    if (!cur) throw notFound(t.plural, name, t.group);
    if (opts.resourceVersion && opts.resourceVersion !== cur.metadata.resourceVersion)
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural} "${name}": the ResourceVersion in the precondition (${opts.resourceVersion}) does not match the ResourceVersion in record (${cur.metadata.resourceVersion}). The object might have been modified`);
    if (opts.uid && opts.uid !== cur.metadata.uid)
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural} "${name}": the UID in the precondition (${opts.uid}) does not match the UID in record (${cur.metadata.uid}). The object might have been deleted and then recreated`);
    if (SYSTEM_NAMESPACES.includes(name) && gr === 'core/namespaces' && !opts.internal)
      throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
    if (opts.dryRun) return cur;
    // A namespace is always emptied before it goes, whatever policy the client sends
    // (kubectl sends Background); in Kubernetes the namespace lifecycle ignores it too.
    const policy = gr === 'core/namespaces' ? 'Foreground' : opts.propagationPolicy ?? 'Background';
    if (policy === 'Orphan') this.orphanDependents(cur);
    const finalizers = [...(cur.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion') && (this.hasDependents(cur) || gr === 'core/namespaces'))
      finalizers.push('foregroundDeletion');
    if (finalizers.length === 0) return this.store.delete(gr, ns, name);
    // A later delete may shorten the grace period (kubectl delete --grace-period=0 --force), never lengthen it.
    const grace = opts.gracePeriodSeconds;
    const shorter = grace !== undefined && (cur.metadata.deletionGracePeriodSeconds === undefined || grace < cur.metadata.deletionGracePeriodSeconds);
    if (cur.metadata.deletionTimestamp && deepEqual(finalizers, cur.metadata.finalizers) && !shorter) return cur;
    const next = clone(cur) as KObject;
    next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp ?? rfc3339(this.now());
    if (grace !== undefined && (shorter || cur.metadata.deletionGracePeriodSeconds === undefined)) next.metadata.deletionGracePeriodSeconds = grace;
    next.metadata.finalizers = finalizers;
    if (gr === 'core/namespaces') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return this.store.update(gr, next, cur.metadata.resourceVersion);
  }

  /** Dependents index is maintained by the garbage collector; this is a fallback scan. */
  dependentsOf(owner: KObject): Array<{ gr: string; obj: KObject }> {
    const uid = owner.metadata.uid;
    const out: Array<{ gr: string; obj: KObject }> = [];
    for (const t of this.registry.all()) {
      const gr = grOf(t);
      if (t.namespaced && owner.metadata.namespace === undefined && owner.kind !== 'Namespace') {
        // cluster-scoped owners can own namespaced objects too
      }
      for (const o of this.store.list(gr, owner.kind === 'Namespace' ? owner.metadata.name : t.namespaced ? owner.metadata.namespace : undefined).items) {
        if (owner.kind === 'Namespace' && t.namespaced) {
          out.push({ gr, obj: o });
          continue;
        }
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ gr, obj: o });
      }
    }
    return out;
  }

  hasDependents(owner: KObject): boolean {
    return this.dependentsOf(owner).length > 0;
  }

  private orphanDependents(owner: KObject): void {
    for (const { gr, obj } of this.dependentsOf(owner)) {
      if (owner.kind === 'Namespace') continue;
      const next = clone(obj) as KObject;
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
      this.store.update(gr, next);
    }
  }
}

/**
 * Kubernetes never stores empty labels/annotations maps or empty
 * finalizers/ownerReferences lists (ObjectMeta's fields are `omitempty`).
 * Patches that remove the last key leave `{}` behind; without this, kubectl
 * diff shows a spurious `annotations: {}` and no-op writes bump resourceVersion.
 */
function dropEmptyMetadata(meta: KObject['metadata']): void {
  for (const k of ['labels', 'annotations'] as const) {
    const v = meta[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete meta[k];
  }
  for (const k of ['finalizers', 'ownerReferences'] as const) {
    const v = meta[k];
    if (Array.isArray(v) && v.length === 0) delete meta[k];
  }
}

function stripRv(o: KObject): KObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined } };
}

export function getPath(o: unknown, dotted: string): unknown {
  let cur: unknown = o;
  for (const k of dotted.split('.')) {
    if (!k) continue;
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  }
  return cur;
}

export function setPath(o: Record<string, unknown>, dotted: string, v: unknown): void {
  const parts = dotted.split('.').filter(Boolean);
  let cur: Record<string, unknown> = o;
  for (const k of parts.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = v;
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return s;
}

export type { FieldError };
