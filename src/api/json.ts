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
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}
