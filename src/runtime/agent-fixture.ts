// Test fixture (not part of Skiff): an embedded API on SQLite plus a
// NodeAgent in a process of its own, so orphan tests can SIGKILL "Skiff".
// Usage: node agent-fixture.js <dataDir> '<json list of pods to create>'
// Prints `READY {"<pod>": <first host port>, …}` once every pod is Running.
import { join } from 'node:path';
import { registerCoreKinds } from '../api/core/kinds.js';
import { ResourceRegistry } from '../api/registry.js';
import { GarbageCollector } from '../apiserver/garbage-collector.js';
import { ObjectService } from '../apiserver/object-service.js';
import { InProcessClient } from '../client/in-process-client.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { NodeAgent } from './agent.js';
import { parsePortMappings } from './process/ports.js';

const [dataDir, podsJson] = process.argv.slice(2);
const reg = new ResourceRegistry();
registerCoreKinds(reg);
const svc = new ObjectService(openSqliteStore(join(dataDir, 'state.db')), reg);
svc.bootstrap();
new GarbageCollector(svc).start();
const client = new InProcessClient(svc);
const agent = new NodeAgent({ client, dataDir, backoff: { initialMs: 100 }, probePeriodMs: 50 });
await agent.start();
const pods = JSON.parse(podsJson ?? '[]');
for (const p of pods) await client.create('core/pods', p);
const timer = setInterval(async () => {
  const out: Record<string, number | undefined> = {};
  for (const p of pods) {
    const cur = await client.get('core/pods', 'default', p.metadata.name);
    if (cur?.status?.phase !== 'Running') return;
    out[p.metadata.name] = parsePortMappings(cur)?.[0]?.hostPort;
  }
  clearInterval(timer);
  process.stdout.write(`READY ${JSON.stringify(out)}\n`);
}, 20);
