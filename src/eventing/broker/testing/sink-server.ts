// Test/benchmark support: a local HTTP server that records every CloudEvent POSTed to it (by
// path), with a pluggable responder so tests can fail, hang, or reply. Not used in production.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEventRecord } from '../../cloudevents/event.js';
import { parseHttpEvent, toBinaryHttp } from '../../cloudevents/http.js';

export interface ReceivedEvent {
  path: string;
  headers: IncomingHttpHeaders;
  event: CloudEventRecord;
}

export interface SinkResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Answer with this CloudEvent (binary mode, status 200 unless given). */
  reply?: CloudEventRecord;
  /** Never answer (the request hangs until the client gives up). */
  hang?: boolean;
}

export type SinkResponder = (received: ReceivedEvent) => SinkResponse | Promise<SinkResponse> | void;

export interface RecordingSink {
  /** `http://127.0.0.1:{port}` (no trailing slash). */
  readonly url: string;
  readonly received: ReceivedEvent[];
  /** Received events whose request path is `path`. */
  at(path: string): ReceivedEvent[];
  respond(fn: SinkResponder): void;
  close(): Promise<void>;
}

export async function startRecordingSink(responder?: SinkResponder): Promise<RecordingSink> {
  let respond: SinkResponder = responder ?? (() => ({ status: 202 }));
  const received: ReceivedEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let event: CloudEventRecord;
        try {
          event = parseHttpEvent(req.headers, Buffer.concat(chunks));
        } catch (err) {
          res.writeHead(400).end(String(err));
          return;
        }
        const r: ReceivedEvent = { path: req.url ?? '/', headers: req.headers, event };
        received.push(r);
        const out = (await respond(r)) ?? { status: 202 };
        if (out.hang) return;
        if (out.reply !== undefined) {
          const msg = toBinaryHttp(out.reply);
          res.writeHead(out.status ?? 200, { ...out.headers, ...msg.headers });
          res.end(msg.body);
          return;
        }
        res.writeHead(out.status ?? 202, out.headers);
        res.end(out.body);
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    at: (path) => received.filter((r) => r.path === path),
    respond: (fn) => {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
