// Built-in image `heartbeats` (ikubernetes/containersource-heartbeats; Knative's cmd/heartbeats):
// a ContainerSource adapter that POSTs a heartbeat CloudEvent (binary mode) to $K_SINK right away
// and then every period, numbering them 1, 2, 3…; with ONE_SHOT=true it sends one and exits.
// Sends are sequential; a slow sink delays the next beat rather than piling requests up (Go's
// ticker drops missed ticks the same way). Exits 0 on SIGTERM and when orphaned.
import { randomUUID } from 'node:crypto';
import { encodeBinaryCloudEvent } from '../lib/cloudevents.cjs';
import { goTimeFromMillis } from '../lib/go-compat.cjs';
import { postHttp } from '../lib/http-post.cjs';
import { goLog, onTerminate, watchParent } from '../lib/runtime.cjs';
import { makeHeartbeat } from './beat.cjs';
import { HEARTBEATS_USAGE, parseHeartbeatsConfig } from './config.cjs';

const parsed = parseHeartbeatsConfig(process.argv.slice(2), process.env);
if (!parsed.ok) {
  if (parsed.help) {
    process.stderr.write(HEARTBEATS_USAGE);
    process.exit(0);
  }
  process.stderr.write(parsed.error + '\n' + (parsed.exitCode === 2 ? HEARTBEATS_USAGE : ''));
  process.exit(parsed.exitCode);
}
const config = parsed.config;
if (config.defaultSource) goLog(`Heartbeats Source: ${config.eventSource}`);

onTerminate((done) => done());
watchParent();

let sequence = 0;
const started = performance.now();

async function beat(): Promise<void> {
  sequence++;
  const event = makeHeartbeat(config, sequence, randomUUID(), goTimeFromMillis(performance.timeOrigin + performance.now()));
  goLog(`sending cloudevent to ${config.sink}`);
  if (!config.sink) {
    goLog('failed to send cloudevent: no sink: set K_SINK (a ContainerSource sets it) or -sink');
  } else {
    try {
      const message = encodeBinaryCloudEvent(event);
      const res = await postHttp(config.sink, message.headers, message.body);
      if (res.status < 200 || res.status > 299) goLog(`failed to send cloudevent: ${res.status}: ${res.body.trim()}`);
    } catch (err) {
      goLog(`failed to send cloudevent: ${(err as Error).message}`);
    }
  }
  if (config.oneShot) process.exit(0);
  // Next tick of a fixed-rate schedule; ticks missed while sending are skipped.
  const elapsed = performance.now() - started;
  const next = (Math.floor(elapsed / config.periodMs) + 1) * config.periodMs;
  setTimeout(() => void beat(), next - elapsed);
}

void beat();
