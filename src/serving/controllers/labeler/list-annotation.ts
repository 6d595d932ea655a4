// The comma-separated list annotations of Knative Serving, chiefly
// `serving.knative.dev/routes` ("which Routes point here") on Configurations
// and Revisions (Knative pkg/reconciler/labeler.GetListAnnValue). Pure.

/** The set of names in a comma-separated annotation ('' or absent = empty). */
export function getListAnnotation(annotations: Record<string, string> | undefined, key: string): Set<string> {
  const v = annotations?.[key];
  return v ? new Set(v.split(',')) : new Set();
}

/** Sorted and comma-joined, as Knative writes it. */
export function formatListAnnotation(names: Iterable<string>): string {
  return [...names].sort().join(',');
}
