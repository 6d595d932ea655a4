// Descriptor of the built-in image `helloworld` (Knative's helloworld sample).
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'helloworld',
  description: 'Knative helloworld sample: any request answers "Hello ${TARGET:-World}!"',
  references: [
    'ikubernetes/helloworld-go',
    'gcr.io/knative-samples/helloworld-go',
    'gcr.io/knative-samples/helloworld-nodejs',
    'ghcr.io/knative/helloworld-go',
  ],
  program: new URL('./main.cjs', import.meta.url),
});
