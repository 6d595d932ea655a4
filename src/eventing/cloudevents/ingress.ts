// Request handling shared by every CloudEvents ingress (broker ingress, channel, sink, sources'
// receive adapters): the HTTP rules of the binding and of Knative's data plane, so each ingress
// only decides what to do with the parsed events.
//   OPTIONS → 200 with `Allow: POST` and the CloudEvents webhook headers (abuse-protection handshake)
//   other non-POST → 405; body over the limit → 413; not a valid CloudEvent → 400 naming the attribute
//   POST with valid events → the callback; its result (default 202 Accepted) becomes the response.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudEventRecord, CloudEventValidationOptions } from './event.js';
import { CloudEventParseError, parseHttpEvents, toBinaryHttp } from './http.js';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** How much of an oversized body is read and discarded after the 413 before the connection is cut. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** What the callback may answer. `event` is sent back as a binary-mode reply (status default 200). */
export interface IngressResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  event?: CloudEventRecord;
}

export interface CloudEventIngressOptions extends CloudEventValidationOptions {
  /** Largest accepted request body; larger → 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /** `WebHook-Allowed-Rate` answered to OPTIONS (requests per minute, or `*`). Default `*`. */
  webhookAllowedRate?: string;
  /**
   * Called with the parsed events (one, or a batch which may be empty). Return nothing for
   * 202 Accepted. A thrown error with a numeric `httpStatus` (4xx/5xx) becomes that status with
   * its message; any other error becomes 500 without details.
   */
  onEvents(events: CloudEventRecord[], req: IncomingMessage): IngressResponse | void | Promise<IngressResponse | void>;
}

/** Body larger than the ingress allows. */
export class PayloadTooLargeError extends Error {
  readonly code = 'SKIFF_ERR_CE_TOO_LARGE';
  readonly httpStatus = 413;
  constructor(readonly limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

/** Build a node:http request handler implementing the ingress rules above. */
export function createCloudEventIngress(options: CloudEventIngressOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const rate = options.webhookAllowedRate ?? '*';
  const parseOptions: CloudEventValidationOptions = { maxAttributeNameLength: options.maxAttributeNameLength };

  return (req, res) => {
    if (req.method === 'POST') {
      handlePost(req, res);
      return;
    }
    if (req.method === 'OPTIONS') {
      const origin = req.headers['webhook-request-origin'];
      res.writeHead(200, {
        allow: 'POST',
        'webhook-allowed-origin': typeof origin === 'string' && origin !== '' ? origin : '*',
        'webhook-allowed-rate': rate,
        'content-length': '0',
      });
      res.end();
      return;
    }
    req.resume();
    sendText(res, 405, `method ${req.method} not allowed: send CloudEvents with POST`, { allow: 'POST, OPTIONS' });
  };

  function handlePost(req: IncomingMessage, res: ServerResponse): void {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBody) {
      rejectTooLarge(req, res, 0);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBody) {
        done = true;
        chunks.length = 0;
        rejectTooLarge(req, res, size);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      void dispatch(req, res, body);
    });
    req.on('error', () => {
      // Client went away mid-body: nothing to answer.
      done = true;
    });
  }

  function rejectTooLarge(req: IncomingMessage, res: ServerResponse, alreadyRead: number): void {
    sendText(res, 413, new PayloadTooLargeError(maxBody).message);
    // Read and discard the rest of the body, keeping the connection: closing it mid-upload makes
    // the sender's next write fail (EPIPE/reset), and a proxying sender such as Skiff's gateway
    // then reports a broken upstream (502) instead of this 413. Beyond a bound the connection is
    // cut anyway, so an arbitrarily large body is never read to its end.
    const drainLimit = Math.max(DRAIN_LIMIT_BYTES, 4 * maxBody);
    let discarded = alreadyRead;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > drainLimit) req.destroy();
    });
    req.resume();
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    let events: CloudEventRecord[];
    try {
      events = parseHttpEvents(req.headers, body, parseOptions);
    } catch (err) {
      if (err instanceof CloudEventParseError) {
        sendText(res, 400, err.message);
        return;
      }
      sendText(res, 500, 'internal error while parsing the request');
      return;
    }
    let result: IngressResponse | void;
    try {
      result = await options.onEvents(events, req);
    } catch (err) {
      const status = (err as { httpStatus?: unknown } | null)?.httpStatus;
      if (typeof status === 'number' && status >= 400 && status <= 599) {
        sendText(res, status, (err as Error).message);
      } else {
        sendText(res, 500, 'internal error while handling the event');
      }
      return;
    }
    if (res.headersSent) return;
    if (result === undefined) {
      res.writeHead(202, { 'content-length': '0' });
      res.end();
      return;
    }
    if (result.event !== undefined) {
      const msg = toBinaryHttp(result.event);
      res.writeHead(result.status ?? 200, { ...result.headers, ...msg.headers, 'content-length': String(msg.body.length) });
      res.end(msg.body);
      return;
    }
    const payload = result.body === undefined ? undefined : typeof result.body === 'string' ? Buffer.from(result.body, 'utf8') : result.body;
    res.writeHead(result.status ?? 202, { ...result.headers, 'content-length': String(payload?.length ?? 0) });
    res.end(payload);
  }
}

function sendText(res: ServerResponse, status: number, message: string, extra?: Record<string, string>): void {
  if (res.headersSent) return;
  const body = Buffer.from(message + '\n', 'utf8');
  res.writeHead(status, { ...extra, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) });
  res.end(body);
}
