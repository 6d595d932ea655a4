// The HTTP shell of the images that answer CloudEvents with a reply (appender, filter-nodejs):
// POST only (405 otherwise), the body read with its bound (413 past it), decoded (the decoder's
// status, 400/415, or 500), then handed to the image; and the binary-mode reply. Each image keeps
// only what it does with the event.
//
// CommonJS (.cts) like every image module: see ../registry.ts for why.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudEventDecodeError, decodeHttpCloudEvent, encodeBinaryCloudEvent, preloadCloudEventsSdk, type CloudEventRecord } from './cloudevents.cjs';
import { readBody, serveHttp } from './runtime.cjs';

export const TEXT_PLAIN = 'text/plain; charset=utf-8';

/** Serve decoded CloudEvents on $PORT; the SDK is preloaded once listening (after `onListening`). */
export function serveCloudEvents(onEvent: (ev: CloudEventRecord, res: ServerResponse, req: IncomingMessage) => void, onListening?: (port: number) => void): void {
  serveHttp(
    (req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': TEXT_PLAIN }).end('method not allowed: send CloudEvents with POST\n');
        return;
      }
      readBody(req).then(
        (body) => {
          let ev: CloudEventRecord;
          try {
            ev = decodeHttpCloudEvent(req.headers, body);
          } catch (err) {
            const status = err instanceof CloudEventDecodeError ? err.status : 500;
            res.writeHead(status, { 'Content-Type': TEXT_PLAIN }).end(`${(err as Error).message}\n`);
            return;
          }
          onEvent(ev, res, req);
        },
        (err: Error) => res.writeHead(413, { 'Content-Type': TEXT_PLAIN }).end(`${err.message}\n`),
      );
    },
    (port) => {
      onListening?.(port);
      setImmediate(preloadCloudEventsSdk);
    },
  );
}

/** Reply 200 with `ev` in binary mode; an encoding failure answers 500 `{errorPrefix}: {reason}`. */
export function replyBinaryCloudEvent(res: ServerResponse, ev: CloudEventRecord, errorPrefix: string): void {
  try {
    const reply = encodeBinaryCloudEvent(ev);
    res.writeHead(200, { ...reply.headers, 'Content-Length': String(reply.body?.length ?? 0) });
    res.end(reply.body);
  } catch (err) {
    res.writeHead(500, { 'Content-Type': TEXT_PLAIN }).end(`${errorPrefix}: ${(err as Error).message}\n`);
  }
}
