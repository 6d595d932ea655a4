// Built-in image `appender`: Knative's appender test image (ikubernetes/appender, used by the
// Sequence and Parallel samples). Replies to each CloudEvent with the same event (same id, source,
// extensions; type replaced by $TYPE when set; time set to now when absent, as the Go SDK's
// defaulters do) whose data is {"id":N,"message": data.message + $MESSAGE}, in binary mode, 200.
// Undecodable data gets 400, like the Go image.
import { randomUUID } from 'node:crypto';
import type { CloudEventRecord } from '../lib/cloudevents.cjs';
import { TEXT_PLAIN, replyBinaryCloudEvent, serveCloudEvents } from '../lib/cloudevent-server.cjs';
import { formatGoTimeString, goQuote, goTimeFromMillis } from '../lib/go-compat.cjs';
import { goLog } from '../lib/runtime.cjs';
import { DEFAULT_APPENDER_MESSAGE, decodeAppenderPayload, describePayload, encodeAppenderPayload } from './append.cjs';

const message = process.env.MESSAGE ?? DEFAULT_APPENDER_MESSAGE;
const typeOverride = process.env.TYPE ?? '';

function timeText(ev: CloudEventRecord): string {
  return ev.time ? formatGoTimeString(ev.time) : '0001-01-01 00:00:00 +0000 UTC';
}

serveCloudEvents(
  (input, res) => {
    const decoded = decodeAppenderPayload(input.data, input.datacontenttype);
    if (!decoded.ok) {
      goLog(`Got error while unmarshalling data: ${decoded.error}`);
      res.writeHead(400, { 'Content-Type': TEXT_PLAIN }).end(`got error while unmarshalling data: ${decoded.error}\n`);
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
    replyBinaryCloudEvent(res, output, 'got error while encoding the reply');
  },
  (port) => goLog(`listening on ${port}, appending ${goQuote(message)} to events`),
);
