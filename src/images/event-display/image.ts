// Descriptor of the built-in image `event-display` (Knative's event_display).
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'event-display',
  description: 'Knative event_display: prints every CloudEvent it receives to stdout',
  references: [
    'ikubernetes/event_display',
    'gcr.io/knative-releases/knative.dev/eventing/cmd/event_display',
    'gcr.io/knative-releases/knative.dev/eventing-contrib/cmd/event_display',
    'gcr.io/knative-releases/github.com/knative/eventing-sources/cmd/event_display',
  ],
  program: new URL('./main.cjs', import.meta.url),
});
