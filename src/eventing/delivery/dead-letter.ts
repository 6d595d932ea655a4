// The event sent to a dead-letter sink: the original event plus Knative's error extensions
// (`pkg/kncloudevents/attributes/knative_error.go`):
//   knativeerrordest — URL of the destination that failed (subscriber or reply URL)
//   knativeerrorcode — HTTP status of the last attempt (Integer); 500 for a network error/timeout,
//                      as Knative's Go dispatcher reports
//   knativeerrordata — base64 of the last response body, at most 1,024 base64 characters. Like Go
//                      we truncate the base64 text, not the body; we do it by encoding only the
//                      first 768 body bytes, which gives exactly Go's first 1,024 characters and
//                      keeps the value decodable. For a network error the "body" is
//                      `dispatch error: <message>`, as in Go. Omitted when the body is empty
//                      (Go sets an empty string; an empty value carries no information).

import type { CloudEventRecord } from '../cloudevents/event.js';

export const KNATIVE_ERROR_DEST = 'knativeerrordest';
export const KNATIVE_ERROR_CODE = 'knativeerrorcode';
export const KNATIVE_ERROR_DATA = 'knativeerrordata';
export const KNATIVE_ERROR_DATA_MAX_LENGTH = 1024;

/** Body bytes whose base64 is exactly KNATIVE_ERROR_DATA_MAX_LENGTH characters. */
const MAX_BODY_BYTES = (KNATIVE_ERROR_DATA_MAX_LENGTH / 4) * 3;

/** Status reported for attempts that got no HTTP response. */
export const NO_RESPONSE_STATUS = 500;

/** Base64 of a response body truncated to 1,024 characters; undefined for an empty body. */
export function knativeErrorData(body: Uint8Array | string | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return bytes.subarray(0, MAX_BODY_BYTES).toString('base64');
}

export interface DeliveryFailure {
  /** URL of the destination that could not take the event. */
  destination: string;
  /** Last HTTP status; undefined when the last attempt got no response. */
  status?: number;
  /** Last response body. */
  body?: Uint8Array;
  /** Network error message when there was no response. */
  error?: string;
}

/** The original event with the knativeerror* extensions describing `failure`. */
export function makeDeadLetterEvent(event: CloudEventRecord, failure: DeliveryFailure): CloudEventRecord {
  const out: CloudEventRecord = { ...event };
  out[KNATIVE_ERROR_DEST] = failure.destination;
  out[KNATIVE_ERROR_CODE] = failure.status ?? NO_RESPONSE_STATUS;
  const body = failure.status === undefined ? `dispatch error: ${failure.error ?? 'no response'}` : failure.body;
  const data = knativeErrorData(body);
  if (data === undefined) delete out[KNATIVE_ERROR_DATA];
  else out[KNATIVE_ERROR_DATA] = data;
  return out;
}
