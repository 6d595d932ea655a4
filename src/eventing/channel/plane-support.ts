// What the broker plane and the channel plane share when they stand up their channel backends:
// the transport deps (with an HTTP sender the plane owns when none is injected), the embedded
// event log opened on first use, the memory/log backend choice, and the plain-text error answer
// of their request handlers. Each plane keeps its own routing, naming and subscriber mapping.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { type Clock, type SendFn, sleep as realSleep, systemClock } from '../delivery/dispatcher.js';
import { createHttpSender } from '../delivery/http-sender.js';
import type { ChannelBackend, ChannelDeps } from './channel.js';
import { EventLog, type EventLogOptions, type RetentionPolicy } from './log/event-log.js';
import { LogChannel } from './log/log-channel.js';
import { MemoryChannel } from './memory/memory-channel.js';

export interface PlaneTransportOptions {
  /** Transport to subscribers; default an undici sender owned (and closed) by the plane. */
  send?: SendFn;
  clock?: Clock;
  sleep?: ChannelDeps['sleep'];
}

/** The backends' deps; `ownedSender` is set when the plane created the sender and must close it. */
export function planeDeps(options: PlaneTransportOptions): { deps: ChannelDeps; ownedSender: { close(): Promise<void> } | undefined } {
  let send = options.send;
  let ownedSender: { close(): Promise<void> } | undefined;
  if (send === undefined) {
    const sender = createHttpSender();
    send = sender.send;
    ownedSender = sender;
  }
  return { deps: { send, clock: options.clock ?? systemClock, sleep: options.sleep ?? realSleep }, ownedSender };
}

/** A plane's event log file, opened the first time a durable backend (or a cleanup) needs it. */
export class LazyEventLog {
  private log: EventLog | undefined;

  constructor(
    readonly file: string,
    private readonly options: Omit<EventLogOptions, 'file' | 'clock'> | undefined,
    private readonly clock: Clock,
  ) {}

  get(): EventLog {
    this.log ??= EventLog.open({ ...this.options, file: this.file, clock: this.clock });
    return this.log;
  }

  /** Drop what is left of a stream whose owner was deleted while Skiff was down; never creates the file. */
  dropLeftoverStream(key: string): void {
    if (this.log === undefined && !existsSync(this.file)) return;
    const log = this.get();
    if (log.streamKeys().includes(key)) log.dropStream(log.stream(key));
  }

  async close(): Promise<void> {
    await this.log?.close();
  }
}

export interface BackendSpec {
  durable: boolean;
  /** Stream key in the event log (durable only). */
  key: string;
  /** Label in logs and errors, e.g. `broker ns/name`. */
  name: string;
  deps: ChannelDeps;
  /** Durable: retention of the stream. */
  retention?: RetentionPolicy;
  /** Durable: in-flight events per unordered subscriber. */
  window?: number;
  /** Memory: answer producers before fanning out. */
  asyncHandler?: boolean;
}

/** A durable LogChannel on the plane's event log, or a volatile MemoryChannel. */
export function createChannelBackend(spec: BackendSpec, log: LazyEventLog): ChannelBackend {
  return spec.durable
    ? new LogChannel({ log: log.get(), key: spec.key, deps: spec.deps, retention: spec.retention, window: spec.window, name: spec.name })
    : new MemoryChannel({ deps: spec.deps, asyncHandler: spec.asyncHandler, name: spec.name });
}

/** Answer a request the plane cannot route, draining its body. */
export function replyPlainText(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  req.resume();
  const body = Buffer.from(message + '\n', 'utf8');
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) });
  res.end(body);
}
