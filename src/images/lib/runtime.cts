// Process plumbing shared by every built-in image: listen on $PORT (127.0.0.1), shut down
// gracefully on SIGTERM/SIGINT (exit 0 within a second), exit when orphaned so no image process
// outlives Skiff, and Go-style log lines (`2006/01/02 15:04:05 msg` on stderr, like Go's `log`).
// Kept to node:http only: every image imports this at startup, and startup time is benchmarked.
import { createServer, type RequestListener, type Server } from 'node:http';

/** How long a SIGTERM'd image waits for in-flight requests before exiting anyway (ms). */
export const SHUTDOWN_GRACE_MS = 900;
/** How often an image checks whether its parent (Skiff's node agent) is still alive (ms). */
export const PARENT_POLL_MS = 1000;

let cachedSecond = -1;
let cachedPrefix = '';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Writes one line to stderr the way Go's `log.Print` does (local time, second precision). */
export function goLog(message: string): void {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    const d = new Date(now);
    cachedSecond = second;
    cachedPrefix = `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} `;
  }
  process.stderr.write(cachedPrefix + (message.endsWith('\n') ? message : message + '\n'));
}

/** Logs and exits with a non-zero status, like Go's `log.Fatalf` (status 1). */
export function fatal(message: string, code = 1): never {
  goLog(message);
  process.exit(code);
}

/**
 * Exits (or calls `onOrphaned`) once the parent process is gone: the parent pid changes (to 1 or
 * to a subreaper) when the parent dies. Polled, because there is no portable parent-death signal.
 */
export function watchParent(onOrphaned: () => void = () => process.exit(0), intervalMs = PARENT_POLL_MS): void {
  const original = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== original) {
      clearInterval(timer);
      onOrphaned();
    }
  }, intervalMs);
  timer.unref(); // never the reason the process stays alive
}

/**
 * On SIGTERM/SIGINT runs `close(done)`; exits 0 when `done` is called or after `graceMs`,
 * whichever comes first. A second signal exits at once.
 */
export function onTerminate(close: (done: () => void) => void, graceMs = SHUTDOWN_GRACE_MS): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) process.exit(0);
    stopping = true;
    setTimeout(() => process.exit(0), graceMs).unref();
    close(() => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** The port from $PORT (default 8080); exits with a clear message when it is not a port number. */
export function listenPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 8080;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) fatal(`invalid PORT ${JSON.stringify(raw)}: want an integer 0-65535`);
  return port;
}

/**
 * Starts the image's HTTP server on 127.0.0.1:$PORT with graceful SIGTERM handling and the
 * orphan watch. `onListening` runs once the port is bound.
 */
export function serveHttp(handler: RequestListener, onListening?: (port: number) => void): Server {
  const port = listenPort();
  const server = createServer(handler);
  // Knative's queue-proxy keeps connections alive for a long time; match Go's generous defaults.
  server.keepAliveTimeout = 65_000;
  server.on('error', (err: NodeJS.ErrnoException) => fatal(`failed to listen on 127.0.0.1:${port}: ${err.message}`));
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    onListening?.(typeof address === 'object' && address ? address.port : port);
  });
  onTerminate((done) => {
    server.close(() => done());
    server.closeIdleConnections();
  });
  watchParent();
  return server;
}

/** Reads a request body completely (bounded), resolving to one Buffer. */
export function readBody(req: import('node:http').IncomingMessage, limitBytes = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error(`request body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
