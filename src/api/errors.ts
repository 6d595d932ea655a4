// Typed API errors. Each becomes a Kubernetes `Status` object with the HTTP
// code kubectl expects; validation errors carry field paths (like Knative's
// apis.FieldError) so messages name the field at fault.

export interface FieldError {
  /** Dotted path, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  message: string;
  /** Kubernetes cause type: FieldValueRequired, FieldValueInvalid, ... */
  type?: string;
}

export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Forbidden'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'Unauthorized';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly reason: StatusReason;
  readonly causes: FieldError[];
  readonly details: { name?: string; group?: string; kind?: string };
  constructor(
    status: number,
    reason: StatusReason,
    message: string,
    opts: { code?: string; causes?: FieldError[]; details?: { name?: string; group?: string; kind?: string }; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.code = opts.code ?? `SKIFF_ERR_${reason.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
    this.causes = opts.causes ?? [];
    this.details = opts.details ?? {};
  }

  toStatus(): Record<string, unknown> {
    const details: Record<string, unknown> = { ...this.details };
    if (this.causes.length) {
      details.causes = this.causes.map((c) => ({ reason: c.type ?? 'FieldValueInvalid', message: c.message, field: c.path }));
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: Object.keys(details).length ? details : undefined,
      code: this.status,
    };
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export const badRequest = (msg: string, causes?: FieldError[]) => new ApiError(400, 'BadRequest', msg, { causes });
export const notFound = (resource: string, name: string, group = '') =>
  new ApiError(404, 'NotFound', `${group ? `${resource}.${group}` : resource} "${name}" not found`, { details: { name, group, kind: resource } });
export const alreadyExists = (resource: string, name: string, group = '') =>
  new ApiError(409, 'AlreadyExists', `${group ? `${resource}.${group}` : resource} "${name}" already exists`, { details: { name, group, kind: resource } });
export const conflict = (resource: string, name: string, msg: string, group = '') =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${group ? `${resource}.${group}` : resource} "${name}": ${msg}`, {
    details: { name, group, kind: resource },
  });
export const gone = (msg: string) => new ApiError(410, 'Gone', msg);
export const methodNotAllowed = (msg: string) => new ApiError(405, 'MethodNotAllowed', msg);

/** 422 Invalid, Kubernetes style: `Kind "name" is invalid: path: message, path2: message2`. */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): ApiError {
  const list = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join(', ');
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${list}`, {
    causes: errors,
    details: { name, group, kind },
  });
}

/** Helper to build field errors fluently in validators. */
export function required(path: string): FieldError {
  return { path, message: 'Required value', type: 'FieldValueRequired' };
}
export function invalidValue(path: string, value: unknown, why: string): FieldError {
  return { path, message: `Invalid value: ${JSON.stringify(value)}: ${why}`, type: 'FieldValueInvalid' };
}
export function forbidden(path: string, why: string): FieldError {
  return { path, message: `Forbidden: ${why}`, type: 'FieldValueForbidden' };
}
