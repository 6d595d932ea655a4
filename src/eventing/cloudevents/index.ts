// Public surface of the CloudEvents package (record + validation, JSON format, HTTP binding,
// ingress helper). The SDK conversions live in `sdk-interop.ts` and are not re-exported, so
// importing this barrel does not load the `cloudevents` SDK.

export * from './event.js';
export * from './json-format.js';
export {
  type HttpHeadersInput,
  type HttpMessage,
  type HttpEventMode,
  STRUCTURED_JSON_CONTENT_TYPE,
  BATCH_JSON_CONTENT_TYPE,
  encodeHeaderValue,
  decodeHeaderValue,
  getHeader,
  detectHttpMode,
  parseHttpEvents,
  parseHttpEvent,
  toBinaryHttp,
  toStructuredHttp,
  toBatchHttp,
} from './http.js';
export * from './ingress.js';
