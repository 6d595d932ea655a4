// Content negotiation for the Kubernetes REST API: which representation a
// client asked for in `Accept` (plain JSON/YAML, a server-side `Table`,
// `PartialObjectMetadata`, aggregated discovery), and how a request body is
// decoded from its `Content-Type` (JSON, YAML, the four patch flavours).
// Pure functions, no I/O: the HTTP layer passes header strings and buffers.
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../api/errors.js';
import { decodeKubeProtobuf, KUBE_PROTOBUF } from './kube-protobuf.js';
import type { PatchType } from './object-service.js';

export interface MediaRange {
  type: string; // e.g. application/json (lower case, no params)
  params: Record<string, string>;
  q: number;
}

/** Parse an Accept header into media ranges, highest preference first (stable for equal q). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {}, q: 1 }];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [rawType, ...rawParams] = part.split(';');
    const type = rawType.trim().toLowerCase();
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? n : 0;
      } else params[k] = v;
    }
    if (q > 0) out.push({ type, params, q });
  }
  // Stable sort by q, descending.
  return out.map((m, i) => ({ m, i })).sort((a, b) => b.m.q - a.m.q || a.i - b.i).map((x) => x.m);
}

export type ObjectFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1' };

const isJsonType = (t: string) => t === 'application/json' || t === 'application/*' || t === '*/*';
const isYamlType = (t: string) => t === 'application/yaml' || t === 'application/x-yaml' || t === 'text/yaml';

/**
 * Pick the response representation for an object endpoint. `allowTable`
 * is false where Kubernetes has no table conversion (subresources, writes).
 * Returns undefined when nothing acceptable is offered (→ 406).
 */
export function chooseObjectFormat(ranges: MediaRange[], allowTable: boolean): ObjectFormat | undefined {
  for (const r of ranges) {
    const as = r.params.as;
    if (as !== undefined) {
      if (r.type !== 'application/json' || r.params.g !== 'meta.k8s.io') continue;
      const version = r.params.v === 'v1beta1' ? 'v1beta1' : r.params.v === 'v1' ? 'v1' : undefined;
      if (!version) continue;
      if (as === 'Table' && allowTable) return { kind: 'table', version };
      if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && allowTable) return { kind: 'partial', version };
      continue;
    }
    if (isJsonType(r.type)) return { kind: 'json' };
    if (isYamlType(r.type)) return { kind: 'yaml' };
  }
  return undefined;
}

/** Aggregated discovery (`as=APIGroupDiscoveryList`, kubectl ≥ 1.26) if asked for before plain JSON. */
export function wantsAggregatedDiscovery(ranges: MediaRange[]): 'v2' | 'v2beta1' | undefined {
  for (const r of ranges) {
    if (r.params.as === 'APIGroupDiscoveryList' && r.params.g === 'apidiscovery.k8s.io' && r.type === 'application/json') {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
      continue;
    }
    if (r.params.as !== undefined) continue;
    if (isJsonType(r.type) || isYamlType(r.type)) return undefined;
  }
  return undefined;
}

/** True when the client accepts plain JSON for non-object documents (discovery, OpenAPI). */
export function acceptsJson(ranges: MediaRange[]): boolean {
  return ranges.some((r) => r.params.as === undefined && (isJsonType(r.type) || false));
}

export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const i = contentType.indexOf(';');
  return (i < 0 ? contentType : contentType.slice(0, i)).trim().toLowerCase();
}

const MAX_DEPTH = 100;

/**
 * Reject bodies nested deeper than Kubernetes objects ever are, and the
 * `__proto__` key (it would rewrite prototypes in the merge code below us).
 */
export function checkShape(v: unknown, depth = 0, path = ''): void {
  if (v === null || typeof v !== 'object') return;
  if (depth > MAX_DEPTH) throw badRequest(`the request body is nested deeper than ${MAX_DEPTH} levels (at ${path || 'the root'})`);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) checkShape(v[i], depth + 1, `${path}[${i}]`);
    return;
  }
  for (const k of Object.keys(v)) {
    if (k === '__proto__') throw badRequest(`the request body uses the reserved field name "__proto__" (at ${path || 'the root'})`);
    checkShape((v as Record<string, unknown>)[k], depth + 1, path ? `${path}.${k}` : k);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function parseYamlText(text: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw badRequest(`the request body is not valid YAML: ${msg}`);
  }
}

/**
 * Decode a create/update body: JSON, YAML (curl users), and Kubernetes
 * protobuf for built-in kinds (kubectl >= 1.32 typed clients). Not CBOR.
 */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): unknown {
  const mt = mediaTypeOf(contentType);
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty; expected a JSON or YAML object');
  let v: unknown;
  if (mt === 'application/json' || mt === '') {
    v = mt === '' && !/^\s*[{[]/.test(text) ? parseYamlText(text) : parseJson(text);
  } else if (isYamlType(mt)) v = parseYamlText(text);
  else if (mt === KUBE_PROTOBUF) v = decodeKubeProtobuf(body); // client-go >= 1.32 typed clients
  else
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${KUBE_PROTOBUF} (got Content-Type "${mt}")`,
    );
  checkShape(v);
  return v;
}

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Decode a PATCH body; the Content-Type names the patch flavour. */
export function decodePatchBody(body: Buffer, contentType: string | undefined): { type: PatchType; patch: unknown } {
  const mt = mediaTypeOf(contentType);
  const type = PATCH_CONTENT_TYPES[mt];
  if (!type)
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_CONTENT_TYPES).join(', ')} (got Content-Type "${mt || '<none>'}")`,
    );
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequest('the patch body is empty');
  const patch = type === 'apply' ? parseYamlText(text) : parseJson(text);
  checkShape(patch);
  return { type, patch };
}
