// Conversion between our CloudEventRecord and the `cloudevents` SDK's CloudEvent class, for code
// (samples, user functions) that prefers the SDK API. Kept out of the hot path: the SDK class
// validates with Ajv on construction and is loaded only by modules that import this file.

import { CloudEvent } from 'cloudevents';
import type { CloudEventRecord, CloudEventValidationOptions } from './event.js';
import { fromJsonFormat } from './json-format.js';

/**
 * Our record as an SDK CloudEvent (non-strict construction; bytes become the SDK's binary data).
 * Note the SDK fills in `time` with the current time when the record has none.
 */
export function toSdkCloudEvent(event: CloudEventRecord): CloudEvent<unknown> {
  const attrs: Record<string, unknown> = {};
  for (const name in event) if (event[name] !== undefined) attrs[name] = event[name];
  return new CloudEvent(attrs, false);
}

/** An SDK CloudEvent as our record, validated by our rules (throws CloudEventParseError). */
export function fromSdkCloudEvent(event: CloudEvent<unknown>, options?: CloudEventValidationOptions): CloudEventRecord {
  return fromJsonFormat(event.toJSON(), options);
}
