// Built-in image `filter-nodejs` (villardl/filter-nodejs): the Filter step of Knative Parallel
// samples. For each CloudEvent, evaluates $FILTER (filter.cts); truthy → replies 200 with the
// event unchanged (binary mode), falsy → 202 with no body, so the branch stops there. An
// expression that throws counts as "no match" and is logged. A missing or invalid $FILTER exits 1
// at startup so the pod crash-loops visibly.
import {
  CloudEventDecodeError,
  decodeHttpCloudEvent,
  encodeBinaryCloudEvent,
  preloadCloudEventsSdk,
  type CloudEventRecord,
} from '../lib/cloudevents.cjs';
import { fatal, goLog, readBody, serveHttp } from '../lib/runtime.cjs';
import { compileFilter, filterView } from './filter.cjs';

const compiled = compileFilter(process.env.FILTER);
if (!compiled.ok) fatal(compiled.error);
const predicate = compiled.predicate;
const TEXT = 'text/plain; charset=utf-8';

serveHttp(
  (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': TEXT }).end('method not allowed: send CloudEvents with POST\n');
      return;
    }
    readBody(req).then(
      (body) => {
        let ev: CloudEventRecord;
        try {
          ev = decodeHttpCloudEvent(req.headers, body);
        } catch (err) {
          const status = err instanceof CloudEventDecodeError ? err.status : 500;
          res.writeHead(status, { 'Content-Type': TEXT }).end(`${(err as Error).message}\n`);
          return;
        }
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
        try {
          const reply = encodeBinaryCloudEvent(ev);
          res.writeHead(200, { ...reply.headers, 'Content-Length': String(reply.body?.length ?? 0) });
          res.end(reply.body);
        } catch (err) {
          res.writeHead(500, { 'Content-Type': TEXT }).end(`could not encode the reply: ${(err as Error).message}\n`);
        }
      },
      (err: Error) => res.writeHead(413, { 'Content-Type': TEXT }).end(`${err.message}\n`),
    );
  },
  () => setImmediate(preloadCloudEventsSdk),
);
