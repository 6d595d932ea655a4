// Command-line flag parsing with kubectl/kn (pflag) grammar: flags anywhere
// among positionals, `--flag value` and `--flag=value`, `-n ns`, `-nns` and
// `-n=ns`, combined boolean shorthands (`-Aw`), repeatable flags
// (`--env A=1 --env B=2`), `--` ends flags. Hand-written because
// node:util parseArgs has no repeatable-with-value shorthands, no `-nns`,
// no integers, and its error texts are not pflag's.
import { UsageError } from './errors.js';

export type FlagType = 'string' | 'boolean' | 'strings' | 'int';
export type FlagValue = string | boolean | number | string[];

export interface FlagSpec {
  /** Long name without dashes, e.g. `namespace`. */
  name: string;
  /** One-letter shorthand, e.g. `n`. */
  short?: string;
  type: FlagType;
  description: string;
  /** Word shown in help after the flag (`--image string`); defaults to the type. */
  placeholder?: string;
  default?: FlagValue;
  /** For `strings`: also split each value on commas (pflag StringSlice, e.g. `-f a.yaml,b.yaml`). */
  splitCommas?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  /** Index in argv of each positional (for the dispatcher). */
  positionalIndexes: number[];
  /** Only flags that were given (defaults are applied by the getters). */
  given: Map<string, FlagValue>;
  specs: Map<string, FlagSpec>;
}

const TRUE_WORDS = new Set(['true', 't', '1', 'TRUE', 'True', 'T']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'FALSE', 'False', 'F']);

function parseBool(spec: FlagSpec, raw: string): boolean {
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw new UsageError(`invalid argument "${raw}" for "--${spec.name}" flag: must be true or false`);
}

function store(given: Map<string, FlagValue>, spec: FlagSpec, raw: string, shown: string): void {
  switch (spec.type) {
    case 'boolean':
      given.set(spec.name, parseBool(spec, raw));
      return;
    case 'int': {
      if (!/^[-+]?\d+$/.test(raw.trim())) throw new UsageError(`invalid argument "${raw}" for "${shown}" flag: not an integer`);
      given.set(spec.name, Number.parseInt(raw, 10));
      return;
    }
    case 'string':
      given.set(spec.name, raw);
      return;
    case 'strings': {
      const prev = (given.get(spec.name) as string[] | undefined) ?? [];
      const add = spec.splitCommas ? raw.split(',').filter((s) => s !== '') : [raw];
      given.set(spec.name, [...prev, ...add]);
      return;
    }
  }
}

export interface ParseOptions {
  /** Ignore unknown flags (treated as booleans); used while locating the command words. */
  lenient?: boolean;
}

export function parseArgs(argv: readonly string[], specList: readonly FlagSpec[], opts: ParseOptions = {}): ParsedArgs {
  const specs = new Map<string, FlagSpec>();
  const shorts = new Map<string, FlagSpec>();
  for (const s of specList) {
    specs.set(s.name, s);
    if (s.short) shorts.set(s.short, s);
  }
  const given = new Map<string, FlagValue>();
  const positionals: string[] = [];
  const positionalIndexes: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      for (let j = i + 1; j < argv.length; j++) {
        positionals.push(argv[j]);
        positionalIndexes.push(j);
      }
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = specs.get(name);
      if (!spec) {
        if (opts.lenient) continue;
        throw new UsageError(`unknown flag: --${name}`);
      }
      if (eq >= 0) store(given, spec, a.slice(eq + 1), `--${name}`);
      else if (spec.type === 'boolean') given.set(spec.name, true);
      else if (i + 1 < argv.length) store(given, spec, argv[++i], `--${name}`);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // Shorthand cluster: booleans may combine (-Aw); a value flag takes the rest or the next word.
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        const spec = shorts.get(c);
        if (!spec) {
          if (opts.lenient) break;
          throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
        }
        if (spec.type === 'boolean') {
          if (a[k + 1] === '=') {
            store(given, spec, a.slice(k + 2), `-${c}`);
            break;
          }
          given.set(spec.name, true);
          continue;
        }
        let rest = a.slice(k + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '' || a[k + 1] === '=') store(given, spec, rest, `-${c}`);
        else if (i + 1 < argv.length) store(given, spec, argv[++i], `-${c}`);
        else throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    positionals.push(a);
    positionalIndexes.push(i);
  }
  return { positionals, positionalIndexes, given, specs };
}

/** Typed access to parsed flags, with defaults from the specs. */
export class Flags {
  constructor(private readonly parsed: ParsedArgs) {}

  get positionals(): string[] {
    return this.parsed.positionals;
  }

  has(name: string): boolean {
    return this.parsed.given.has(name);
  }

  private value(name: string): FlagValue | undefined {
    if (this.parsed.given.has(name)) return this.parsed.given.get(name);
    const spec = this.parsed.specs.get(name);
    if (!spec) throw new Error(`flag --${name} is not declared for this command`);
    return spec.default;
  }

  string(name: string): string | undefined {
    const v = this.value(name);
    return v === undefined ? undefined : String(v);
  }

  bool(name: string): boolean {
    return this.value(name) === true;
  }

  int(name: string): number | undefined {
    const v = this.value(name);
    return typeof v === 'number' ? v : undefined;
  }

  strings(name: string): string[] {
    const v = this.value(name);
    return Array.isArray(v) ? v : v === undefined ? [] : [String(v)];
  }
}
