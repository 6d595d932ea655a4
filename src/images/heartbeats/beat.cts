// One heartbeat event, as Knative's heartbeats program builds it: type/source from the config,
// extensions the=42, heart=yes, beats=true (K_CE_OVERRIDES can replace them), JSON data
// {"id":<sequence>,"label":"<label>"} encoded as Go's json.Marshal would. Pure: id and time are
// passed in.
import type { CloudEventRecord } from '../lib/cloudevents.cjs';
import { goJsonString, type GoTime } from '../lib/go-compat.cjs';
import type { HeartbeatsConfig } from './config.cjs';

export function makeHeartbeat(config: HeartbeatsConfig, sequence: number, id: string, time: GoTime): CloudEventRecord {
  return {
    specversion: '1.0',
    id,
    source: config.eventSource,
    type: config.eventType,
    time,
    datacontenttype: 'application/json',
    extensions: { the: 42, heart: 'yes', beats: true, ...config.extensionOverrides },
    data: Buffer.from(`{"id":${sequence},"label":${goJsonString(config.label)}}`, 'utf8'),
    dataBase64: false,
  };
}
