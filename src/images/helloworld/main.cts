// Built-in image `helloworld`: Knative's helloworld sample (gcr.io/knative-samples/helloworld-go,
// ikubernetes/helloworld-go, …). Any GET (any method, any path) answers `Hello ${TARGET}!\n`,
// TARGET defaulting to "World", and logs like the Go sample. Imports nothing beyond node:http so
// a cold start costs little more than a bare `node` start.
import { goLog, serveHttp } from '../lib/runtime.cjs';

const target = process.env.TARGET || 'World';
const body = Buffer.from(`Hello ${target}!\n`);
const headers = {
  'Content-Type': 'text/plain; charset=utf-8', // what Go's http server sniffs for this body
  'Content-Length': String(body.length),
};

goLog('helloworld: starting server...');
serveHttp(
  (_req, res) => {
    goLog('helloworld: received a request');
    res.writeHead(200, headers);
    res.end(body);
  },
  (port) => goLog(`helloworld: listening on port ${port}`),
);
