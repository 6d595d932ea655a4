// The transformation of Knative's `appender` test image (knative/eventing cmd/appender), pure:
// decode the event data into the payload {id: int, message: string} the way Go's json.Unmarshal
// does (keys matched case-insensitively, unknown keys dropped, wrong types rejected), append
// $MESSAGE to message, and encode it back as Go's json.Marshal would: {"id":N,"message":"..."}.
import { mediaTypeOf } from '../lib/cloudevents.cjs';
import { goJsonString } from '../lib/go-compat.cjs';

/** The appender's default when MESSAGE is unset (from the Go image). */
export const DEFAULT_APPENDER_MESSAGE = 'boring default msg, change me with env[MESSAGE]';

export interface AppenderPayload {
  id: number;
  message: string;
}

export type DecodeResult = { ok: true; payload: AppenderPayload } | { ok: false; error: string };

/** Media types whose data the Go SDK's DataAs decodes as JSON ("" included, as Go assumes JSON). */
function decodesAsJson(mediaType: string): boolean {
  return mediaType === '' || mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}

/** `event.DataAs(&payload)` for the appender's payload type. */
export function decodeAppenderPayload(data: Buffer | undefined, datacontenttype: string | undefined): DecodeResult {
  const payload: AppenderPayload = { id: 0, message: '' };
  if (data === undefined || data.length === 0) return { ok: true, payload };
  const mediaType = mediaTypeOf(datacontenttype);
  if (!decodesAsJson(mediaType)) {
    return { ok: false, error: `[decode] unsupported content type: ${JSON.stringify(mediaType)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `[json] found bytes "${data.toString('utf8')}", but failed to unmarshal: ${(err as Error).message}` };
  }
  if (parsed === null) return { ok: true, payload };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'array' : typeof parsed;
    return { ok: false, error: `json: cannot unmarshal ${kind} into Go value of type main.payload` };
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field = key.toLowerCase();
    if (field === 'id') {
      if (value === null) continue;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        const kind = typeof value === 'number' ? `number ${value}` : Array.isArray(value) ? 'array' : typeof value;
        return { ok: false, error: `json: cannot unmarshal ${kind} into Go struct field payload.id of type int` };
      }
      payload.id = value;
    } else if (field === 'message') {
      if (value === null) continue;
      if (typeof value !== 'string') {
        const kind = Array.isArray(value) ? 'array' : typeof value;
        return { ok: false, error: `json: cannot unmarshal ${kind} into Go struct field payload.message of type string` };
      }
      payload.message = value;
    }
  }
  return { ok: true, payload };
}

/** Go's json.Marshal of the payload struct. */
export function encodeAppenderPayload(p: AppenderPayload): string {
  return `{"id":${p.id},"message":${goJsonString(p.message)}}`;
}

/** Go's `%+v` of *payload, used in the appender's log lines. */
export function describePayload(p: AppenderPayload): string {
  return `&{Sequence:${p.id} Message:${p.message}}`;
}
