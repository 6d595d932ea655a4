// Public surface of the KPA autoscaler maths (config, annotations, windows,
// decider, KPA reconciler decisions, HPA). Everything here is pure.
export * from './errors.js';
export * from '../../api/go-syntax.js';
export * from './config.js';
export * from './annotations.js';
export * from './bucketing.js';
export * from './decider.js';
export * from './scaler.js';
export * from './hpa.js';
