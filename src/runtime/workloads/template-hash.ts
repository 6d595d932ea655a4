// Names and identity of ReplicaSets a Deployment owns (pure): the
// `pod-template-hash` — FNV-1a (32 bit) over a canonical JSON rendering of the
// pod template (plus the collision count, when there has been a collision),
// written as Kubernetes does: the decimal digits mapped onto the
// vowel-free alphabet, at most 10 characters — and template equality that
// ignores that label.
import type { KObject } from '../../api/meta.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, undefined members dropped: equal values give equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Kubernetes' rand.SafeEncodeString: each character mapped onto an alphabet without vowels (no accidental words). */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

function withoutHashLabel(template: any): any {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  return t;
}

export function podTemplateHash(template: any, collisionCount?: number): string {
  let text = canonicalJson(withoutHashLabel(template));
  if (collisionCount) text += `#${collisionCount}`;
  return safeEncode(String(fnv1a32(text)));
}

export function templatesEqualIgnoringHash(a: any, b: any): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

export function replicaSetNameFor(deployment: KObject, hash: string): string {
  return `${deployment.metadata.name}-${hash}`;
}
