// The verb bodies every eventing noun repeats: kn's list (optional NAME,
// -A with a NAMESPACE column, -o json|yaml|name, --no-headers, "No brokers
// found."), delete with kn's wording, describe's machine-readable outputs, and
// an injectable clock so commands can be driven with a fixed time.
import type { KObject } from '../../../api/meta.js';
import type { Flags } from '../../args.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import type { ApiResource } from '../../discovery.js';
import { ServerError } from '../../errors.js';
import type { KubeClient } from '../../http.js';
import { KnError, renderListTable, toKnError } from '../../knative-format.js';
import { listObjects, NO_HEADERS_FLAG, printMachineReadable } from '../service/read.js';

/** A kn error whose help hint names the command that failed (`Run 'skiff trigger create --help' for usage`). */
export class CommandKnError extends KnError {
  constructor(
    message: string,
    code: string,
    readonly commandPath: string,
  ) {
    super(message, code);
    this.name = 'CommandKnError';
  }
  override render(): string {
    return `Error: ${this.message.replace(/^error:\s*/i, '')}\nRun '${this.commandPath} --help' for usage`;
  }
}

/** Run a verb: server failures and kn errors are reported in kn's words, naming the command. */
export async function knVerb<T>(ctx: CliContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const k = toKnError(e);
    if (k instanceof KnError && !(k instanceof CommandKnError)) throw new CommandKnError(k.message, k.code, ctx.commandPath);
    throw k;
  }
}

/** Wall clock for ages; tests replace it (`setEventingClock`). */
let clock: () => number = Date.now;

export function eventingNow(): number {
  return clock();
}

/** Use a fixed clock (tests); returns a function restoring the previous one. */
export function setEventingClock(now: () => number): () => void {
  const prev = clock;
  clock = now;
  return () => {
    clock = prev;
  };
}

export interface ListSpec {
  resource: ApiResource;
  /** "No brokers found." */
  empty: string;
  headers: string[];
  rows(items: KObject[], now: number, withNamespace: boolean): string[][];
  /** Reorder before printing (kn sorts some kinds). */
  order?(items: KObject[], allNamespaces: boolean): KObject[];
  /** Error for more than one NAME. */
  usage: string;
}

export async function runList(ctx: CliContext, flags: Flags, spec: ListSpec): Promise<number> {
  const client = await ctx.client();
  const list = await listObjects(ctx, client, spec.resource, flags.positionals, spec.usage);
  if (printMachineReadable(ctx, spec.resource, list.items, list)) return 0;
  if (list.items.length === 0) {
    ctx.out(`${spec.empty}\n`);
    return 0;
  }
  const withNs = ctx.globals.allNamespaces;
  const items = spec.order ? spec.order(list.items, withNs) : list.items;
  const headers = withNs ? ['NAMESPACE', ...spec.headers] : spec.headers;
  ctx.out(renderListTable(headers, spec.rows(items, eventingNow(), withNs), { noHeaders: flags.bool('no-headers') }));
  return 0;
}

/** kn's `<noun> list` command (`[NAME] [-n NS | -A] [-o json|yaml|name] [--no-headers]`), run by `runList`. */
export function listCommandFor(noun: string, plural: string, examples: string[], spec: ListSpec): Command {
  return {
    name: 'list',
    aliases: ['ls'],
    summary: `List ${plural}`,
    usage: `${noun} list [NAME] [-n NS | -A] [-o json|yaml|name] [--no-headers]`,
    examples,
    flags: [NO_HEADERS_FLAG],
    run: (ctx, flags) => knVerb(ctx, () => runList(ctx, flags, spec)),
  };
}

/** `-o json|yaml|name` for one object; true when printed. */
export function printObject(ctx: CliContext, r: ApiResource, obj: KObject): boolean {
  return printMachineReadable(ctx, r, [obj], undefined);
}

/** kn wraps some failures as `cannot <verb> <kind> 'name' in namespace 'ns' because: <cause>`. */
export function because(verb: string, kind: string, name: string, namespace: string, e: unknown): unknown {
  if (e instanceof ServerError || e instanceof KnError) return new KnError(`cannot ${verb} ${kind} '${name}' in namespace '${namespace}' because: ${e.message}`, e.code);
  return e;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until the object is gone (kn's delete --wait). */
export async function waitGone(client: KubeClient, r: ApiResource, ns: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (await client.tryGet(r, ns, name)) {
    if (Date.now() >= deadline) throw new KnError(`timeout: ${r.kind.toLowerCase()} '${name}' not deleted after ${Math.trunc(timeoutMs / 1000)} seconds`, 'SKIFF_ERR_KN_TIMEOUT');
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, 1000);
  }
}
