// Descriptor of the built-in image `appender` (Knative's cmd/appender test image).
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'appender',
  description: 'Knative appender: replies with the event, $MESSAGE appended to data.message',
  references: [
    'ikubernetes/appender',
    'gcr.io/knative-releases/knative.dev/eventing/cmd/appender',
    'gcr.io/knative-releases/knative.dev/eventing-contrib/cmd/appender',
  ],
  program: new URL('./main.cjs', import.meta.url),
});
