// Test/benchmark support: runs a BrokerPlane behind an HTTP server in its own process, so tests can
// kill -9 it and benchmarks can keep the load generator and sink off its event loop.
//   node dist/src/eventing/broker/testing/broker-child.js '<json config>'
// Config: { dataDir, port?, brokers: [{ns, name, class, retention?, asyncHandler?}],
//           triggers: [{ns, broker, name, uid, subscriberUri, filter?: TriggerFilterSpec, ordering?}],
//           log?: {synchronous?, tailCacheEvents?}, window? }
// Prints `READY <port>` on stdout once listening; SIGTERM closes the plane cleanly.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileCesql, cesqlMatches } from '../../filter/cesql/index.js';
import { compileTriggerFilter, type TriggerFilterSpec } from '../../filter/subscriptions-api.js';
import type { RetentionPolicy } from '../../channel/log/event-log.js';
import type { DeliveryOrdering } from '../../channel/channel.js';
import { BrokerPlane, type BrokerClass } from '../broker-plane.js';

export interface BrokerChildConfig {
  dataDir: string;
  port?: number;
  brokers: Array<{ ns: string; name: string; class: BrokerClass; retention?: RetentionPolicy; asyncHandler?: boolean }>;
  triggers: Array<{ ns: string; broker: string; name: string; uid: string; subscriberUri: string; filter?: TriggerFilterSpec; ordering?: DeliveryOrdering }>;
  log?: { synchronous?: 'full' | 'normal'; tailCacheEvents?: number };
  window?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as BrokerChildConfig;
const plane = new BrokerPlane({ dataDir: config.dataDir, log: config.log, window: config.window });
const cesql = { compileCesql, cesqlMatches: cesqlMatches as never };
for (const b of config.brokers) {
  const opts: Parameters<BrokerPlane['upsertBroker']>[2] = { class: b.class };
  if (b.retention !== undefined) opts.retention = b.retention;
  if (b.asyncHandler !== undefined) opts.asyncHandler = b.asyncHandler;
  plane.upsertBroker(b.ns, b.name, opts);
}
for (const t of config.triggers) {
  const trigger: Parameters<BrokerPlane['upsertTrigger']>[2] = { name: t.name, uid: t.uid, subscriberUri: t.subscriberUri };
  if (t.filter !== undefined) trigger.filter = compileTriggerFilter(t.filter, cesql);
  if (t.ordering !== undefined) trigger.ordering = t.ordering;
  plane.upsertTrigger(t.ns, t.broker, trigger);
}
const server = createServer(plane.handler);
server.keepAliveTimeout = 60_000;
server.listen(config.port ?? 0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void plane.close().then(() => process.exit(0));
});
