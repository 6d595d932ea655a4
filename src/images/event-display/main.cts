// Built-in image `event-display`: Knative's event_display (ikubernetes/event_display,
// gcr.io/knative-releases/knative.dev/eventing/cmd/event_display). Accepts CloudEvents over HTTP
// POST (binary or structured mode), prints each to stdout in the Go SDK's format (format.cts),
// and answers 200 with no body. GET /healthz answers 204, as the Go image does; a request that is
// not a CloudEvent gets 400 with the reason.
import { decodeHttpCloudEvent, CloudEventDecodeError, preloadCloudEventsSdk } from '../lib/cloudevents.cjs';
import { readBody, serveHttp } from '../lib/runtime.cjs';
import { formatCloudEvent } from './format.cjs';

serveHttp(
  (req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed: send CloudEvents with POST\n');
      return;
    }
    readBody(req).then(
      (body) => {
        let text: string;
        try {
          text = formatCloudEvent(decodeHttpCloudEvent(req.headers, body));
        } catch (err) {
          const status = err instanceof CloudEventDecodeError ? err.status : 500;
          res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${(err as Error).message}\n`);
          return;
        }
        process.stdout.write(text);
        res.writeHead(200, { 'Content-Length': '0' }).end();
      },
      (err: Error) => res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${err.message}\n`),
    );
  },
  () => setImmediate(preloadCloudEventsSdk),
);
