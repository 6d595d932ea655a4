// ConfigMap knative-serving/config-gc (Knative pkg/gc/config.go): how long
// non-active revisions are kept and how many. Durations are Go durations,
// counts non-negative integers; `disabled` switches a bound off. Pure.
import { parseGoDuration } from '../../../api/go-syntax.js';
import { ConfigMapParseError } from '../revision/config.js';

export const CONFIG_GC = 'config-gc';
/** A bound switched off with `disabled`. */
export const DISABLED = -1;

export interface GcConfig {
  /** Revisions younger than this are kept (ms; DISABLED = no age bound). Default 48h. */
  readonly retainSinceCreateTimeMs: number;
  /** Revisions active more recently than this are kept (ms; DISABLED = no bound). Default 15h. */
  readonly retainSinceLastActiveTimeMs: number;
  /** Always keep at least this many non-active revisions. Default 20. */
  readonly minNonActiveRevisions: number;
  /** Never keep more than this many non-active revisions (DISABLED = no maximum). Default 1000. */
  readonly maxNonActiveRevisions: number;
}

export const DEFAULT_GC_CONFIG: GcConfig = Object.freeze({
  retainSinceCreateTimeMs: 48 * 3_600_000,
  retainSinceLastActiveTimeMs: 15 * 3_600_000,
  minNonActiveRevisions: 20,
  maxNonActiveRevisions: 1000,
});

function isDisabled(v: string): boolean {
  return v.trim().toLowerCase() === 'disabled';
}

function durationOrDisabled(data: Readonly<Record<string, string>>, key: string, dflt: number): number {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return dflt;
  if (isDisabled(raw)) return DISABLED;
  const ms = parseGoDuration(raw.trim());
  if (ms === undefined) throw new ConfigMapParseError(CONFIG_GC, key, `invalid duration ${JSON.stringify(raw)} (use Go syntax such as 48h or "disabled")`);
  if (ms < 0) throw new ConfigMapParseError(CONFIG_GC, key, 'must be non-negative');
  return ms;
}

function count(data: Readonly<Record<string, string>>, key: string, dflt: number, allowDisabled: boolean): number {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return dflt;
  if (allowDisabled && isDisabled(raw)) return DISABLED;
  if (!/^\s*\d+\s*$/.test(raw)) {
    throw new ConfigMapParseError(CONFIG_GC, key, `invalid value ${JSON.stringify(raw)}: want a non-negative integer${allowDisabled ? ' or "disabled"' : ''}`);
  }
  return Number(raw.trim());
}

export function parseGcConfig(data: Readonly<Record<string, string>>): GcConfig {
  const cfg: GcConfig = {
    retainSinceCreateTimeMs: durationOrDisabled(data, 'retain-since-create-time', DEFAULT_GC_CONFIG.retainSinceCreateTimeMs),
    retainSinceLastActiveTimeMs: durationOrDisabled(data, 'retain-since-last-active-time', DEFAULT_GC_CONFIG.retainSinceLastActiveTimeMs),
    minNonActiveRevisions: count(data, 'min-non-active-revisions', DEFAULT_GC_CONFIG.minNonActiveRevisions, false),
    maxNonActiveRevisions: count(data, 'max-non-active-revisions', DEFAULT_GC_CONFIG.maxNonActiveRevisions, true),
  };
  if (cfg.maxNonActiveRevisions >= 0 && cfg.minNonActiveRevisions > cfg.maxNonActiveRevisions) {
    throw new ConfigMapParseError(
      CONFIG_GC,
      'min-non-active-revisions',
      `min-non-active-revisions(${cfg.minNonActiveRevisions}) must be <= max-non-active-revisions(${cfg.maxNonActiveRevisions})`,
    );
  }
  return Object.freeze(cfg);
}
