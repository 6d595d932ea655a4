// Built-in image `filter-nodejs` (villardl/filter-nodejs): the Filter step of Knative Parallel
// samples. For each CloudEvent, evaluates $FILTER (filter.cts); truthy → replies 200 with the
// event unchanged (binary mode), falsy → 202 with no body, so the branch stops there. An
// expression that throws counts as "no match" and is logged. A missing or invalid $FILTER exits 1
// at startup so the pod crash-loops visibly.
import { replyBinaryCloudEvent, serveCloudEvents } from '../lib/cloudevent-server.cjs';
import { fatal, goLog } from '../lib/runtime.cjs';
import { compileFilter, filterView } from './filter.cjs';

const compiled = compileFilter(process.env.FILTER);
if (!compiled.ok) fatal(compiled.error);
const predicate = compiled.predicate;

serveCloudEvents((ev, res) => {
  let match: unknown;
  try {
    match = predicate(filterView(ev), process.env);
  } catch (err) {
    goLog(`FILTER raised an error for event ${ev.id}: ${(err as Error).message}`);
    match = false;
  }
  if (!match) {
    res.writeHead(202, { 'Content-Length': '0' }).end();
    return;
  }
  replyBinaryCloudEvent(res, ev, 'could not encode the reply');
});
