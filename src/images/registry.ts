// Registry of built-in images: maps a container's `image` (the sample images of Knative's docs and
// of the seed transcript) to the local program Skiff runs instead, since embedded mode has no
// container engine. The node agent calls resolveBuiltinImage(container.image) and spawns
// builtinImageArgv(image, container).
//
// Adding an image = a folder `src/images/<name>/` with `main.cts` (the program) and `image.ts`
// (its descriptor: name, description, references), plus one line in IMAGES below.
//
// The programs are CommonJS (`.cts`), unlike the rest of Skiff: loading an ESM entry point costs
// node ~8 ms more than CommonJS, and an image's cold start is measured against a bare `node` start.
// Their descriptors are ESM and type-import main.cts, which is what puts it in the build.
import type { BuiltinImage } from './image-spec.js';
import adminBox from './admin-box/image.js';
import appender from './appender/image.js';
import autoscaleGo from './autoscale-go/image.js';
import eventDisplay from './event-display/image.js';
import filterNodejs from './filter-nodejs/image.js';
import heartbeats from './heartbeats/image.js';
import helloworld from './helloworld/image.js';

export type { BuiltinImage } from './image-spec.js';

const IMAGES: readonly BuiltinImage[] = [helloworld, autoscaleGo, eventDisplay, appender, filterNodejs, heartbeats, adminBox];

const REGISTRY_PREFIXES = ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/', 'registry.hub.docker.com/'];

/**
 * Normalises an image reference for lookup: lower-cased, digest (`@sha256:…`) and tag (`:x`)
 * removed, Docker Hub's registry host and `library/` namespace removed. A registry port
 * (`localhost:5000/x`) is not mistaken for a tag.
 */
export function normalizeImageRef(image: string): string {
  let ref = image.trim().toLowerCase();
  const at = ref.indexOf('@');
  if (at !== -1) ref = ref.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) ref = ref.slice(0, colon);
  for (const prefix of REGISTRY_PREFIXES) {
    if (ref.startsWith(prefix)) {
      ref = ref.slice(prefix.length);
      break;
    }
  }
  if (ref.startsWith('library/')) ref = ref.slice('library/'.length);
  return ref;
}

const BY_REFERENCE: ReadonlyMap<string, BuiltinImage> = (() => {
  const map = new Map<string, BuiltinImage>();
  for (const image of IMAGES) {
    for (const ref of image.references) {
      const key = normalizeImageRef(ref);
      const clash = map.get(key);
      if (clash) throw new Error(`built-in images ${clash.name} and ${image.name} both claim ${key}`);
      map.set(key, image);
    }
  }
  return map;
})();

/** The built-in image for a container's `image` string, or undefined when Skiff has none. */
export function resolveBuiltinImage(image: string): BuiltinImage | undefined {
  return BY_REFERENCE.get(normalizeImageRef(image));
}

/** Every built-in image, in a stable order. */
export function listBuiltinImages(): readonly BuiltinImage[] {
  return IMAGES;
}

/** The part of a container spec that decides what a built-in image is started with. */
export interface ContainerCommand {
  command?: readonly string[];
  args?: readonly string[];
}

/**
 * The argv to spawn for `container` running `image`: a passthrough image (admin-box) gets the
 * container's command and args appended; any other image gets only its args (flags for the
 * program, e.g. heartbeats' `--period=1`), its `command` being the sample program itself.
 */
export function builtinImageArgv(image: BuiltinImage, container: ContainerCommand = {}): string[] {
  if (image.passthroughCommand) return [...image.command, ...(container.command ?? []), ...(container.args ?? [])];
  return [...image.command, ...(container.args ?? [])];
}
