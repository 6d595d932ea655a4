// The text Knative's event_display prints per event: "☁️  cloudevents.Event\n" followed by the Go
// SDK's Event.String() (the version Knative shipped with, without the later "Validation:" line).
// Attribute order, two-space indentation, sorted extensions, and JSON data re-indented with
// Go's json.Indent (prefix and indent "  "; raw bytes when not valid JSON) all follow sdk-go's
// event.go and eventcontext_v1.go. Pure: no I/O.
import type { CloudEventRecord } from '../lib/cloudevents.cjs';
import { mediaTypeOf } from '../lib/cloudevents.cjs';
import { formatRfc3339Nano, goJsonIndent } from '../lib/go-compat.cjs';

export const EVENT_BANNER = '☁️  cloudevents.Event\n';

/** Formats one event exactly as event_display writes it to stdout (ends with a newline). */
export function formatCloudEvent(ev: CloudEventRecord): string {
  let out = EVENT_BANNER + 'Context Attributes,\n';
  out += `  specversion: ${ev.specversion}\n`;
  out += `  type: ${ev.type}\n`;
  out += `  source: ${ev.source}\n`;
  if (ev.subject !== undefined) out += `  subject: ${ev.subject}\n`;
  out += `  id: ${ev.id}\n`;
  if (ev.time !== undefined) out += `  time: ${formatRfc3339Nano(ev.time)}\n`;
  // Spec 0.3 called dataschema "schemaurl"; the Go SDK prints each version's own name.
  if (ev.dataschema !== undefined) out += `  ${ev.specversion === '0.3' ? 'schemaurl' : 'dataschema'}: ${ev.dataschema}\n`;
  if (ev.datacontenttype !== undefined) out += `  datacontenttype: ${ev.datacontenttype}\n`;
  const keys = Object.keys(ev.extensions);
  if (keys.length > 0) {
    out += 'Extensions,\n';
    // Go's sort.Strings orders by bytes; for the ASCII names CloudEvents allows, so does sort().
    for (const key of keys.sort()) out += `  ${key}: ${String(ev.extensions[key])}\n`;
  }
  if (ev.data !== undefined) {
    out += ev.dataBase64 ? 'Data (binary),\n  ' : 'Data,\n  ';
    const raw = ev.data.toString('utf8');
    out += (mediaTypeOf(ev.datacontenttype) === 'application/json' ? goJsonIndent(raw, '  ', '  ') : undefined) ?? raw;
    out += '\n';
  }
  return out;
}
