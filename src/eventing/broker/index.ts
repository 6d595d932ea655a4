// Public surface of the broker data plane: BrokerPlane (what broker/trigger controllers drive), the
// class names, and the TTL helpers. Test support lives in `testing/` and is not exported.

export * from './broker-plane.js';
export * from './ttl.js';
