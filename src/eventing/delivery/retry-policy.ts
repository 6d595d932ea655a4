// Which delivery responses are retried (Knative data-plane spec and `SelectiveRetry` in
// `pkg/kncloudevents/retries.go`): network errors, 404, 408, 409, 429 and 5xx are retried; 2xx is
// success; 1xx, 3xx and every other 4xx fail at once (then go to the dead-letter sink, if any).

export type ResponseClass = 'success' | 'retry' | 'fail';

/** Classify an HTTP status of a delivery attempt. A network error/timeout counts as 'retry'. */
export function classifyStatus(status: number): ResponseClass {
  if (status >= 200 && status <= 299) return 'success';
  if (status >= 500 || status === 404 || status === 408 || status === 409 || status === 429) return 'retry';
  return 'fail';
}

export function isRetryableStatus(status: number): boolean {
  return classifyStatus(status) === 'retry';
}
