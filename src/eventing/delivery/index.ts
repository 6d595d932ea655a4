// Public surface of the delivery package: DeliverySpec → DeliveryPolicy, deliverWithRetry and the
// undici transport, plus the pieces (backoff, retry classification, dead-letter event) on their own.

export * from './duration.js';
export * from './backoff.js';
export * from './retry-policy.js';
export * from './dead-letter.js';
export * from './delivery-spec.js';
export * from './dispatcher.js';
export * from './http-sender.js';
