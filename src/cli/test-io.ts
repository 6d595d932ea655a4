// Test helper: a CliIO whose output is captured in strings (used by unit and
// e2e tests that run the CLI in-process).
import { Readable } from 'node:stream';
import type { CliIO } from './context.js';

export interface CapturedIO extends CliIO {
  readonly stdoutText: () => string;
  readonly stderrText: () => string;
}

export function captureIO(opts: { stdin?: string; env?: Record<string, string | undefined>; cwd?: string; homedir?: string; signal?: AbortSignal } = {}): CapturedIO {
  let out = '';
  let err = '';
  const text = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
  return {
    stdout: { write: (c) => (out += text(c)) },
    stderr: { write: (c) => (err += text(c)) },
    stdin: Readable.from([opts.stdin ?? '']),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    homedir: opts.homedir ?? '/nonexistent-home',
    signal: opts.signal,
    stdoutText: () => out,
    stderrText: () => err,
  };
}
