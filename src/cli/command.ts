// A tiny command framework for kn's grammar (`skiff <noun> <verb> NAME
// --flag v -n ns`) and kubectl's verbs (`skiff get pods`): a tree of
// Commands, dispatch that finds the command words among flags, per-command
// help text, and the one place errors become a line on stderr + exit code.
import { Flags, parseArgs, type FlagSpec } from './args.js';
import { CliContext, GLOBAL_FLAGS, parseOutputFormat, resolveDataDir, type CliIO, type ClientFactory, type OutputFormat } from './context.js';
import { isCliError, UsageError } from './errors.js';

export interface Command {
  name: string;
  aliases?: string[];
  /** One line for command lists. */
  summary: string;
  /** After `skiff `, e.g. `get KIND[,KIND...] [NAME...] [flags]`. */
  usage?: string;
  /** Longer text for --help (defaults to the summary). */
  description?: string;
  examples?: string[];
  flags?: FlagSpec[];
  /** A noun's verbs (`service create`). */
  subcommands?: Command[];
  /** What `-o` accepts for this command (default yaml|json|wide|name); kn's describe verbs add `url`. */
  outputFormats?: readonly OutputFormat[];
  /** Hand argv to run() unparsed (e.g. `up`, which parses its own flags). */
  rawArgs?: boolean;
  run?(ctx: CliContext, flags: Flags, argv: string[]): Promise<number | void>;
  /**
   * A lazy entry: name, aliases and summary are known up front (enough for the
   * root help), the rest comes from load() the first time the command is used.
   * Keeps start-up from importing every command's module (see commands/index.ts).
   */
  load?(): Promise<Command>;
}

export interface RunOptions {
  clientFactory?: ClientFactory;
}

function findCommand(list: readonly Command[], word: string): Command | undefined {
  return list.find((c) => c.name === word || c.aliases?.includes(word));
}

/** A found command with its module loaded (lazy entries import it now). */
async function loaded(cmd: Command): Promise<Command> {
  return cmd.load ? cmd.load() : cmd;
}

function flagLines(specs: readonly FlagSpec[]): string[] {
  const rows = specs.map((s) => {
    const arg = s.type === 'boolean' ? '' : ` ${s.placeholder ?? (s.type === 'strings' ? 'stringArray' : s.type)}`;
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${arg}`;
    const def = s.default !== undefined && s.default !== false && !(Array.isArray(s.default) && !s.default.length) ? ` (default ${JSON.stringify(s.default)})` : '';
    return [left, s.description + def];
  });
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([l, d]) => `  ${l.padEnd(w)}   ${d}`);
}

/** Help text for a command (or the root when `path` is empty). */
export function helpText(root: readonly Command[], path: readonly Command[]): string {
  const lines: string[] = [];
  const cmd = path[path.length - 1];
  const words = ['skiff', ...path.map((c) => c.name)].join(' ');
  if (!cmd) {
    lines.push('skiff runs Knative Serving and Eventing on one machine and manages its resources.', '', 'Usage:', '  skiff <command> [flags]', '', 'Commands:');
    const w = Math.max(...root.map((c) => c.name.length));
    for (const c of root) lines.push(`  ${c.name.padEnd(w)}   ${c.summary}`);
    lines.push('', 'Global Flags:', ...flagLines(GLOBAL_FLAGS), '', `Use "skiff <command> --help" for more information about a command.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(cmd.description ?? cmd.summary, '', 'Usage:', `  skiff ${cmd.usage ?? `${path.map((c) => c.name).join(' ')}${cmd.subcommands ? ' <command>' : ''} [flags]`}`);
  if (cmd.aliases?.length) lines.push('', 'Aliases:', `  ${[cmd.name, ...cmd.aliases].join(', ')}`);
  if (cmd.examples?.length) lines.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  if (cmd.subcommands?.length) {
    const w = Math.max(...cmd.subcommands.map((c) => c.name.length));
    lines.push('', 'Available Commands:', ...cmd.subcommands.map((c) => `  ${c.name.padEnd(w)}   ${c.summary}`));
  }
  if (cmd.flags?.length) lines.push('', 'Flags:', ...flagLines(cmd.flags));
  if (!cmd.rawArgs) lines.push('', 'Global Flags:', ...flagLines(GLOBAL_FLAGS));
  if (cmd.subcommands?.length) lines.push('', `Use "${words} <command> --help" for more information about a command.`);
  return `${lines.join('\n')}\n`;
}

function allFlags(path: readonly Command[]): FlagSpec[] {
  const seen = new Set<string>();
  const out: FlagSpec[] = [];
  for (const s of [...GLOBAL_FLAGS, ...path.flatMap((c) => c.flags ?? [])]) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    out.push(s);
  }
  return out;
}

/**
 * Run the CLI: find the command words, parse flags, run, and map errors to
 * one line on stderr. Returns the exit code (never throws for user errors).
 */
export async function runCommands(root: readonly Command[], argv: readonly string[], io: CliIO, opts: RunOptions = {}): Promise<number> {
  let ctx: CliContext | undefined;
  let commandPath = 'skiff';
  try {
    // Locate command words: positionals while walking down the tree.
    const path: Command[] = [];
    const commandIndexes: number[] = [];
    let list: readonly Command[] = root;
    let helpWords: string[] | undefined;
    while (true) {
      const scan = parseArgs(argv, allFlags(path), { lenient: true });
      const k = commandIndexes.length;
      const word = scan.positionals[k];
      const idx = scan.positionalIndexes[k];
      if (word === undefined) break;
      if (path.length === 0 && word === 'help') {
        helpWords = scan.positionals.slice(1);
        break;
      }
      const found = findCommand(list, word);
      if (!found) {
        if (path.length === 0) throw new UsageError(`unknown command "${word}" for "skiff"`);
        if (path[path.length - 1].subcommands) throw new UsageError(`unknown command "${word}" for "skiff ${path.map((c) => c.name).join(' ')}"`);
        break;
      }
      const cmd = await loaded(found);
      path.push(cmd);
      commandIndexes.push(idx);
      commandPath = `skiff ${path.map((c) => c.name).join(' ')}`;
      if (cmd.rawArgs || !cmd.subcommands) break;
      list = cmd.subcommands;
    }
    if (helpWords) {
      const hp: Command[] = [];
      let l: readonly Command[] = root;
      for (const w of helpWords) {
        const f = findCommand(l, w);
        if (!f) throw new UsageError(`unknown help topic "${helpWords.join(' ')}"`);
        const c = await loaded(f);
        hp.push(c);
        l = c.subcommands ?? [];
      }
      io.stdout.write(helpText(root, hp));
      return 0;
    }
    const cmd = path[path.length - 1];
    const rest = argv.filter((_, i) => !commandIndexes.includes(i));
    if (cmd?.rawArgs) {
      const code = await cmd.run?.(new CliContext(io, { dataDir: resolveDataDir(undefined, io.env, io.homedir), allNamespaces: false }), new Flags(parseArgs([], [])), rest);
      return code ?? 0;
    }
    const parsed = parseArgs(rest, allFlags(path));
    const flags = new Flags(parsed);
    if (!cmd || flags.bool('help') || (!cmd.run && cmd.subcommands)) {
      io.stdout.write(helpText(root, path));
      return 0;
    }
    ctx = new CliContext(
      io,
      {
        api: flags.string('api'),
        dataDir: resolveDataDir(flags.string('data-dir'), io.env, io.homedir),
        namespace: flags.string('namespace'),
        allNamespaces: flags.bool('all-namespaces'),
        output: parseOutputFormat(flags.string('output'), cmd.outputFormats),
      },
      opts.clientFactory,
    );
    ctx.commandPath = commandPath;
    const code = await cmd.run!(ctx, flags, rest);
    return code ?? 0;
  } catch (e) {
    if (e instanceof UsageError) e.commandPath = commandPath;
    if (isCliError(e)) {
      io.stderr.write(`${e.render()}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr.write(`skiff: internal error: ${err?.message ?? String(e)}\n`);
    if (io.env.SKIFF_DEBUG) io.stderr.write(`${err?.stack ?? ''}\n`);
    return 1;
  } finally {
    await ctx?.close();
  }
}
