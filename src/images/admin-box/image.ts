// Descriptor of the built-in image `admin-box` (ikubernetes/admin-box): runs the pod's command.
import type * as _program from './main.cjs'; // puts main.cts in the build (tsconfig globs *.ts)
import { defineImage } from '../image-spec.js';

export default defineImage({
  name: 'admin-box',
  description: "Client box: runs the pod's command/args on the host (curl, sh, …); idles when there is none",
  references: ['ikubernetes/admin-box'],
  program: new URL('./main.cjs', import.meta.url),
  passthroughCommand: true,
});
