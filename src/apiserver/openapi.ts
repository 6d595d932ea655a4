// OpenAPI documents for kubectl, generated from the ResourceRegistry:
// `/openapi/v3` (root index) + `/openapi/v3/<api|apis/g>/<v>` (one document
// per group/version) and `/openapi/v2` (JSON only). Also the unknown-field
// check behind `?fieldValidation=Strict|Warn`.
//
// What kubectl does with them (kubectl 1.32, read from its source):
// - `kubectl apply/create/replace` default to `--validate=strict`. They look
//   in the v3 document for the kind's PATCH operation (matched by
//   `x-kubernetes-group-version-kind`) and, finding a `fieldValidation` query
//   parameter, leave validation to the server. So every PATCH operation lists it.
// - Client-side apply builds a strategic merge patch from the v3 schema only
//   when the PATCH operation accepts `application/strategic-merge-patch+json`.
//   We deliberately do NOT advertise it: kubectl would then need a complete
//   schema for every field it diffs ("unable to find api field"), which a
//   permissive schema cannot give. Without it kubectl falls back to its
//   compiled-in Go types for core kinds (exact Kubernetes merge keys) and to
//   JSON merge patch for everything else — what it does for CRDs on a real
//   cluster. The server still accepts strategic merge patches for every kind.
// - kubectl only reads `/openapi/v2` as protobuf (gnostic's openapi_v2
//   Document). kubectl >= 1.29 copes with a 406; 1.27/1.28 build their
//   validator from it eagerly and fail without it. So protobuf-only clients get
//   a minimal valid Document (swagger + info, no paths or definitions): enough
//   to construct the validator, while field validation itself goes to the
//   server via the v3 document above. JSON clients get the full v2 document.
import { createHash } from 'node:crypto';
import { KUBE_COMPAT } from '../api/version.js';
import { apiVersionOf, grOf, type ResourceRegistry, type ResourceType } from '../api/registry.js';
import { kindsAt, servesVersion, verbsOf } from './discovery.js';
import { coreKindSchema, genericKindSchema, META, metaSchemas, open, ref, type JsonSchema } from './openapi-schemas.js';
import { isPlainObject } from '../api/json.js';

export type { JsonSchema };

/** Supplies a full schema for a kind (e.g. Knative types); undefined = use the built-in or permissive one. */
export type SchemaSource = (t: ResourceType) => JsonSchema | undefined;

/** `serving.knative.dev` → `dev.knative.serving`; core → `io.k8s.api.core`; `apps` → `io.k8s.api.apps`. */
export function schemaPrefix(group: string): string {
  if (!group) return 'io.k8s.api.core';
  if (!group.includes('.')) return `io.k8s.api.${group}`;
  return group.split('.').reverse().join('.');
}

export function schemaName(t: ResourceType, version: string): string {
  return `${schemaPrefix(t.group)}.${version}.${t.kind}`;
}


/**
 * Put the registry's strategic-merge keys into a schema as
 * `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy` (and the
 * matching list-type markers), creating permissive nodes along the path.
 */
export function overlayMergeKeys(schema: JsonSchema, mergeKeys: Record<string, string>): void {
  for (const [rawPath, key] of Object.entries(mergeKeys)) {
    const isSet = rawPath.endsWith('#set');
    const path = isSet ? rawPath.slice(0, -4) : rawPath;
    if (path.startsWith('metadata.')) continue; // ObjectMeta is a shared, already-annotated definition
    let node: JsonSchema | undefined = schema;
    const parts = path.split('.');
    for (let i = 0; i < parts.length && node; i++) {
      let name = parts[i];
      const intoItems = name.endsWith('[]');
      if (intoItems) name = name.slice(0, -2);
      if (node.$ref || node.allOf) {
        node = undefined; // shared definition: leave it alone
        break;
      }
      const props: Record<string, JsonSchema> = isPlainObject(node.properties) ? (node.properties as Record<string, JsonSchema>) : (node.properties = {});
      let child: JsonSchema | undefined = props[name];
      const last = i === parts.length - 1;
      if (!child) child = props[name] = last || intoItems ? { type: 'array', items: open('') } : open('');
      if (intoItems) {
        if (!isPlainObject(child.items)) child.items = open('');
        node = child.items as JsonSchema;
      } else node = child;
    }
    if (!node || node.$ref || node.allOf) continue;
    node.type = 'array';
    if (!isPlainObject(node.items)) node.items = isSet ? { type: 'string' } : open('');
    node['x-kubernetes-patch-strategy'] = 'merge';
    if (isSet) node['x-kubernetes-list-type'] = 'set';
    else {
      node['x-kubernetes-patch-merge-key'] = key;
      node['x-kubernetes-list-type'] = 'map';
      node['x-kubernetes-list-map-keys'] = [key];
    }
  }
}

// ---------------------------------------------------------------- operations

const q = (name: string, description: string, type = 'string'): JsonSchema => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const P = {
  pretty: q('pretty', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. Valid value: All.'),
  fieldManager: q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: q('fieldValidation', 'Ignore, Warn (default) or Strict: how the server handles unknown or duplicate fields in the request body.'),
  force: q('force', 'Force is going to "force" Apply requests.', 'boolean'),
  labelSelector: q('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: q('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  limit: q('limit', 'limit is a maximum number of responses to return for a list call (ignored: Skiff returns complete lists).', 'integer'),
  continue: q('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: q('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: q('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  sendInitialEvents: q('sendInitialEvents', 'Start the watch stream with synthetic events for the current state.', 'boolean'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  propagationPolicy: q('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  container: q('container', 'The container for which to stream logs. Defaults to only container if there is one container in the pod.'),
  follow: q('follow', 'Follow the log stream of the pod.', 'boolean'),
  previous: q('previous', 'Return previous terminated container logs.', 'boolean'),
  tailLines: q('tailLines', 'If set, the number of lines from the end of the logs to show.', 'integer'),
  sinceSeconds: q('sinceSeconds', 'A relative time in seconds before the current time from which to show logs.', 'integer'),
  timestamps: q('timestamps', 'If true, add an RFC3339 timestamp at the beginning of every line of log output.', 'boolean'),
};
const pathParam = (name: string, description: string): JsonSchema => ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });

const JSON_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

interface OpSpec {
  action: string;
  description: string;
  operationId: string;
  params: JsonSchema[];
  body?: { schema: JsonSchema; types: string[] };
  response: JsonSchema;
  gvk: { group: string; version: string; kind: string };
  codes?: string[];
}

function opV3(tag: string, o: OpSpec): JsonSchema {
  const content = (schema: JsonSchema) => Object.fromEntries(JSON_TYPES.map((t) => [t, { schema }]));
  const responses: Record<string, JsonSchema> = {};
  for (const c of o.codes ?? ['200']) responses[c] = { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: content(o.response) };
  responses['401'] = { description: 'Unauthorized' };
  return {
    tags: [tag],
    description: o.description,
    operationId: o.operationId,
    parameters: o.params,
    ...(o.body ? { requestBody: { content: Object.fromEntries(o.body.types.map((t) => [t, { schema: o.body!.schema }])), required: true } } : {}),
    responses,
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': o.gvk,
  };
}

const pascal = (s: string) => s.replace(/(^|[.-])(\w)/g, (_m, _s, c: string) => c.toUpperCase());

interface GvDoc {
  doc: JsonSchema;
  hash: string;
}

export class OpenApiBuilder {
  private cacheKey = -1;
  private v3 = new Map<string, GvDoc>();
  private v2?: JsonSchema;
  private readonly kindSchemas = new Map<string, JsonSchema>();

  constructor(
    private readonly reg: ResourceRegistry,
    private readonly source?: SchemaSource,
  ) {}

  /** Registry contents only grow, so the number of kinds keys every cache. */
  private refresh(): void {
    const n = this.reg.all().length;
    if (n === this.cacheKey) return;
    this.cacheKey = n;
    this.v3.clear();
    this.v2 = undefined;
    this.kindSchemas.clear();
  }

  /** The kind's object schema (v3 refs), with merge keys and GVK extension. */
  kindSchema(t: ResourceType, version = t.version): JsonSchema {
    this.refresh();
    const key = `${grOf(t)}@${version}`;
    let s = this.kindSchemas.get(key);
    if (s) return s;
    const provided = this.source?.(t);
    s = structuredClone(provided ?? coreKindSchema(grOf(t)) ?? genericKindSchema(t.kind, apiVersionOf({ group: t.group, version })));
    overlayMergeKeys(s, t.mergeKeys ?? {});
    s['x-kubernetes-group-version-kind'] = [{ group: t.group, kind: t.kind, version }];
    this.kindSchemas.set(key, s);
    return s;
  }

  /** `/openapi/v3` index: one entry per served group/version. */
  v3Root(): JsonSchema {
    this.refresh();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const group of [...this.reg.groups()].sort())
      for (const version of this.reg.groupVersions(group)) {
        const p = group ? `apis/${group}/${version}` : `api/${version}`;
        const d = this.v3Doc(group, version)!;
        paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
      }
    return { paths };
  }

  /** One group/version document, or undefined when not served. */
  v3Doc(group: string, version: string): GvDoc | undefined {
    this.refresh();
    const key = `${group}/${version}`;
    const hit = this.v3.get(key);
    if (hit) return hit;
    const kinds = kindsAt(this.reg, group, version);
    if (!kinds.length) return undefined;
    const schemas: Record<string, JsonSchema> = metaSchemas();
    const paths: Record<string, JsonSchema> = {};
    const tag = `${group ? pascal(group.split('.')[0]) : 'core'}_${version}`;
    for (const t of kinds) {
      const name = schemaName(t, version);
      schemas[name] = this.kindSchema(t, version);
      schemas[`${name}List`] = {
        type: 'object',
        description: `${t.kind}List is a list of ${t.kind}.`,
        required: ['items'],
        properties: {
          apiVersion: { type: 'string', description: 'APIVersion' },
          kind: { type: 'string', description: 'Kind' },
          metadata: { description: 'Standard list metadata.', default: {}, allOf: [ref(`${META}.ListMeta`)] },
          items: { type: 'array', description: `List of ${t.plural}.`, items: { default: {}, allOf: [ref(name)] } },
        },
        'x-kubernetes-group-version-kind': [{ group: t.group, kind: `${t.kind}List`, version }],
      };
      Object.assign(paths, this.kindPaths(t, version, tag, name));
    }
    const doc = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: KUBE_COMPAT.gitVersion },
      paths,
      components: { schemas },
    };
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    const out = { doc, hash };
    this.v3.set(key, out);
    return out;
  }

  private kindPaths(t: ResourceType, version: string, tag: string, name: string): Record<string, JsonSchema> {
    const base = t.group ? `/apis/${t.group}/${version}` : `/api/${version}`;
    const gvk = { group: t.group, version, kind: t.kind };
    const kindRef = ref(name);
    const listRef = ref(`${name}List`);
    const statusRef = ref(`${META}.Status`);
    const verbs = new Set(verbsOf(t));
    const scope = t.namespaced ? 'Namespaced' : '';
    const opBase = `${pascal(t.group ? t.group.split('.')[0] : 'core')}${pascal(version)}`;
    const id = (verb: string, suffix = '') => `${verb}${opBase}${scope}${t.kind}${suffix}`;
    const collection = t.namespaced ? `${base}/namespaces/{namespace}/${t.plural}` : `${base}/${t.plural}`;
    const item = `${collection}/{name}`;
    const nsParam = t.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
    const nameParam = pathParam('name', `name of the ${t.kind}`);
    const listParams = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.sendInitialEvents, P.timeoutSeconds, P.watch];
    const out: Record<string, JsonSchema> = {};

    const coll: JsonSchema = { parameters: [...nsParam, P.pretty] };
    if (verbs.has('list')) coll.get = opV3(tag, { action: 'list', description: `list or watch objects of kind ${t.kind}`, operationId: id('list'), params: listParams, response: listRef, gvk });
    if (verbs.has('create'))
      coll.post = opV3(tag, { action: 'post', description: `create a ${t.kind}`, operationId: id('create'), params: [P.dryRun, P.fieldManager, P.fieldValidation], body: { schema: kindRef, types: ['*/*'] }, response: kindRef, gvk, codes: ['200', '201', '202'] });
    if (verbs.has('deletecollection'))
      coll.delete = opV3(tag, { action: 'deletecollection', description: `delete collection of ${t.kind}`, operationId: id('deleteCollection'), params: [P.dryRun, P.fieldSelector, P.labelSelector, P.gracePeriodSeconds, P.propagationPolicy], body: { schema: ref(`${META}.DeleteOptions`), types: ['*/*'] }, response: statusRef, gvk });
    out[collection] = coll;

    const obj: JsonSchema = { parameters: [nameParam, ...nsParam, P.pretty] };
    if (verbs.has('get')) obj.get = opV3(tag, { action: 'get', description: `read the specified ${t.kind}`, operationId: id('read'), params: [], response: kindRef, gvk });
    if (verbs.has('update'))
      obj.put = opV3(tag, { action: 'put', description: `replace the specified ${t.kind}`, operationId: id('replace'), params: [P.dryRun, P.fieldManager, P.fieldValidation], body: { schema: kindRef, types: ['*/*'] }, response: kindRef, gvk, codes: ['200', '201'] });
    if (verbs.has('patch'))
      obj.patch = opV3(tag, { action: 'patch', description: `partially update the specified ${t.kind}`, operationId: id('patch'), params: [P.dryRun, P.fieldManager, P.fieldValidation, P.force], body: { schema: ref(`${META}.Patch`), types: PATCH_TYPES }, response: kindRef, gvk, codes: ['200', '201'] });
    if (verbs.has('delete'))
      obj.delete = opV3(tag, { action: 'delete', description: `delete a ${t.kind}`, operationId: id('delete'), params: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy], body: { schema: ref(`${META}.DeleteOptions`), types: ['*/*'] }, response: statusRef, gvk, codes: ['200', '202'] });
    out[item] = obj;

    if (t.namespaced && verbs.has('list'))
      out[`${base}/${t.plural}`] = {
        parameters: [P.pretty],
        get: opV3(tag, { action: 'list', description: `list or watch objects of kind ${t.kind} in all namespaces`, operationId: id('list', 'ForAllNamespaces').replace('Namespaced', ''), params: listParams, response: listRef, gvk }),
      };

    const sub = (subName: string, response: JsonSchema, subGvk: OpSpec['gvk'], what: string): JsonSchema => ({
      parameters: [nameParam, ...nsParam, P.pretty],
      get: opV3(tag, { action: 'get', description: `read ${what} of the specified ${t.kind}`, operationId: id('read', subName), params: [], response, gvk: subGvk }),
      put: opV3(tag, { action: 'put', description: `replace ${what} of the specified ${t.kind}`, operationId: id('replace', subName), params: [P.dryRun, P.fieldManager, P.fieldValidation], body: { schema: response, types: ['*/*'] }, response, gvk: subGvk }),
      patch: opV3(tag, { action: 'patch', description: `partially update ${what} of the specified ${t.kind}`, operationId: id('patch', subName), params: [P.dryRun, P.fieldManager, P.fieldValidation, P.force], body: { schema: ref(`${META}.Patch`), types: PATCH_TYPES }, response, gvk: subGvk }),
    });
    if (t.subresources?.status) out[`${item}/status`] = sub('Status', kindRef, gvk, 'status');
    if (t.subresources?.scale) out[`${item}/scale`] = sub('Scale', ref('io.k8s.api.autoscaling.v1.Scale'), { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'scale');
    if (t.subresources?.log)
      out[`${item}/log`] = {
        parameters: [nameParam, ...nsParam, P.container, P.follow, P.previous, P.sinceSeconds, P.tailLines, P.timestamps, P.pretty],
        get: {
          tags: [tag],
          description: `read log of the specified ${t.kind}`,
          operationId: id('read', 'Log'),
          responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } },
          'x-kubernetes-action': 'get',
          'x-kubernetes-group-version-kind': gvk,
        },
      };
    return out;
  }

  /** Swagger 2.0 document (JSON) over every served group/version. */
  v2Doc(): JsonSchema {
    this.refresh();
    if (this.v2) return this.v2;
    const definitions: Record<string, unknown> = {};
    const paths: Record<string, unknown> = {};
    for (const group of [...this.reg.groups()].sort())
      for (const version of this.reg.groupVersions(group)) {
        const d = this.v3Doc(group, version)!.doc as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
        Object.assign(definitions, d.components.schemas);
        for (const [p, item] of Object.entries(d.paths)) {
          const converted: Record<string, unknown> = {};
          for (const [method, op] of Object.entries(item)) {
            if (method === 'parameters') {
              converted.parameters = (op as JsonSchema[]).map(v2Param);
              continue;
            }
            const o = op as Record<string, unknown>;
            const rb = o.requestBody as { content: Record<string, { schema: unknown }> } | undefined;
            const resp = o.responses as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
            converted[method] = {
              ...Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'requestBody' && k !== 'responses' && k !== 'parameters')),
              consumes: rb ? Object.keys(rb.content) : ['*/*'],
              produces: ['application/json', 'application/yaml'],
              schemes: ['https'],
              parameters: [
                ...((o.parameters as JsonSchema[] | undefined) ?? []).map(v2Param),
                ...(rb ? [{ name: 'body', in: 'body', required: true, schema: Object.values(rb.content)[0].schema }] : []),
              ],
              responses: Object.fromEntries(
                Object.entries(resp).map(([code, r]) => [code, { description: r.description, ...(r.content ? { schema: Object.values(r.content)[0].schema } : {}) }]),
              ),
            };
          }
          paths[p] = converted;
        }
      }
    const doc = { swagger: '2.0', info: { title: 'Kubernetes', version: KUBE_COMPAT.gitVersion }, paths, definitions };
    this.v2 = JSON.parse(JSON.stringify(doc).replaceAll('#/components/schemas/', '#/definitions/')) as JsonSchema;
    return this.v2;
  }

  // ---------------------------------------------------------------- field validation

  /**
   * Paths of fields the kind's schema does not know (`spec.replicaz`),
   * skipping strategic-merge directives (`$patch`, `$setElementOrder/...`).
   * Nodes marked `x-kubernetes-preserve-unknown-fields` accept anything.
   */
  unknownFields(t: ResourceType, version: string, body: unknown, limit = 20): string[] {
    const schema = this.kindSchema(t, servesVersion(t, version) ? version : t.version);
    const defs = metaDefs();
    const out: string[] = [];
    walkUnknown(schema, body, '', defs, out, limit);
    return out;
  }
}

/** What clients put in Accept (the `@` form is what client-go sends) ... */
export const OPENAPI_V2_PROTOBUF_ACCEPT = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
/** ... and what the server answers with: Go's mime parser rejects `@`, so the dotted form. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Protobuf encoding of `Document{swagger: "2.0", info: {title, version}, paths: {}}` (gnostic OpenAPIv2.proto). */
export function minimalOpenApiV2Protobuf(): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const field = (num: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([...varint((num << 3) | 2), ...varint(payload.length)]), payload]);
  const str = (num: number, s: string) => field(num, Buffer.from(s, 'utf8'));
  const info = Buffer.concat([str(1, 'Kubernetes'), str(2, KUBE_COMPAT.gitVersion)]);
  return Buffer.concat([str(1, '2.0'), field(2, info), field(8, Buffer.alloc(0))]);
}

let metaDefsCache: Record<string, JsonSchema> | undefined;
function metaDefs(): Record<string, JsonSchema> {
  return (metaDefsCache ??= metaSchemas());
}

function v2Param(p: JsonSchema): JsonSchema {
  const { schema, ...rest } = p as { schema?: { type?: string } };
  return { ...rest, type: schema?.type ?? 'string', uniqueItems: true };
}

function resolve(s: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema | undefined {
  let cur: JsonSchema | undefined = s;
  for (let i = 0; i < 5 && cur; i++) {
    if (Array.isArray(cur.allOf) && cur.allOf.length) cur = cur.allOf[0] as JsonSchema;
    else if (typeof cur.$ref === 'string') cur = defs[cur.$ref.replace(/^#\/(components\/schemas|definitions)\//, '')];
    else return cur;
  }
  return cur;
}

function walkUnknown(schemaIn: JsonSchema, v: unknown, path: string, defs: Record<string, JsonSchema>, out: string[], limit: number): void {
  if (out.length >= limit || v === null || typeof v !== 'object') return;
  const schema = resolve(schemaIn, defs);
  if (!schema) return;
  if (Array.isArray(v)) {
    if (isPlainObject(schema.items)) v.forEach((x, i) => walkUnknown(schema.items as JsonSchema, x, `${path}[${i}]`, defs, out, limit));
    return;
  }
  const props = isPlainObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : undefined;
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    if (k.startsWith('$')) continue; // strategic merge patch directives
    const p = path ? `${path}.${k}` : k;
    if (props && props[k]) walkUnknown(props[k], child, p, defs, out, limit);
    else if (isPlainObject(additional)) walkUnknown(additional as JsonSchema, child, p, defs, out, limit);
    else if (!preserve && additional !== true && props) out.push(p);
    if (out.length >= limit) return;
  }
}
