// The benchmark's upstream "pod": a node:http server answering "Hello World!\n",
// shaped like the built-in helloworld image (Content-Length, text/plain,
// 65 s keep-alive) minus its per-request log line. Run as its own process:
//   PORT=8080 node dist/bench/dataplane/hello-upstream.js
import http from 'node:http';

const body = Buffer.from('Hello World!\n');
const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) };
const server = http.createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : ''}\n`);
});
process.on('SIGTERM', () => process.exit(0));
