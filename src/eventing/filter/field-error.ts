// Field-path validation error used by the filter and delivery validators. A project-wide FieldError
// type is planned; this one keeps the same shape ({ path, message }) so it can be swapped in.

/** One problem in user input: `path` like `spec.filters[1].cesql`, `message` says what is wrong. */
export interface FieldError {
  path: string;
  message: string;
}
