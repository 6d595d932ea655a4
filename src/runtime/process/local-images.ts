// Users' own workloads from a local directory, with no Dockerfile or
// registry: the image references `local:/abs/dir` and `file:///abs/dir` name a
// directory on this machine, and the agent runs what is in it:
//  1. `package.json` with a `start` script → `npm start` (cwd = the directory);
//  2. else an executable file `run`, then `start` → that file (cwd = the directory).
// PORT and the rest of the environment are set as for any container; the
// container's own `command`/`args` still override (Docker's rules), and its
// `workingDir` still wins over the directory.
// A directory Skiff cannot run fails like an image that cannot be pulled
// (ErrImagePull, which the Revision reconciler turns into ContainerMissing)
// with a message naming what was looked for. The decision is pure
// (`planLocalImage`, over an injected directory probe); `localImageResolver`
// adds the file-system probe.
import { access, constants as fsConstants, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageNotRunnableError, type ImageResolver, type ResolvedImage } from './images.js';

export const LOCAL_IMAGE_PREFIXES = ['local:', 'file://'] as const;

/** Is this image reference one of ours (`local:…` or `file://…`)? */
export function isLocalImageRef(image: string): boolean {
  const s = image.trim();
  return s.startsWith('local:') || s.startsWith('file://');
}

/** The absolute directory a local image reference names; throws ImageNotRunnableError when it is not absolute. */
export function localImageDir(image: string): string {
  const s = image.trim();
  let dir: string;
  if (s.startsWith('file://')) {
    try {
      dir = fileURLToPath(s);
    } catch (e) {
      throw new ImageNotRunnableError(image, `image "${image}": not a valid file URL (use file:///absolute/path): ${(e as Error).message}`);
    }
  } else dir = s.slice('local:'.length);
  if (!dir || !isAbsolute(dir)) throw new ImageNotRunnableError(image, `image "${image}": a local image must name an absolute directory, e.g. local:/home/me/app`);
  return normalize(dir).replace(/(.)\/+$/, '$1');
}

/** What the resolver learns about the directory (injected, so the decision stays pure). */
export interface LocalDirProbe {
  isDirectory: boolean;
  /** Parsed package.json, undefined when absent; a string when it is not valid JSON (the parse error). */
  packageJson?: unknown;
  /** Names among `run`, `start` that are executable regular files. */
  executables: string[];
}

/** Decide how to run a local directory (pure). */
export function planLocalImage(image: string, dir: string, probe: LocalDirProbe): ResolvedImage {
  const imageID = `local://${dir}`;
  if (!probe.isDirectory) throw new ImageNotRunnableError(image, `image "${image}": ${dir} is not a directory on this machine`);
  const pkg = probe.packageJson;
  if (typeof pkg === 'string') throw new ImageNotRunnableError(image, `image "${image}": ${join(dir, 'package.json')} is not valid JSON: ${pkg}`);
  const start = (pkg as { scripts?: Record<string, unknown> } | undefined)?.scripts?.start;
  if (typeof start === 'string' && start.trim()) return { command: ['npm', 'start'], cwd: dir, imageID };
  for (const name of ['run', 'start']) if (probe.executables.includes(name)) return { command: [join(dir, name)], cwd: dir, imageID };
  throw new ImageNotRunnableError(
    image,
    `image "${image}": nothing to run in ${dir}: looked for package.json with a "start" script, then an executable file "run" or "start"` +
      (pkg !== undefined ? ' (package.json has no "start" script)' : ''),
  );
}

async function probeDir(dir: string): Promise<LocalDirProbe> {
  const isDirectory = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDirectory) return { isDirectory, executables: [] };
  let packageJson: unknown;
  const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
  if (text !== undefined) {
    try {
      packageJson = JSON.parse(text);
    } catch (e) {
      packageJson = (e as Error).message;
    }
  }
  const executables: string[] = [];
  for (const name of ['run', 'start']) {
    const p = join(dir, name);
    const ok = await stat(p).then(
      (s) => s.isFile() && access(p, fsConstants.X_OK).then(() => true, () => false),
      () => false,
    );
    if (ok) executables.push(name);
  }
  return { isDirectory, packageJson, executables };
}

/** The agent's resolver for `local:`/`file://` images (reads the directory afresh at each container start). */
export const localImageResolver: ImageResolver = async (image) => {
  const dir = localImageDir(image);
  return planLocalImage(image, dir, await probeDir(dir));
};
