// Traffic block validation and defaulting (route_validation.go,
// route_defaults.go): percents sum to exactly 100, revisionName XOR
// configurationName, tags DNS-1035 and unique, latestRevision consistency.
import type { FieldError } from '../errors.js';
import { isDns1035Label } from '../validation.js';

export interface TrafficTarget {
  tag?: string;
  revisionName?: string;
  configurationName?: string;
  latestRevision?: boolean;
  percent?: number;
  url?: string;
}

export function defaultTraffic(traffic: TrafficTarget[] | undefined): void {
  for (const t of traffic ?? []) {
    if (!t || typeof t !== 'object') continue;
    if (t.latestRevision === undefined) t.latestRevision = !t.revisionName;
  }
}

/**
 * @param inService traffic inside a Service: configurationName is forbidden (implicit).
 */
export function validateTraffic(traffic: unknown, path: string, inService: boolean): FieldError[] {
  if (traffic === undefined || traffic === null) return [];
  if (!Array.isArray(traffic)) return [{ path, message: 'must be a list', type: 'FieldValueInvalid' }];
  const errs: FieldError[] = [];
  let sum = 0;
  const tags = new Map<string, number>();
  traffic.forEach((t: any, i: number) => {
    const p = `${path}[${i}]`;
    if (!t || typeof t !== 'object') {
      errs.push({ path: p, message: 'must be an object' });
      return;
    }
    if (t.url !== undefined) errs.push({ path: `${p}.url`, message: 'must not set the field(s)', type: 'FieldValueForbidden' });
    if (inService && t.configurationName) errs.push({ path: `${p}.configurationName`, message: 'must not set the field(s)', type: 'FieldValueForbidden' });
    if (!inService) {
      if (t.revisionName && t.configurationName) errs.push({ path: p, message: 'expected exactly one, got both: configurationName, revisionName' });
      else if (!t.revisionName && !t.configurationName) errs.push({ path: p, message: 'expected exactly one, got neither: configurationName, revisionName' });
    }
    if (t.latestRevision !== undefined && typeof t.latestRevision === 'boolean') {
      const want = !t.revisionName;
      if (t.latestRevision !== want) {
        errs.push({
          path: `${p}.latestRevision`,
          message: t.latestRevision
            ? `may not set revisionName "${t.revisionName}" when latestRevision is true`
            : 'may not set latestRevision to false when revisionName is unset (a target with latestRevision false must name a revision)',
        });
      }
    }
    if (t.percent !== undefined && t.percent !== null) {
      if (!Number.isInteger(t.percent) || t.percent < 0 || t.percent > 100)
        errs.push({ path: `${p}.percent`, message: `expected 0 <= ${t.percent} <= 100` });
      else sum += t.percent;
    }
    if (t.tag !== undefined) {
      if (typeof t.tag !== 'string' || !isDns1035Label(t.tag))
        errs.push({ path: `${p}.tag`, message: `invalid value: ${JSON.stringify(t.tag)}: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character` });
      else if (tags.has(t.tag)) errs.push({ path: `${p}.tag`, message: `Multiple definitions for "${t.tag}": ${path}[${tags.get(t.tag)}].tag and ${p}.tag` });
      else tags.set(t.tag, i);
    }
  });
  if (traffic.length > 0 && sum !== 100) errs.push({ path: path.replace(/\.traffic$/, '.traffic'), message: `Traffic targets sum to ${sum}, want 100` });
  return errs;
}
