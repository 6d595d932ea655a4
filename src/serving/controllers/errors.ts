// Errors the Serving reconcilers return to the controller runtime (which
// retries them with backoff and records their message as a Warning event).
// Messages keep Knative's wording (`failed to create deployment "x": …`,
// `revision: "r" does not own Deployment: "d"`) so events read the same.

/** A child object with our name exists but is controlled by someone else. Retried: it may be deleted. */
export class NotOwnedError extends Error {
  readonly code = 'SKIFF_ERR_NOT_OWNED';
  constructor(
    readonly ownerKind: string,
    readonly owner: string,
    readonly kind: string,
    readonly child: string,
    /** Knative spells the child kind lower-case in Service messages and capitalised in Revision ones. */
    kindAsWritten: string = kind,
  ) {
    super(`${ownerKind.toLowerCase()}: ${JSON.stringify(owner)} does not own ${kindAsWritten}: ${JSON.stringify(child)}`);
    this.name = 'NotOwnedError';
  }
}

/** Writing a child (or a labeled object, or a collected revision) failed; `cause` is the API error. */
export class ChildWriteError extends Error {
  readonly code = 'SKIFF_ERR_CHILD_WRITE';
  /** HTTP status of the API error, when there was one. */
  readonly status?: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChildWriteError';
    const status = (options?.cause as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number') this.status = status;
  }
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
