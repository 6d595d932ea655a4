// Reference system for the API benchmarks: only the HTTP API server (same
// registry, ObjectService and garbage collector as `skiff up`, no node agent,
// no controllers) over a memory store or a SQLite store, in its own process so
// that it does not share an event loop with the load generator. Started by
// lib.ts startBareApiServer():
//   node dist/bench/foundation/api-server-child.js memory
//   node dist/bench/foundation/api-server-child.js sqlite <data-dir>
// Prints `API http://127.0.0.1:<port>` when listening; SIGTERM stops it.
import { join } from 'node:path';
import { registerCoreKinds } from '../../src/api/core/kinds.js';
import { ResourceRegistry } from '../../src/api/registry.js';
import { GarbageCollector } from '../../src/apiserver/garbage-collector.js';
import { createApiServer } from '../../src/apiserver/http-server.js';
import { ObjectService } from '../../src/apiserver/object-service.js';
import { registerServing } from '../../src/serving/register.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const [kind, dataDir] = process.argv.slice(2);
if (kind !== 'memory' && !(kind === 'sqlite' && dataDir)) {
  process.stderr.write('usage: api-server-child.js memory | sqlite <data-dir>\n');
  process.exit(2);
}
const store: Store = kind === 'memory' ? new MemoryStore() : openSqliteStore(join(dataDir!, 'state.db'));
const registry = new ResourceRegistry();
registerCoreKinds(registry);
registerServing(registry);
const svc = new ObjectService(store, registry);
svc.bootstrap();
const gc = new GarbageCollector(svc);
gc.start();
const api = createApiServer({ svc });
const port = await api.listen(0, '127.0.0.1');
process.stdout.write(`API http://127.0.0.1:${port}\n`);

const stop = async () => {
  await api.close();
  gc.stop();
  store.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
