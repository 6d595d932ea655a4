// CESQL error kinds and the error class every CESQL failure (parse-time or evaluation-time) uses.
// The kinds are exactly the seven error types of CESQL v1 §3.3, spelled as the TCK spells them.

export type CesqlErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingAttribute'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'generic';

const CODE_BY_KIND: Record<CesqlErrorKind, string> = {
  parse: 'SKIFF_ERR_CESQL_PARSE',
  math: 'SKIFF_ERR_CESQL_MATH',
  cast: 'SKIFF_ERR_CESQL_CAST',
  missingAttribute: 'SKIFF_ERR_CESQL_MISSING_ATTRIBUTE',
  missingFunction: 'SKIFF_ERR_CESQL_MISSING_FUNCTION',
  functionEvaluation: 'SKIFF_ERR_CESQL_FUNCTION_EVALUATION',
  generic: 'SKIFF_ERR_CESQL_GENERIC',
};

export class CesqlError extends Error {
  /** Stable code: `SKIFF_ERR_CESQL_<KIND>` with the kind in upper snake case, e.g. `SKIFF_ERR_CESQL_MISSING_ATTRIBUTE`. */
  readonly code: string;
  readonly kind: CesqlErrorKind;
  /** 0-based character offset in the expression source where the failing token / sub-expression starts. */
  readonly position?: number;

  constructor(kind: CesqlErrorKind, message: string, position?: number) {
    super(position === undefined ? message : `${message} (at position ${position})`);
    this.name = 'CesqlError';
    this.kind = kind;
    this.code = CODE_BY_KIND[kind];
    if (position !== undefined) this.position = position;
  }
}
