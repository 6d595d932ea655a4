// --traffic / --tag / --untag → a Service's spec.traffic, with kn's rules:
// untag first, then tags (`@latest` means the latestRevision target), then
// percentages (a REF is a tag, a revision or `@latest`; the whole split is
// replaced); targets left with no tag and 0% are dropped. When the given
// percentages sum to less than 100 and exactly one routed revision is left
// out, it gets the remainder (with a template change pending, the remainder
// goes to @latest instead). Beyond kn: one REF given alone, without `=PERCENT`
// (the seed's `--traffic hello-00001`), gets the remainder explicitly. Pure.
import type { KObject } from '../../../api/meta.js';
import type { TrafficTarget } from '../../../api/serving/traffic.js';
import { KnError } from '../../knative-format.js';

export const LATEST = '@latest';

export type { TrafficTarget };

export interface TrafficFlags {
  /** --traffic REF=PERCENT (repeatable, comma lists split). */
  traffic: string[];
  /** --tag REV=TAG (`@latest=TAG`, or just TAG for @latest). */
  tags: string[];
  /** --untag TAG. */
  untags: string[];
}

function fail(message: string): never {
  throw new KnError(message, 'SKIFF_ERR_KN_TRAFFIC');
}

/** `a=b` → [a, b]; a lone `x` means `@latest=x`; a trailing % on the value is dropped. */
export function splitRef(pair: string): [string, string] {
  const parts = pair.split('=');
  if (parts.length === 1) return [LATEST, parts[0]];
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') fail(`expecting the value format in value1=value2, given ${pair}`);
  return [parts[0], parts[1].endsWith('%') ? parts[1].slice(0, -1) : parts[1]];
}

/** `hello-00001` alone (no `=`, not a number): a reference without a percent. */
function isBareRef(each: string): boolean {
  return !each.includes('=') && !/^[+-]?\d+$/.test(each);
}

function repeated(flag: string, name: string): never {
  fail(`repetition of ${name === LATEST ? `identifier ${LATEST}` : `revision reference ${name}`} is not allowed, use only once with ${flag} flag`);
}

function distributionError(sum: number, notFound: boolean): never {
  fail(
    `unable to allocate the remaining traffic: ${100 - sum}%. Reason: ${notFound ? 'cannot determine the missing revision' : 'incorrect number of revisions specified. Only 1 revision should be missing'}`,
  );
}

/**
 * Check the flags and return the percentages to apply, with the remainder
 * entry appended when kn can tell where the rest of the traffic goes.
 */
export function resolvePercentages(svc: KObject, flags: TrafficFlags, existingRevisions: ReadonlySet<string>, mutation: boolean): string[] {
  let latestTagged = false;
  for (const t of flags.tags) {
    const [rev] = splitRef(t);
    if (rev === LATEST) {
      if (latestTagged) repeated('--tag', LATEST);
      latestTagged = true;
    }
  }
  const refs = new Set<string>();
  let sum = 0;
  // A lone REF that is no number (`--traffic hello-00001`, as the seed types it) takes what the others leave.
  const bare = flags.traffic.filter(isBareRef);
  if (bare.length > 1) fail(`only one --traffic reference may omit its percent (it gets the rest), given ${bare.join(', ')}`);
  for (const each of flags.traffic) {
    if (isBareRef(each)) {
      if (refs.has(each)) repeated('--traffic', each);
      refs.add(each);
      continue;
    }
    const [ref, pct] = splitRef(each);
    if (refs.has(ref)) repeated('--traffic', ref);
    refs.add(ref);
    if (!/^[+-]?\d+$/.test(pct)) fail(`error converting given ${pct} to integer value for traffic distribution`);
    const n = Number(pct);
    if (n < 0 || n > 100) fail(`invalid value for traffic percent ${n}, expected 0 <= percent <= 100`);
    sum += n;
  }
  if (sum > 100) fail(`given traffic percents sum to ${sum}, want <=100`);
  if (bare.length === 1) return flags.traffic.map((each) => (isBareRef(each) ? `${each}=${100 - sum}` : each));
  const out = [...flags.traffic];
  if (sum === 100) return out;
  const count = flags.traffic.length;
  if (count === 0) return out;
  const routed: TrafficTarget[] = Array.isArray(svc.status?.traffic) ? svc.status.traffic : [];
  if (count < routed.length - 1) distributionError(sum, false);
  if (mutation) {
    // A new revision is coming: the rest can only go to it.
    if (count !== routed.length) distributionError(sum, false);
    if (!refs.has(LATEST)) return [...out, `${LATEST}=${100 - sum}`];
  } else {
    if (count !== routed.length - 1) distributionError(sum, false);
    if (refs.has(LATEST) && svc.status?.latestReadyRevisionName) refs.add(svc.status.latestReadyRevisionName);
  }
  for (const t of routed) {
    if (!t.revisionName || !existingRevisions.has(t.revisionName)) break;
    if (!refs.has(t.revisionName) && !(t.tag && refs.has(t.tag))) return [...out, `${t.revisionName}=${100 - sum}`];
  }
  distributionError(sum, true);
}

function isLatest(t: TrafficTarget): boolean {
  return t.latestRevision ?? !t.revisionName;
}

function newTarget(tag: string, revision: string, percent: number, latest: boolean): TrafficTarget {
  const t: TrafficTarget = {};
  if (tag) t.tag = tag;
  if (latest) t.latestRevision = true;
  else {
    t.revisionName = revision;
    t.latestRevision = false;
  }
  t.percent = percent;
  return t;
}

export interface ComputeOptions {
  /** Existing revisions of the service (for the remainder rule). */
  revisions?: ReadonlySet<string>;
  /** The update also changes the template (a new revision will appear). */
  mutation?: boolean;
  /** `create` with --tag routes 100% to @latest. */
  verb?: 'create' | 'update';
}

/** The new spec.traffic for `svc` under the given flags. */
export function computeTraffic(svc: KObject, flags: TrafficFlags, opts: ComputeOptions = {}): TrafficTarget[] {
  const verb = opts.verb ?? 'update';
  const effective: TrafficFlags = verb === 'create' && flags.tags.length > 0 && flags.traffic.length === 0 ? { ...flags, traffic: [`${LATEST}=100`] } : flags;
  const percentages = resolvePercentages(svc, effective, opts.revisions ?? new Set(), opts.mutation ?? false);
  let traffic: TrafficTarget[] = structuredClone(Array.isArray(svc.spec?.traffic) ? svc.spec.traffic : []);
  const name = svc.metadata?.name ?? '';

  const missing: string[] = [];
  for (const tag of flags.untags) {
    const t = traffic.find((x) => x.tag === tag);
    if (t) delete t.tag;
    else missing.push(tag);
  }
  if (missing.length) fail(`tag(s) ${missing.join(', ')} not present for any revisions of service ${name}`);

  const tagPresent = (tag: string) => traffic.some((x) => x.tag === tag);
  const overwrite = (tag: string): never => fail(`refusing to overwrite existing tag in service, add flag '--untag ${tag}' in command to untag it`);
  for (const each of flags.tags) {
    const [rev, tag] = splitRef(each);
    if (rev === LATEST) {
      const latest = traffic.find(isLatest);
      const existing = latest?.tag ?? '';
      if (existing === tag) continue;
      if (tagPresent(tag)) overwrite(tag);
      if (existing !== '')
        fail(`tag '${existing}' exists on latest ready revision of service, refusing to overwrite existing tag with '${tag}', add flag '--untag ${existing}' in command to untag it`);
      if (latest) latest.tag = tag;
      else traffic.push(newTarget(tag, '', 0, true));
      continue;
    }
    if (traffic.some((x) => x.tag === tag && x.revisionName === rev)) continue;
    if (tagPresent(tag)) overwrite(tag);
    const target = traffic.find((x) => x.revisionName === rev);
    // A revision that already has a tag gets a second target for the new one.
    if (target && !target.tag) target.tag = tag;
    else traffic.push(newTarget(tag, rev, 0, false));
  }

  if (flags.traffic.length > 0 || (verb === 'create' && flags.tags.length > 0)) {
    for (const t of traffic) t.percent = 0;
    for (const each of percentages) {
      const [ref, pct] = splitRef(each);
      const n = Number(pct);
      if (ref === LATEST) {
        const latest = traffic.find(isLatest);
        if (latest) latest.percent = n;
        else traffic.push(newTarget('', '', n, true));
        continue;
      }
      // A tag wins over a revision of the same name: tags are unique.
      const byTag = traffic.find((x) => x.tag === ref);
      if (byTag) {
        byTag.percent = n;
        continue;
      }
      const byRev = traffic.find((x) => x.revisionName === ref);
      if (byRev) byRev.percent = n;
      else traffic.push(newTarget('', ref, n, false));
    }
  }
  traffic = traffic.filter((t) => (t.tag ?? '') !== '' || (t.percent ?? 0) !== 0);
  return traffic;
}
