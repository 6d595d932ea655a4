// Public surface of the dispatcher: delivering one event to one subscriber (subscriber → reply →
// dead-letter sink) and the contiguous-commit tracker used by windowed consumers.

export * from './subscriber.js';
export * from './commit-window.js';
