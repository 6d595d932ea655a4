// The shape of a built-in image: what the node agent needs to run a container whose `image` is
// one of Knative's sample images as a local process. Each image folder has an `image.ts`
// descriptor built with `defineImage`; registry.ts lists them.
import { fileURLToPath } from 'node:url';

/** A built-in image as the node agent consumes it. */
export interface BuiltinImage {
  /** Skiff's name for the image (its folder under src/images/). */
  readonly name: string;
  readonly description: string;
  /** argv to spawn: `[process.execPath, '<abs path>/dist/src/images/<name>/main.cjs']`. */
  readonly command: readonly string[];
  /** Extra environment for the process (the container's own env is added by the agent). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * When true the container's `command` and `args` are appended to `command` and run by the
   * image (admin-box: a general-purpose shell box); with neither, the image idles until stopped.
   * When false/absent only the container's `args` are appended (flags for the program, as a
   * container ENTRYPOINT receives them) and its `command` is ignored.
   */
  readonly passthroughCommand?: boolean;
  /** Normalised image references this image answers to (no registry `docker.io/`, tag or digest). */
  readonly references: readonly string[];
}

/** What an image folder declares; `program` is the compiled entry point beside the descriptor. */
export interface BuiltinImageDescriptor {
  name: string;
  description: string;
  references: readonly string[];
  /** `new URL('./main.cjs', import.meta.url)` from the descriptor module. */
  program: URL;
  passthroughCommand?: boolean;
  env?: Record<string, string>;
}

/** Turns a descriptor into the immutable BuiltinImage the registry hands out. */
export function defineImage(d: BuiltinImageDescriptor): BuiltinImage {
  const image: BuiltinImage = {
    name: d.name,
    description: d.description,
    command: Object.freeze([process.execPath, fileURLToPath(d.program)]),
    references: Object.freeze([...d.references]),
    ...(d.passthroughCommand ? { passthroughCommand: true } : {}),
    ...(d.env ? { env: Object.freeze({ ...d.env }) } : {}),
  };
  return Object.freeze(image);
}
