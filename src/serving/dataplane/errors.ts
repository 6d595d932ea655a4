// Coded errors of the data plane. Request-level failures are not exceptions
// (they become HTTP answers on the hot path); these cover the control seams:
// a rejected main-thread message and a worker that cannot start or stop.

/** A main ⇄ worker message failed validation; `path` names the field at fault. */
export class DataPlaneProtocolError extends Error {
  readonly code = 'SKIFF_ERR_DATAPLANE_PROTOCOL';
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'DataPlaneProtocolError';
    this.path = path;
  }
}

/**
 * The data-plane worker failed to start or died. `code` is
 * SKIFF_ERR_DATAPLANE_LISTEN when the port could not be bound (then `errno`
 * says why, e.g. EADDRINUSE), else SKIFF_ERR_DATAPLANE_START.
 */
export class DataPlaneStartError extends Error {
  readonly code: string;
  readonly errno: string | undefined;
  constructor(message: string, code = 'SKIFF_ERR_DATAPLANE_START', options?: { cause?: unknown; errno?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DataPlaneStartError';
    this.code = code;
    this.errno = options?.errno;
  }
}

/** The data plane was used after stop(). */
export class DataPlaneStoppedError extends Error {
  readonly code = 'SKIFF_ERR_DATAPLANE_STOPPED';
  constructor() {
    super('the data plane has been stopped');
    this.name = 'DataPlaneStoppedError';
  }
}
