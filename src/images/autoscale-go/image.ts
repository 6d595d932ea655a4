// Descriptor of the built-in image `autoscale-go` (Knative's autoscaling sample).
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'autoscale-go',
  description: 'Knative autoscale-go sample: ?sleep=<ms>&prime=<n>&bloat=<mb> consume time, CPU and memory',
  references: ['gcr.io/knative-samples/autoscale-go', 'ghcr.io/knative/autoscale-go'],
  program: new URL('./main.cjs', import.meta.url),
});
