// What every command gets: its I/O (injected so tests capture output), the
// global options, and a lazily-created HTTP client for the Skiff API. Also
// owns finding the API: --api, then SKIFF_API, then the record `skiff up`
// writes at <data-dir>/api.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FlagSpec } from './args.js';
import { UnreachableError, UsageError, UserError } from './errors.js';
import { KubeClient } from './http.js';

export interface Output {
  write(chunk: string | Uint8Array): unknown;
}

export interface CliIO {
  stdout: Output;
  stderr: Output;
  stdin: AsyncIterable<string | Uint8Array>;
  env: Record<string, string | undefined>;
  cwd: string;
  homedir: string;
  /** Ends long-running commands (`get -w`, `logs -f`); main wires it to SIGINT, tests abort it. */
  signal?: AbortSignal;
}

export type OutputFormat = 'yaml' | 'json' | 'wide' | 'name' | 'url';
/** What `-o` accepts unless a command says otherwise (kn's describe commands add `url`). */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'name', 'wide', 'yaml'];

export interface GlobalOptions {
  api?: string;
  dataDir: string;
  namespace?: string;
  allNamespaces: boolean;
  output?: OutputFormat;
}

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'api', type: 'string', placeholder: 'URL', description: 'Skiff API URL (default: $SKIFF_API, else <data-dir>/api.json written by `skiff up`)' },
  { name: 'data-dir', type: 'string', placeholder: 'DIR', description: 'Skiff data directory (default: $SKIFF_DATA_DIR, else ~/.skiff)' },
  { name: 'namespace', short: 'n', type: 'string', description: 'namespace to use (default "default")' },
  { name: 'all-namespaces', short: 'A', type: 'boolean', description: 'across all namespaces' },
  { name: 'output', short: 'o', type: 'string', placeholder: 'FORMAT', description: 'output format: yaml|json|wide|name' },
  { name: 'help', short: 'h', type: 'boolean', description: 'help for this command' },
];

export function parseOutputFormat(raw: string | undefined, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat | undefined {
  if (raw === undefined || raw === '') return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as OutputFormat;
  throw new UsageError(`unable to match a printer suitable for the output format "${raw}", allowed formats are: ${allowed.join(',')}`);
}

export function resolveDataDir(flag: string | undefined, env: CliIO['env'], homedir: string): string {
  return flag || env.SKIFF_DATA_DIR || join(homedir, '.skiff');
}

/** The record `skiff up` writes so other commands find the running API. */
export interface ApiRecord {
  api: string;
  gateway?: string;
  pid?: number;
}

export interface Endpoint {
  url: string;
  source: 'flag' | 'env' | 'file';
  record?: ApiRecord;
}

function checkUrl(url: string, from: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`invalid API URL "${url}" (from ${from}): must look like http://127.0.0.1:PORT`, 'SKIFF_ERR_CLI_BAD_API_URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UserError(`invalid API URL "${url}" (from ${from}): only http and https are supported`, 'SKIFF_ERR_CLI_BAD_API_URL');
  return url.replace(/\/+$/, '');
}

export async function resolveEndpoint(opts: {
  apiFlag?: string;
  env: CliIO['env'];
  dataDir: string;
  read?: (path: string) => Promise<string>;
}): Promise<Endpoint> {
  if (opts.apiFlag) return { url: checkUrl(opts.apiFlag, '--api'), source: 'flag' };
  if (opts.env.SKIFF_API) return { url: checkUrl(opts.env.SKIFF_API, 'SKIFF_API'), source: 'env' };
  const file = join(opts.dataDir, 'api.json');
  const read = opts.read ?? ((p: string) => readFile(p, 'utf8'));
  let text: string;
  try {
    text = await read(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UnreachableError(undefined, `no --api, no SKIFF_API and no ${file}`);
    throw new UserError(`cannot read ${file}: ${(e as Error).message}`, 'SKIFF_ERR_CLI_API_RECORD');
  }
  let record: ApiRecord;
  try {
    record = JSON.parse(text);
  } catch (e) {
    throw new UserError(`cannot parse ${file}: ${(e as Error).message}`, 'SKIFF_ERR_CLI_API_RECORD');
  }
  if (!record || typeof record.api !== 'string') throw new UserError(`${file} has no "api" URL`, 'SKIFF_ERR_CLI_API_RECORD');
  return { url: checkUrl(record.api, file), source: 'file', record };
}

export type ClientFactory = (url: string) => KubeClient;

export class CliContext {
  private clientPromise?: Promise<KubeClient>;
  private made?: KubeClient;
  /** `skiff get` etc., for help hints in errors. */
  commandPath = 'skiff';

  constructor(
    readonly io: CliIO,
    readonly globals: GlobalOptions,
    private readonly makeClient: ClientFactory = (url) => new KubeClient(url),
  ) {}

  out(s: string): void {
    this.io.stdout.write(s);
  }

  err(s: string): void {
    this.io.stderr.write(s);
  }

  /** Namespace for namespaced commands: -n, else "default". */
  namespace(): string {
    return this.globals.namespace || 'default';
  }

  endpoint(): Promise<Endpoint> {
    return resolveEndpoint({ apiFlag: this.globals.api, env: this.io.env, dataDir: this.globals.dataDir });
  }

  client(): Promise<KubeClient> {
    this.clientPromise ??= this.endpoint().then((ep) => (this.made = this.makeClient(ep.url)));
    return this.clientPromise;
  }

  async close(): Promise<void> {
    await this.made?.close();
  }
}
