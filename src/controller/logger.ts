// The small structured-logger interface the controller runtime logs through.
// Injected so the composition root can route logs wherever it likes and tests
// stay quiet (or capture lines to assert on).

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Drops everything. The default in the runtime so library code never spams stdout. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** One JSON line per entry on stderr; `debug` only when `verbose`. */
export function consoleLogger(component: string, verbose = false): Logger {
  const write = (level: string, msg: string, fields?: LogFields) => {
    const line: Record<string, unknown> = { level, ts: new Date().toISOString(), logger: component, msg };
    if (fields) for (const [k, v] of Object.entries(fields)) line[k] = v instanceof Error ? v.message : v;
    process.stderr.write(JSON.stringify(line) + '\n');
  };
  return {
    debug: (m, f) => {
      if (verbose) write('debug', m, f);
    },
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: LogFields;
}

/** Keeps entries in memory; for tests that assert something was logged. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: LogFields): void {
    this.entries.push({ level: 'error', msg, fields });
  }
}
