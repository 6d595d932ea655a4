// The predicate of the `filter-nodejs` image (villardl/filter-nodejs, from
// lionelvillard/knative-functions): $FILTER is a JavaScript expression over `event` (the CloudEvent
// as a plain object in the JSON event format, data parsed when it is JSON) and `env` (the process
// environment). Compiled once at startup so a bad expression fails the pod, not every request.
import type { CloudEventRecord } from '../lib/cloudevents.cjs';
import { isJsonMediaType, mediaTypeOf } from '../lib/cloudevents.cjs';
import { formatRfc3339Nano } from '../lib/go-compat.cjs';

export type FilterPredicate = (event: Record<string, unknown>, env: NodeJS.ProcessEnv) => unknown;

export type CompileResult = { ok: true; predicate: FilterPredicate } | { ok: false; error: string };

/** Compiles $FILTER; a missing or syntactically invalid expression is an error naming FILTER. */
export function compileFilter(expression: string | undefined): CompileResult {
  if (expression === undefined || expression.trim() === '') {
    return { ok: false, error: 'environment variable FILTER is missing: set it to a JavaScript expression over `event`, e.g. event.type == "com.example.image"' };
  }
  try {
    // The expression is the user's own code, run in the user's own workload (as the original image does).
    const fn = new Function('event', 'env', `"use strict"; return (${expression}\n);`) as FilterPredicate;
    return { ok: true, predicate: fn };
  } catch (err) {
    return { ok: false, error: `invalid FILTER expression ${JSON.stringify(expression)}: ${(err as Error).message}` };
  }
}

/** The event as the expression sees it: attributes, extensions, and `data` (parsed if JSON). */
export function filterView(ev: CloudEventRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ...ev.extensions,
    specversion: ev.specversion,
    id: ev.id,
    source: ev.source,
    type: ev.type,
  };
  if (ev.subject !== undefined) view.subject = ev.subject;
  if (ev.time !== undefined) view.time = formatRfc3339Nano(ev.time);
  if (ev.dataschema !== undefined) view.dataschema = ev.dataschema;
  if (ev.datacontenttype !== undefined) view.datacontenttype = ev.datacontenttype;
  if (ev.data !== undefined) {
    if (ev.dataBase64) {
      view.data_base64 = ev.data.toString('base64');
    } else {
      const text = ev.data.toString('utf8');
      view.data = text;
      if (isJsonMediaType(mediaTypeOf(ev.datacontenttype))) {
        try {
          view.data = JSON.parse(text);
        } catch {
          // Not JSON after all: the expression sees the text.
        }
      }
    }
  }
  return view;
}
