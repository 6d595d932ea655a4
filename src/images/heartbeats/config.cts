// Configuration of the `heartbeats` image (Knative's cmd/heartbeats, the ContainerSource sample),
// parsed from argv and env with the Go program's rules: Go `flag` syntax (-name=value, --name value),
// flags -eventSource, -eventType, -sink, -label, -period (Go duration, or integer seconds; default
// 5s); env K_SINK (wins over -sink), K_CE_OVERRIDES ({"extensions":{...}}), POD_NAME and
// POD_NAMESPACE (required), ONE_SHOT. `-msg` is accepted as an alias of -label. Pure.
import { goParseBool, goUnquote, parseGoDuration } from '../lib/go-compat.cjs';

export const HEARTBEAT_EVENT_TYPE = 'dev.knative.eventing.samples.heartbeat';

export interface HeartbeatsConfig {
  sink: string;
  eventSource: string;
  eventType: string;
  label: string;
  periodMs: number;
  oneShot: boolean;
  /** Extensions from K_CE_OVERRIDES, applied over the built-in the/heart/beats. */
  extensionOverrides: Record<string, string>;
  /** True when eventSource was derived from the pod (the Go program logs it). */
  defaultSource: boolean;
}

/** Exit status 2 for command-line errors (like Go's flag package), 1 for bad environment. */
export type ConfigResult = { ok: true; config: HeartbeatsConfig } | { ok: false; error: string; exitCode: 1 | 2 };

const FLAGS = ['eventSource', 'eventType', 'sink', 'label', 'period'] as const;
type FlagName = (typeof FLAGS)[number];
const FLAG_ALIASES: Readonly<Record<string, FlagName>> = { msg: 'label' };

export const HEARTBEATS_USAGE = `Usage of heartbeats:
  -eventSource string
    \tthe event-source (CloudEvents)
  -eventType string
    \tthe event-type (CloudEvents) (default "${HEARTBEAT_EVENT_TYPE}")
  -label string
    \ta special label (alias: -msg)
  -period string
    \tthe duration between heartbeats. Supported formats: Go (https://pkg.go.dev/time#ParseDuration), integers (interpreted as seconds) (default "5s")
  -sink string
    \tthe host url to heartbeat to
`;

/** Parses Go-style flags; stops at the first non-flag argument or "--", as Go's flag package does. */
function parseFlags(argv: readonly string[]): { ok: true; flags: Partial<Record<FlagName, string>> } | { ok: false; error: string; help?: boolean } {
  const flags: Partial<Record<FlagName, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const rawName = eq === -1 ? body : body.slice(0, eq);
    if (rawName === 'h' || rawName === 'help') return { ok: false, error: '', help: true };
    const name = (FLAGS as readonly string[]).includes(rawName) ? (rawName as FlagName) : FLAG_ALIASES[rawName];
    if (!name) return { ok: false, error: `flag provided but not defined: -${rawName}` };
    if (eq !== -1) {
      flags[name] = body.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) return { ok: false, error: `flag needs an argument: -${rawName}` };
      flags[name] = argv[++i]!;
    }
  }
  return { ok: true, flags };
}

/** Go's period rule: a Go duration, else an integer number of seconds. Must be positive. */
export function parsePeriod(raw: string): number | undefined {
  if (raw === '') return 5000;
  const d = parseGoDuration(raw);
  const ms = d !== undefined ? d : /^[+-]?\d+$/.test(raw) ? Number(raw) * 1000 : undefined;
  return ms !== undefined && ms > 0 ? ms : undefined;
}

export function parseHeartbeatsConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult & { help?: boolean } {
  const parsed = parseFlags(argv);
  if (!parsed.ok) return { ok: false, error: parsed.error, exitCode: 2, ...(parsed.help ? { help: true } : {}) };
  const flags = parsed.flags;
  const podName = env.POD_NAME;
  const podNamespace = env.POD_NAMESPACE;
  if (!podName) return { ok: false, error: '[ERROR] Failed to process env var: required key POD_NAME missing value', exitCode: 1 };
  if (!podNamespace) return { ok: false, error: '[ERROR] Failed to process env var: required key POD_NAMESPACE missing value', exitCode: 1 };
  let oneShot = false;
  if (env.ONE_SHOT !== undefined && env.ONE_SHOT !== '') {
    const b = goParseBool(env.ONE_SHOT);
    if (b === undefined) {
      return { ok: false, error: `[ERROR] Failed to process env var: ONE_SHOT=${JSON.stringify(env.ONE_SHOT)} is not a boolean`, exitCode: 1 };
    }
    oneShot = b;
  }
  const extensionOverrides: Record<string, string> = {};
  if (env.K_CE_OVERRIDES) {
    let overrides: unknown;
    try {
      overrides = JSON.parse(env.K_CE_OVERRIDES);
    } catch (err) {
      return { ok: false, error: `[ERROR] Unparseable CloudEvents overrides ${env.K_CE_OVERRIDES}: ${(err as Error).message}`, exitCode: 1 };
    }
    const ext = (overrides as { extensions?: unknown } | null)?.extensions;
    if (ext !== undefined && ext !== null) {
      if (typeof ext !== 'object' || Array.isArray(ext) || Object.values(ext).some((v) => typeof v !== 'string')) {
        return { ok: false, error: `[ERROR] Unparseable CloudEvents overrides ${env.K_CE_OVERRIDES}: extensions must map names to strings`, exitCode: 1 };
      }
      for (const [k, v] of Object.entries(ext as Record<string, string>)) {
        if (!/^[a-zA-Z0-9]+$/.test(k)) {
          return { ok: false, error: `[ERROR] K_CE_OVERRIDES: extension name ${JSON.stringify(k)} must be letters and digits only`, exitCode: 1 };
        }
        extensionOverrides[k.toLowerCase()] = v;
      }
    }
  }
  const periodRaw = flags.period ?? '5s';
  const periodMs = parsePeriod(periodRaw);
  if (periodMs === undefined) return { ok: false, error: `Invalid period interval provided: ${JSON.stringify(periodRaw)}`, exitCode: 1 };
  let label = flags.label ?? '';
  if (label.startsWith('"')) label = goUnquote(label) ?? '';
  const defaultSource = !flags.eventSource;
  return {
    ok: true,
    config: {
      sink: env.K_SINK || flags.sink || '',
      eventSource: flags.eventSource || `https://knative.dev/eventing-contrib/cmd/heartbeats/#${podNamespace}/${podName}`,
      eventType: flags.eventType ?? HEARTBEAT_EVENT_TYPE,
      label,
      periodMs,
      oneShot,
      extensionOverrides,
      defaultSource,
    },
  };
}
