// Errors the CLI reports to a person. Each has a stable `code` and knows the
// one line (kubectl's wording where kubectl has one) it prints, so main can
// turn any of them into "one clear line + exit 1" and never a stack trace.

export abstract class CliError extends Error {
  abstract readonly code: string;
  readonly exitCode: number = 1;
  /** The text printed on stderr (without trailing newline). */
  abstract render(): string;
}

/** Bad command line: unknown flag, missing argument. Points at the command's help. */
export class UsageError extends CliError {
  readonly code = 'SKIFF_ERR_CLI_USAGE';
  /** Set by the dispatcher so the hint names the command being run. */
  commandPath = 'skiff';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
  render(): string {
    return `error: ${this.message}\nSee '${this.commandPath} --help' for usage.`;
  }
}

/** A user-facing failure that is not the server's: missing file, bad YAML, unknown kind. */
export class UserError extends CliError {
  readonly code: string;
  constructor(message: string, code = 'SKIFF_ERR_CLI') {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
  render(): string {
    return `error: ${this.message}`;
  }
}

/** A manifest that cannot be read or parsed; names the file and, when known, the line. */
export class ManifestError extends UserError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message, 'SKIFF_ERR_CLI_MANIFEST');
    this.name = 'ManifestError';
  }
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A Kubernetes `Status` failure returned by the API, printed the way kubectl prints it. */
export class ServerError extends CliError {
  readonly code: string;
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details: { name?: string; group?: string; kind?: string; causes?: StatusCause[] } = {},
  ) {
    super(message);
    this.name = 'ServerError';
    this.code = `SKIFF_ERR_SERVER_${(reason || 'Unknown').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  }

  /**
   * kubectl: `Error from server (Reason): message`; Invalid objects read
   * `The Kind "name" is invalid: field: why` (one cause) or a `* ` list (several).
   */
  render(): string {
    const causes = this.details.causes ?? [];
    if (this.reason === 'Invalid' && this.details.kind) {
      const head = `The ${this.details.kind} "${this.details.name ?? ''}" is invalid`;
      const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : c.message ?? ''));
      if (lines.length === 0) return `${head}: ${this.message}`;
      if (lines.length === 1) return `${head}: ${lines[0]}`;
      return `${head}: \n* ${lines.join('\n* ')}`;
    }
    return this.reason ? `Error from server (${this.reason}): ${this.message}` : `Error from server: ${this.message}`;
  }
}

/** No API answered at the resolved endpoint (or no endpoint is known at all). */
export class UnreachableError extends CliError {
  readonly code = 'SKIFF_ERR_CLI_UNREACHABLE';
  constructor(
    readonly url: string | undefined,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(url ? `cannot reach the Skiff API at ${url}` : 'no Skiff API endpoint is known', options);
    this.name = 'UnreachableError';
  }
  render(): string {
    if (!this.url) return `skiff: cannot reach the Skiff API: ${this.hint ?? 'no --api, no SKIFF_API and no api.json'}: is \`skiff up\` running?`;
    return `skiff: cannot reach the Skiff API at ${this.url}: is \`skiff up\` running?`;
  }
}

export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError;
}
