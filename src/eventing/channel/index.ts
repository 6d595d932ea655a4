// Public surface of the channel layer: the ChannelBackend interface, the in-memory and durable log
// backends, the event log itself, and ChannelPlane (what channel/subscription controllers drive).
// The shared contract suite (`contract.ts`) imports node:test and is deliberately not exported.

export * from './channel.js';
export * from './channel-plane.js';
export * from './memory/memory-channel.js';
export * from './log/event-log.js';
export * from './log/log-channel.js';
