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

/** The data-plane worker failed to start (e.g. the port is taken) or died. */
export class DataPlaneStartError extends Error {
  readonly code: string;
  constructor(message: string, code = 'SKIFF_ERR_DATAPLANE_START', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataPlaneStartError';
    this.code = code;
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
