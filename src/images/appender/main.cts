// Built-in image `appender`: Knative's appender test image (ikubernetes/appender, used by the
// Sequence and Parallel samples). Replies to each CloudEvent with the same event (same id, source,
// extensions; type replaced by $TYPE when set; time set to now when absent, as the Go SDK's
// defaulters do) whose data is {"id":N,"message": data.message + $MESSAGE}, in binary mode, 200.
// Undecodable data gets 400, like the Go image.
import { randomUUID } from 'node:crypto';
import {
  CloudEventDecodeError,
  decodeHttpCloudEvent,
  encodeBinaryCloudEvent,
  preloadCloudEventsSdk,
  type CloudEventRecord,
} from '../lib/cloudevents.cjs';
import { formatGoTimeString, goQuote, goTimeFromMillis } from '../lib/go-compat.cjs';
import { goLog, readBody, serveHttp } from '../lib/runtime.cjs';
import { DEFAULT_APPENDER_MESSAGE, decodeAppenderPayload, describePayload, encodeAppenderPayload } from './append.cjs';

const message = process.env.MESSAGE ?? DEFAULT_APPENDER_MESSAGE;
const typeOverride = process.env.TYPE ?? '';
const TEXT = 'text/plain; charset=utf-8';

function timeText(ev: CloudEventRecord): string {
  return ev.time ? formatGoTimeString(ev.time) : '0001-01-01 00:00:00 +0000 UTC';
}

serveHttp(
  (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': TEXT }).end('method not allowed: send CloudEvents with POST\n');
      return;
    }
    readBody(req).then(
      (body) => {
        let input: CloudEventRecord;
        try {
          input = decodeHttpCloudEvent(req.headers, body);
        } catch (err) {
          const status = err instanceof CloudEventDecodeError ? err.status : 500;
          res.writeHead(status, { 'Content-Type': TEXT }).end(`${(err as Error).message}\n`);
          return;
        }
        const decoded = decodeAppenderPayload(input.data, input.datacontenttype);
        if (!decoded.ok) {
          goLog(`Got error while unmarshalling data: ${decoded.error}`);
          res.writeHead(400, { 'Content-Type': TEXT }).end(`got error while unmarshalling data: ${decoded.error}\n`);
          return;
        }
        const payload = decoded.payload;
        goLog('Received a new event: ');
        goLog(`[${timeText(input)}] ${input.source} ${input.type}: ${describePayload(payload)}`);
        payload.message += message;
        const output: CloudEventRecord = {
          ...input,
          id: input.id || randomUUID(),
          type: typeOverride || input.type,
          time: input.time ?? goTimeFromMillis(performance.timeOrigin + performance.now()),
          datacontenttype: 'application/json',
          data: Buffer.from(encodeAppenderPayload(payload), 'utf8'),
          dataBase64: false,
        };
        goLog('Transform the event to: ');
        goLog(`[${timeText(output)}] ${output.source} ${output.type}: ${describePayload(payload)}`);
        try {
          const reply = encodeBinaryCloudEvent(output);
          res.writeHead(200, { ...reply.headers, 'Content-Length': String(reply.body?.length ?? 0) });
          res.end(reply.body);
        } catch (err) {
          res.writeHead(500, { 'Content-Type': TEXT }).end(`got error while encoding the reply: ${(err as Error).message}\n`);
        }
      },
      (err: Error) => res.writeHead(413, { 'Content-Type': TEXT }).end(`${err.message}\n`),
    );
  },
  (port) => {
    goLog(`listening on ${port}, appending ${goQuote(message)} to events`);
    setImmediate(preloadCloudEventsSdk);
  },
);
