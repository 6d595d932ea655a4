// Wires Skiff's built-in sample images (src/images/) into the node agent's
// image resolution: `gcr.io/knative-samples/helloworld-go` and friends run as
// the matching local program. The agent uses this registry by default; more
// images can be registered on it. Users' own directories (`local:/abs/dir`,
// `file:///abs/dir`, process/local-images.ts) are answered here too.
import { builtinImageArgv, listBuiltinImages, normalizeImageRef, type BuiltinImage } from '../images/registry.js';
import { ImageRegistry, type ResolvedImage } from './process/images.js';
import { isLocalImageRef, localImageResolver } from './process/local-images.js';

export function resolvedBuiltinImage(image: BuiltinImage): ResolvedImage {
  return {
    command: builtinImageArgv(image),
    ...(image.env ? { env: { ...image.env } } : {}),
    commandMode: image.passthroughCommand ? 'append' : 'ignore',
    imageID: `skiff.dev/images/${image.name}`,
  };
}

/** An ImageRegistry answering for every built-in image and for local directories. */
export function builtinImageRegistry(): ImageRegistry {
  const reg = new ImageRegistry();
  reg.register(isLocalImageRef, localImageResolver);
  for (const image of listBuiltinImages()) {
    const refs = new Set(image.references.map(normalizeImageRef));
    reg.register((ref) => refs.has(normalizeImageRef(ref)), () => resolvedBuiltinImage(image));
  }
  return reg;
}
