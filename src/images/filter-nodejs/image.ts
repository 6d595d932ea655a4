// Descriptor of the built-in image `filter-nodejs` (villardl/filter-nodejs).
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'filter-nodejs',
  description: 'CloudEvent filter: replies with the event when the JavaScript expression $FILTER is truthy, else 202',
  references: ['villardl/filter-nodejs'],
  program: new URL('./main.cjs', import.meta.url),
});
