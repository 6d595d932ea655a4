// Descriptor of the built-in image `heartbeats` (Knative's cmd/heartbeats ContainerSource sample).
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'heartbeats',
  description: 'Knative heartbeats ContainerSource: sends a heartbeat CloudEvent to $K_SINK every --period',
  references: [
    'ikubernetes/containersource-heartbeats',
    'gcr.io/knative-releases/knative.dev/eventing/cmd/heartbeats',
    'gcr.io/knative-releases/knative.dev/eventing-contrib/cmd/heartbeats',
    'gcr.io/knative-releases/github.com/knative/eventing-sources/cmd/heartbeats',
  ],
  program: new URL('./main.cjs', import.meta.url),
});
