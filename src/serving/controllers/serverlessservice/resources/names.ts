// Deterministic names of the ServerlessService's children
// (pkg/reconciler/serverlessservice/resources/names): the public Service has
// the SKS's (= the revision's) name, the private one adds `-private`.

/** The public, selector-less Service of SKS `sks`. */
export function publicServiceName(sks: string): string {
  return sks;
}

/** The private Service selecting the revision's pods. */
export function privateServiceName(sks: string): string {
  return `${sks}-private`;
}
