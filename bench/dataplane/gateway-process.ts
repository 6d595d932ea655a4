// The gateway on the main thread of its own process (no worker), with one
// Serve-mode revision in front of UPSTREAM_PORT, for benchmarks that read a
// proxy's CPU time from /proc or profile it (`node --cpu-prof`).
//   PORT=0 UPSTREAM_PORT=8080 [MODE=Proxy] node dist/bench/dataplane/gateway-process.js
import { runDataPlane } from '../../src/serving/dataplane/worker.js';
import type { MainToWorker, WorkerToMain } from '../../src/serving/dataplane/protocol.js';
import { revisionSpec, routeEntry, split } from '../../src/serving/dataplane/testing.js';

let deliver: (m: unknown) => void = () => {};
runDataPlane(
  { host: '127.0.0.1', port: Number(process.env.PORT ?? 0) },
  {
    post: (m: WorkerToMain) => {
      if (m.type === 'listening') process.stdout.write(`listening ${m.port}\n`);
      if (m.type === 'fatal') {
        process.stderr.write(`${m.message}\n`);
        process.exit(1);
      }
    },
    onMessage: (h) => (deliver = h),
    close: () => {},
  },
);
const mode = process.env.MODE === 'Proxy' ? 'Proxy' : 'Serve';
const msgs: MainToWorker[] = [
  {
    type: 'revisions',
    seq: 1,
    revisions: { 'default/hello-00001': revisionSpec([{ pod: 'hello-00001-p', port: Number(process.env.UPSTREAM_PORT), ready: true }], { mode }) },
  },
  { type: 'hosts', seq: 2, hosts: { 'hello.default.example.com': routeEntry('hello', [split('hello-00001', 100)]) } },
];
for (const m of msgs) deliver(m);
process.on('SIGTERM', () => process.exit(0));
if (process.env.EXIT_AFTER_MS) setTimeout(() => process.exit(0), Number(process.env.EXIT_AFTER_MS));
