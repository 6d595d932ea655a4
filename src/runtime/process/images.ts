// Image resolution for embedded mode, where "images" are not pulled: an image
// reference is mapped to a local command. Built-in sample images (helloworld,
// event-display, …) are registered by other modules through `ImageRegistry`;
// anything else can still run when the container gives an explicit `command`
// (or only `args`, see commandOnlyResolver): the image is then ignored and the
// command runs with the machine's tools.
// An image that is neither registered nor paired with a command fails with the
// waiting reason users know from a cluster — ErrImagePull, then
// ImagePullBackOff while the agent retries — and a message saying why.
import type { ImageConfig } from './container-config.js';

export interface ResolvedImage extends ImageConfig {
  /** Shown as containerStatuses[].imageID. */
  imageID?: string;
}

/** May be async (a registered image could prepare files first). Throw ImageNotRunnableError to refuse. */
export type ImageResolver = (image: string, container: any) => ResolvedImage | Promise<ResolvedImage>;

export class ImageNotRunnableError extends Error {
  readonly code = 'SKIFF_ERR_IMAGE_NOT_RUNNABLE';
  /** Kubernetes waiting reason for the first failure (later: ImagePullBackOff). */
  readonly reason = 'ErrImagePull';
  constructor(readonly image: string, message?: string) {
    super(
      message ??
        `image "${image}" cannot run in embedded mode: Skiff runs containers as local processes, so the container needs a "command" ` +
          `(the image is then ignored) or the image must be one of Skiff's built-in images`,
    );
    this.name = 'ImageNotRunnableError';
  }
}

type Matcher = (image: string) => boolean;

/** Strip registry host defaults and tag/digest: `docker.io/library/nginx:1.25` → `nginx`. */
export function imageRepository(image: string): string {
  let s = image.trim();
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  s = s.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  s = s.replace(/^library\//, '');
  return s;
}

export class ImageRegistry {
  private readonly entries: Array<{ match: Matcher; resolve: ImageResolver }> = [];

  /**
   * Register a resolver for images whose repository (tag and digest
   * stripped, see imageRepository) equals `repo`, or that a RegExp/function
   * accepts (given the full reference). Later registrations win.
   */
  register(match: string | RegExp | Matcher, resolve: ImageResolver): void {
    const m: Matcher =
      typeof match === 'string' ? (img) => imageRepository(img) === imageRepository(match) : match instanceof RegExp ? (img) => match.test(img) : match;
    this.entries.unshift({ match: m, resolve });
  }

  /** The agent's resolver: registered images first, then "command given → run it". */
  readonly resolve: ImageResolver = (image, container) => {
    for (const e of this.entries) if (e.match(image)) return e.resolve(image, container);
    return commandOnlyResolver(image, container);
  };
}

/**
 * Default: a container with `command` runs it. One with only `args` runs the
 * args as the command — what images with an empty entrypoint (busybox,
 * alpine, ubuntu) do, and what `kubectl run x --image=busybox -- sleep 10`
 * produces. Anything else is not runnable.
 */
export const commandOnlyResolver: ImageResolver = (image, container) => {
  if (Array.isArray(container?.command) && container.command.length) return { command: [], imageID: '' };
  if (Array.isArray(container?.args) && container.args.length) return { command: [], imageID: '' };
  throw new ImageNotRunnableError(image || '<none>');
};
