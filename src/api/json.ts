// Tiny helpers for JSON-shaped values (what the store, the API server and the CLI pass around):
// the plain-object guard and structural equality. One copy here, below every layer, so the
// API server, controllers, runtime and CLI agree on what "unchanged" means.
import { isDeepStrictEqual } from 'node:util';

/** A JSON object: not null, not an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Structural equality of JSON values; object keys whose value is `undefined` count as absent
 * (they vanish when serialised), key order does not matter, array order does.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Equality as on the wire: both sides through a JSON round trip first, so `{a: undefined}` equals
 * `{}`, `undefined` equals `null`, and an `undefined` array item equals `null`.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  // Reconcilers compare desired vs. existing children with this on every reconcile: walk
  // plain JSON directly, and take the round trip only for what the walk cannot decide.
  return jsonEqual(a, b) ?? isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}

/** `sameJson` for plain JSON values; undefined when a value needs JSON.stringify's rules (toJSON, NaN, functions …). */
function jsonEqual(a: unknown, b: unknown): boolean | undefined {
  if (a === undefined) a = null; // array items and the top level: undefined serialises as null
  if (b === undefined) b = null;
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' || tb === 'number') {
    if ((ta === 'number' && !Number.isFinite(a as number)) || (tb === 'number' && !Number.isFinite(b as number))) return undefined;
    return false;
  }
  if (ta !== 'object' || tb !== 'object') {
    // Unequal strings/booleans, or one against null or a plain container, differ;
    // functions, symbols, bigints and objects with toJSON need the real serialiser.
    const scalar = (t: string) => t === 'string' || t === 'boolean' || t === 'object';
    if (!scalar(ta) || !scalar(tb)) return undefined;
    if ((ta === 'object' && a !== null && !isPlainish(a)) || (tb === 'object' && b !== null && !isPlainish(b))) return undefined;
    return false;
  }
  if (a === null || b === null) return isPlainish(a === null ? b : a) ? false : undefined;
  const aa = Array.isArray(a);
  if (aa !== Array.isArray(b)) return isPlainish(a) && isPlainish(b) ? false : undefined;
  if (aa) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const r = jsonEqual(x[i], y[i]);
      if (r !== true) return r;
    }
    return true;
  }
  if (!isPlainish(a) || !isPlainish(b)) return undefined;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let nx = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue; // absent once serialised
    if (typeof v === 'function' || typeof v === 'symbol') return undefined;
    nx++;
    const w = y[k];
    if (w === undefined || !Object.prototype.hasOwnProperty.call(y, k)) return false;
    const r = jsonEqual(v, w);
    if (r !== true) return r;
  }
  let ny = 0;
  for (const k in y) {
    const w = y[k];
    if (w === undefined) continue;
    if (typeof w === 'function' || typeof w === 'symbol') return undefined;
    ny++;
  }
  return nx === ny;
}

/** Arrays and plain objects without toJSON: what the walk in jsonEqual handles. */
function isPlainish(v: unknown): boolean {
  if (Array.isArray(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
