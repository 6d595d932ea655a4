// Building the CloudEvent `event send` / `event build` send (kn-plugin-event's
// builder): attributes from flags (type, source, id, time, subject,
// extensions), data from `--data` (JSON when it parses as JSON, else text) or
// from `--field path=value` (typed: integers, decimals that print back the
// same, true/false) and `--raw-field path=value` (always strings) assembled
// into one JSON object along dotted paths. Pure: id and time come in.
import type { CloudEventRecord, JsonValue } from '../../../eventing/cloudevents/index.js';
import { CORE_ATTRIBUTES, isJsonMediaType, SPEC_VERSION, validateCloudEvent } from '../../../eventing/cloudevents/index.js';
import { KnError } from '../../knative-format.js';

export const DEFAULT_EVENT_TYPE = 'dev.knative.cli.plugin.event.generic';

export interface EventFlagValues {
  type: string;
  source: string;
  id: string;
  /** RFC 3339; '' = no time attribute. */
  time: string;
  subject?: string;
  data?: string;
  contentType?: string;
  fields: string[];
  rawFields: string[];
  extensions: string[];
}

function bad(flag: string, value: string, why: string): KnError {
  return new KnError(`invalid value '${value}' for '--${flag}': ${why}`, 'SKIFF_ERR_CLI_EVENT_INVALID');
}

/** `--field` values keep their JSON type when they have one (kn-plugin-event). */
export function typedFieldValue(raw: string): JsonValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) return n;
  }
  if (/^-?\d+\.\d+$/.test(raw) && String(Number(raw)) === raw) return Number(raw);
  return raw;
}

/** Put `value` at a dotted path (`player.id`) inside `root`; a path through a non-object is an error. */
function setPath(root: Record<string, JsonValue>, flag: string, spec: string, path: string, value: JsonValue): void {
  const keys = path.split('.');
  if (keys.some((k) => k === '')) throw bad(flag, spec, `'${path}' has an empty path segment`);
  let node: Record<string, JsonValue> = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    const next = node[k];
    if (next === undefined) node = node[k] = {};
    else if (next !== null && typeof next === 'object' && !Array.isArray(next)) node = next as Record<string, JsonValue>;
    else throw bad(flag, spec, `'${keys.slice(0, i + 1).join('.')}' is already set to a value, it cannot also hold '${keys.slice(i + 1).join('.')}'`);
  }
  const last = keys[keys.length - 1];
  if (node[last] !== undefined) throw bad(flag, spec, `'${path}' is given twice (or already holds fields)`);
  node[last] = value;
}

/** The JSON object `--field`/`--raw-field` describe (in the order given: fields, then raw fields). */
export function dataFromFields(fields: readonly string[], rawFields: readonly string[]): Record<string, JsonValue> {
  const root: Record<string, JsonValue> = {};
  const add = (flag: string, list: readonly string[], typed: boolean) => {
    for (const f of list) {
      const eq = f.indexOf('=');
      if (eq <= 0) throw bad(flag, f, eq === 0 ? 'the path is empty' : "expected PATH=VALUE (the '=' is missing)");
      const raw = f.slice(eq + 1);
      setPath(root, flag, f, f.slice(0, eq), typed ? typedFieldValue(raw) : raw);
    }
  };
  add('field', fields, true);
  add('raw-field', rawFields, false);
  return root;
}

export function buildEvent(v: EventFlagValues): CloudEventRecord {
  if (!v.type) throw bad('type', v.type, 'must not be empty');
  if (!v.source) throw bad('source', v.source, 'must not be empty');
  if (!v.id) throw bad('id', v.id, 'must not be empty');
  const hasFields = v.fields.length > 0 || v.rawFields.length > 0;
  if (v.data !== undefined && hasFields) throw new KnError("use either --data or --field/--raw-field, not both", 'SKIFF_ERR_CLI_EVENT_INVALID');
  const ev: CloudEventRecord = { specversion: SPEC_VERSION, id: v.id, source: v.source, type: v.type };
  if (v.subject) ev.subject = v.subject;
  if (v.time) ev.time = v.time;
  if (hasFields) {
    if (v.contentType && !isJsonMediaType(v.contentType)) throw bad('content-type', v.contentType, '--field/--raw-field build JSON data; the content type must be JSON');
    ev.datacontenttype = v.contentType || 'application/json';
    ev.data = dataFromFields(v.fields, v.rawFields);
  } else if (v.data !== undefined) {
    let parsed: { ok: true; value: JsonValue } | { ok: false } = { ok: false };
    try {
      parsed = { ok: true, value: JSON.parse(v.data) as JsonValue };
    } catch {
      parsed = { ok: false };
    }
    const ct = v.contentType;
    if (ct && isJsonMediaType(ct)) {
      if (!parsed.ok) throw bad('data', v.data, `not valid JSON, but --content-type is ${ct}`);
      ev.datacontenttype = ct;
      ev.data = parsed.value;
    } else if (ct) {
      ev.datacontenttype = ct;
      ev.data = v.data;
    } else if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null) {
      ev.datacontenttype = 'application/json';
      ev.data = parsed.value;
    } else {
      // Plain words (or a bare JSON scalar such as 42): sent as text.
      ev.datacontenttype = 'text/plain';
      ev.data = v.data;
    }
  }
  for (const e of v.extensions) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw bad('extension', e, "expected NAME=VALUE (the '=' is missing)");
    const name = e.slice(0, eq);
    if (CORE_ATTRIBUTES.has(name) || name === 'data') throw bad('extension', e, `'${name}' is a core attribute; use its own flag`);
    if (ev[name] !== undefined) throw bad('extension', e, `'${name}' is given twice`);
    ev[name] = e.slice(eq + 1);
  }
  const err = validateCloudEvent(ev);
  if (err) throw new KnError(`the event is not a valid CloudEvent: ${err.message}`, 'SKIFF_ERR_CLI_EVENT_INVALID');
  return ev;
}
