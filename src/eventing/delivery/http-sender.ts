// The real transport for `deliverWithRetry`: CloudEvents over HTTP POST with undici, through one
// keep-alive Agent (a connection pool per origin), binary mode unless the policy asks for JSON.
// Redirects are not followed: a 3xx is a delivery failure (Knative data-plane spec).

import { Agent, request } from 'undici';
import type { CloudEventRecord } from '../cloudevents/event.js';
import { toBinaryHttp, toStructuredHttp } from '../cloudevents/http.js';
import type { SendFn, SendOptions, SendResponse } from './dispatcher.js';

export interface HttpSenderOptions {
  /** Connections per origin (subscriber); extra requests queue. Default 64. */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive connection stays open. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** Largest response body read (replies, error bodies); larger → the attempt errors. Default 16 MiB. */
  maxResponseBytes?: number;
}

export interface HttpSender {
  send: SendFn;
  /** Close pooled connections (waits for in-flight requests). */
  close(): Promise<void>;
}

/** A network-level delivery failure (no HTTP response): refused, reset, timed out, oversized reply. */
export class DeliveryTransportError extends Error {
  constructor(
    readonly code: 'SKIFF_ERR_DELIVERY_TIMEOUT' | 'SKIFF_ERR_DELIVERY_NETWORK' | 'SKIFF_ERR_DELIVERY_RESPONSE_TOO_LARGE',
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DeliveryTransportError';
  }
}

export function createHttpSender(options: HttpSenderOptions = {}): HttpSender {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
  });
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;

  async function send(url: string, event: CloudEventRecord, opts: SendOptions): Promise<SendResponse> {
    const msg = opts.format === 'json' ? toStructuredHttp(event) : toBinaryHttp(event);
    const headers = opts.headers === undefined ? msg.headers : { ...opts.headers, ...msg.headers };
    const timeoutSignal = opts.timeoutMs !== undefined ? AbortSignal.timeout(Math.max(1, Math.ceil(opts.timeoutMs))) : undefined;
    const signal = timeoutSignal && opts.signal ? AbortSignal.any([timeoutSignal, opts.signal]) : (timeoutSignal ?? opts.signal);
    try {
      const res = await request(url, { method: 'POST', headers, body: msg.body, dispatcher: agent, signal });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxResponseBytes) {
          res.body.destroy();
          throw new DeliveryTransportError('SKIFF_ERR_DELIVERY_RESPONSE_TOO_LARGE', `response from ${url} exceeds ${maxResponseBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return { status: res.statusCode, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) };
    } catch (err) {
      if (err instanceof DeliveryTransportError) throw err;
      if (timeoutSignal?.aborted) {
        throw new DeliveryTransportError('SKIFF_ERR_DELIVERY_TIMEOUT', `request to ${url} timed out after ${opts.timeoutMs} ms`, err);
      }
      const reason = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
      throw new DeliveryTransportError('SKIFF_ERR_DELIVERY_NETWORK', `request to ${url} failed: ${reason}`, err);
    }
  }

  return { send, close: () => agent.close() };
}
