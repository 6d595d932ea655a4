// The three patch flavours kubectl sends: JSON merge patch (RFC 7386), JSON
// patch (RFC 6902) and Kubernetes strategic merge patch (lists of named items
// merged by key, with the $patch / $setElementOrder / $retainKeys /
// $deleteFromPrimitiveList directives). Written by hand: the only JS
// implementations of strategic merge are tied to client libraries, and the
// merge-key table must come from our registry anyway.
import { badRequest, ApiError } from './errors.js';
import { isPlainObject } from './json.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObj = (v: unknown): v is JsonObject => isPlainObject(v);

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: JsonObject = isObj(target) ? { ...(target as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v) as Json;
  }
  return out;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(p: string, opIndex: number): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw badRequest(`json patch operation ${opIndex}: path "${p}" must start with "/"`);
  return p.slice(1).split('/').map(unescapePointer);
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be a JSON array of operations');
  let root: unknown = structuredClone(doc);
  const get = (path: string[], i: number): unknown => {
    let cur: unknown = root;
    for (const seg of path) {
      if (Array.isArray(cur)) cur = cur[Number(seg)];
      else if (isObj(cur)) cur = cur[seg];
      else throw badRequest(`json patch operation ${i}: path "/${path.join('/')}" does not exist`);
      if (cur === undefined) throw badRequest(`json patch operation ${i}: path "/${path.join('/')}" does not exist`);
    }
    return cur;
  };
  const parentOf = (path: string[], i: number): [unknown, string] => {
    if (path.length === 0) return [undefined, ''];
    return [get(path.slice(0, -1), i), path[path.length - 1]];
  };
  const remove = (path: string[], i: number): unknown => {
    const [parent, key] = parentOf(path, i);
    if (Array.isArray(parent)) {
      const idx = Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw badRequest(`json patch operation ${i}: index ${key} out of range`);
      return parent.splice(idx, 1)[0];
    }
    if (isObj(parent)) {
      if (!(key in parent)) throw badRequest(`json patch operation ${i}: path "/${path.join('/')}" does not exist`);
      const v = parent[key];
      delete parent[key];
      return v;
    }
    throw badRequest(`json patch operation ${i}: cannot remove "/${path.join('/')}"`);
  };
  const add = (path: string[], value: unknown, i: number, replace = false): void => {
    if (path.length === 0) {
      root = value;
      return;
    }
    const [parent, key] = parentOf(path, i);
    if (Array.isArray(parent)) {
      if (key === '-') parent.push(value);
      else {
        const idx = Number(key);
        if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (replace && idx >= parent.length))
          throw badRequest(`json patch operation ${i}: index ${key} out of range`);
        if (replace) parent[idx] = value;
        else parent.splice(idx, 0, value);
      }
    } else if (isObj(parent)) {
      if (replace && !(key in parent)) throw badRequest(`json patch operation ${i}: path "/${path.join('/')}" does not exist`);
      parent[key] = value as Json;
    } else throw badRequest(`json patch operation ${i}: parent of "/${path.join('/')}" is not a container`);
  };
  ops.forEach((raw, i) => {
    const op = raw as JsonPatchOp;
    if (!isObj(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw badRequest(`json patch operation ${i}: needs "op" and "path"`);
    const path = parsePointer(op.path, i);
    switch (op.op) {
      case 'add':
        add(path, structuredClone(op.value), i);
        break;
      case 'remove':
        remove(path, i);
        break;
      case 'replace':
        add(path, structuredClone(op.value), i, true);
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw badRequest(`json patch operation ${i}: "from" is required`);
        const v = remove(parsePointer(op.from, i), i);
        add(path, v, i);
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string') throw badRequest(`json patch operation ${i}: "from" is required`);
        add(path, structuredClone(get(parsePointer(op.from, i), i)), i);
        break;
      }
      case 'test': {
        const v = get(path, i);
        if (JSON.stringify(v) !== JSON.stringify(op.value))
          throw new ApiError(422, 'Invalid', `json patch operation ${i}: test failed for path "${op.path}"`);
        break;
      }
      default:
        throw badRequest(`json patch operation ${i}: unknown op "${(op as { op: string }).op}"`);
    }
  });
  return root;
}

/**
 * Strategic merge patch. `mergeKeys` maps a field path (dotted, list items as
 * `[]`, e.g. `spec.template.spec.containers` or `spec.template.spec.containers[].env`)
 * to the list's merge key. Lists without a key are replaced (Kubernetes'
 * default), except those listed in `setLists` (merged as sets, e.g. finalizers).
 */
export function strategicMergePatch(
  target: unknown,
  patch: unknown,
  mergeKeys: Record<string, string>,
  path = '',
): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObj(target) ? { ...(target as JsonObject) } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) continue; // applied after merge below
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = (out[field] as Json[]).filter((x) => !(v as Json[]).includes(x));
      continue;
    }
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const key = mergeKeys[childPath];
      if (key) out[k] = mergeList(Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, key, mergeKeys, `${childPath}[]`) as Json;
      else if (mergeKeys[childPath + '#set'] !== undefined) {
        const cur = Array.isArray(out[k]) ? [...(out[k] as Json[])] : [];
        for (const x of v) if (!cur.some((c) => JSON.stringify(c) === JSON.stringify(x))) cur.push(x);
        out[k] = cur;
      } else out[k] = structuredClone(v);
      continue;
    }
    if (isObj(v)) {
      const merged = strategicMergePatch(out[k], v, mergeKeys, childPath);
      if (merged === undefined) delete out[k];
      else out[k] = merged as Json;
      continue;
    }
    out[k] = v;
  }
  // $setElementOrder/<field>: reorder the merged list as the patch says.
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const field = k.slice('$setElementOrder/'.length);
    const childPath = path ? `${path}.${field}` : field;
    const key = mergeKeys[childPath];
    const list = out[field];
    if (!Array.isArray(list)) continue;
    if (key) {
      const keyOf = (x: Json) => (isObj(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
      const wanted = order.map((o) => keyOf(o as Json));
      const ordered: Json[] = [];
      for (const w of wanted) {
        const item = list.find((x) => keyOf(x) === w);
        if (item !== undefined) ordered.push(item);
      }
      for (const item of list) if (!wanted.includes(keyOf(item))) ordered.push(item);
      out[field] = ordered;
    }
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.includes(k) && !(k in patch)) delete out[k];
  return out;
}

function mergeList(target: Json[], patch: Json[], key: string, mergeKeys: Record<string, string>, itemPath: string): Json[] {
  const out = target.map((x) => x);
  const keyOf = (x: Json) => (isObj(x) ? JSON.stringify(x[key] ?? null) : undefined);
  for (const p of patch) {
    if (isObj(p) && p.$patch === 'replace' && Object.keys(p).length === 1) return []; // list-level replace marker
    if (isObj(p) && p.$patch === 'delete') {
      const k = keyOf(p);
      const idx = out.findIndex((x) => keyOf(x) === k);
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    const k = keyOf(p);
    const idx = k === undefined ? -1 : out.findIndex((x) => keyOf(x) === k);
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p, mergeKeys, itemPath) as Json;
    else out.push(strategicMergePatch(undefined, p, mergeKeys, itemPath) as Json);
  }
  return out;
}

/** Merge keys for the PodSpec found under `prefix` (e.g. `spec.template.spec` or `spec`). */
export function podSpecMergeKeys(prefix: string): Record<string, string> {
  const c = (list: string) => `${prefix}.${list}[]`;
  const keys: Record<string, string> = {
    [`${prefix}.containers`]: 'name',
    [`${prefix}.initContainers`]: 'name',
    [`${prefix}.volumes`]: 'name',
    [`${prefix}.imagePullSecrets`]: 'name',
    [`${prefix}.hostAliases`]: 'ip',
  };
  for (const list of ['containers', 'initContainers']) {
    keys[`${c(list)}.env`] = 'name';
    keys[`${c(list)}.ports`] = 'containerPort';
    keys[`${c(list)}.volumeMounts`] = 'mountPath';
    keys[`${c(list)}.volumeDevices`] = 'devicePath';
  }
  return keys;
}

/** Merge keys every object has. */
export const METADATA_MERGE_KEYS: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers#set': '',
  'status.conditions': 'type',
};
