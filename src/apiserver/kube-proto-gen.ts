// Generator for kube-proto-schema.gen.ts: the protobuf wire layout (field
// numbers and types) of the built-in kinds Skiff serves, plus what JSON
// would carry for each field (name, Go pointer, omitempty, inline), read
// from Kubernetes' published generated.proto and types.go files. The wire
// format is the interface; no Kubernetes code is reused.
//
// Run (after `npm run build`), with files from k8s.io/api and k8s.io/apimachinery:
//   node dist/src/apiserver/kube-proto-gen.js \
//     core=core/v1/generated.proto:core/v1/types.go \
//     apps=apps/v1/generated.proto:apps/v1/types.go \
//     autoscaling=autoscaling/v1/generated.proto:autoscaling/v1/types.go \
//     meta=meta/v1/generated.proto:meta/v1/types.go \
//     intstr=intstr/generated.proto resource=resource/generated.proto runtime=runtime/generated.proto \
//     > src/apiserver/kube-proto-schema.gen.ts
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Root messages: what clients may send as request bodies for the kinds Skiff serves. */
export const ROOTS = [
  'core.ConfigMap',
  'core.Secret',
  'core.Namespace',
  'core.Service',
  'core.Endpoints',
  'core.Pod',
  'core.Event',
  'apps.Deployment',
  'apps.ReplicaSet',
  'autoscaling.Scale',
  'meta.DeleteOptions',
];

/** Messages with their own JSON form (RFC 3339 strings, int-or-string, quantities, raw JSON). */
const SPECIAL: Record<string, string> = {
  'meta.Time': 't',
  'meta.MicroTime': 'T',
  'meta.Duration': 'D',
  'intstr.IntOrString': 'I',
  'resource.Quantity': 'q',
  'runtime.RawExtension': 'r',
  'meta.FieldsV1': 'r',
};

const SCALARS: Record<string, string> = {
  string: 's',
  bytes: 'b',
  int32: 'i',
  int64: 'i',
  uint32: 'i',
  uint64: 'i',
  bool: 'B',
  double: 'd',
  float: 'f',
};

export const FLAG = { repeated: 1, map: 2, pointer: 4, omitempty: 8, inline: 16 } as const;

interface ProtoField {
  label: 'optional' | 'repeated' | 'map';
  type: string;
  name: string;
  num: number;
}

interface GoField {
  jsonName: string;
  pointer: boolean;
  omitempty: boolean;
  inline: boolean;
}

function parseProto(text: string): { pkg: string; messages: Map<string, ProtoField[]> } {
  const pkg = /^package ([\w.]+);/m.exec(text)![1];
  const src = text.replace(/\/\/.*$/gm, '');
  const messages = new Map<string, ProtoField[]>();
  for (const m of src.matchAll(/^message (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields: ProtoField[] = [];
    for (const f of m[2].matchAll(/(optional|repeated|map<\s*string\s*,\s*([\w.]+)\s*>)\s*([\w.]*)\s+(\w+)\s*=\s*(\d+);/g)) {
      if (f[1].startsWith('map')) fields.push({ label: 'map', type: f[2], name: f[4], num: Number(f[5]) });
      else fields.push({ label: f[1] as 'optional' | 'repeated', type: f[3], name: f[4], num: Number(f[5]) });
    }
    messages.set(m[1], fields);
  }
  return { pkg, messages };
}

/** Go struct fields by protobuf field number. */
function parseGo(text: string): Map<string, Map<number, GoField>> {
  const out = new Map<string, Map<number, GoField>>();
  for (const m of text.matchAll(/^type (\w+) struct \{([\s\S]*?)^\}/gm)) {
    const fields = new Map<number, GoField>();
    for (const line of m[2].split('\n')) {
      const tagStart = line.indexOf('`');
      if (tagStart < 0 || !line.includes('protobuf:"')) continue;
      const tag = line.slice(tagStart);
      const num = /protobuf:"\w+,(\d+),/.exec(tag);
      const json = /json:"([^"]*)"/.exec(tag);
      if (!num || !json || json[1] === '-') continue;
      const decl = line.slice(0, tagStart).trim().split(/\s+/);
      const goName = decl[0];
      const goType = decl.length > 1 ? decl[1] : decl[0];
      const [jsonName, ...opts] = json[1].split(',');
      const inline = opts.includes('inline');
      fields.set(Number(num[1]), { jsonName: jsonName || (inline ? '' : goName), pointer: goType.startsWith('*'), omitempty: opts.includes('omitempty'), inline });
    }
    out.set(m[1], fields);
  }
  return out;
}

export function generate(inputs: Record<string, { proto: string; go?: string }>): string {
  const pkgAlias = new Map<string, string>();
  const messages = new Map<string, ProtoField[]>(); // alias.Name -> fields
  const goInfo = new Map<string, Map<number, GoField>>();
  for (const [alias, { proto, go }] of Object.entries(inputs)) {
    const p = parseProto(proto);
    pkgAlias.set(p.pkg, alias);
    for (const [name, fields] of p.messages) messages.set(`${alias}.${name}`, fields);
    if (go) for (const [name, fields] of parseGo(go)) goInfo.set(`${alias}.${name}`, fields);
  }
  const resolve = (t: string, ownAlias: string): string => {
    if (SCALARS[t]) return SCALARS[t];
    const bare = t.replace(/^\./, '');
    const dot = bare.lastIndexOf('.');
    const full = dot < 0 ? `${ownAlias}.${bare}` : `${pkgAlias.get(bare.slice(0, dot)) ?? bare.slice(0, dot)}.${bare.slice(dot + 1)}`;
    if (SPECIAL[full]) return SPECIAL[full];
    if (!messages.has(full)) throw new Error(`unresolved message type ${t} (from ${ownAlias})`);
    return full;
  };
  const rows: string[] = [];
  const seen = new Set<string>();
  const stack = [...ROOTS];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const fields = messages.get(name);
    if (!fields) throw new Error(`unknown root/message ${name}`);
    const alias = name.slice(0, name.indexOf('.'));
    const go = goInfo.get(name);
    const cells = fields.map((f) => {
      const type = resolve(f.type, alias);
      if (type.includes('.')) stack.push(type);
      const g = go?.get(f.num);
      let flags = f.label === 'repeated' ? FLAG.repeated : f.label === 'map' ? FLAG.map : 0;
      // Without Go information, emit whatever is on the wire (as a pointer would).
      if (!g || g.pointer) flags |= FLAG.pointer;
      if (g?.omitempty) flags |= FLAG.omitempty;
      if (g?.inline) flags |= FLAG.inline;
      return `[${f.num},${JSON.stringify(g ? g.jsonName : f.name)},${JSON.stringify(type)},${flags}]`;
    });
    rows.push(`  ${JSON.stringify(name)}: [${cells.join(',')}],`);
  }
  rows.sort();
  return [
    '// GENERATED by src/apiserver/kube-proto-gen.ts from Kubernetes v1.32 generated.proto and',
    '// types.go (k8s.io/api, k8s.io/apimachinery). Do not edit; regenerate instead.',
    '// message -> fields: [number, jsonName, type, flags]. Types: s string, b bytes, i integer,',
    '// B bool, d/f double/float, t Time, T MicroTime, D Duration, I IntOrString, q Quantity,',
    '// r raw JSON, or a message name. Flags: 1 repeated, 2 map (string keys), 4 Go pointer',
    '// (emit when present), 8 omitempty, 16 inline (fields merge into the parent).',
    'export type KubeProtoField = [number, string, string, number];',
    'export const KUBE_PROTO_MESSAGES: Record<string, KubeProtoField[]> = {',
    ...rows,
    '};',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const inputs: Record<string, { proto: string; go?: string }> = {};
  for (const arg of process.argv.slice(2)) {
    const [alias, files] = arg.split('=');
    const [proto, go] = files.split(':');
    inputs[alias] = { proto: readFileSync(proto, 'utf8'), go: go ? readFileSync(go, 'utf8') : undefined };
  }
  process.stdout.write(generate(inputs));
}
