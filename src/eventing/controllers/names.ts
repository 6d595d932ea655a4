// Child object names as Knative derives them: kmeta.ChildName (parent +
// suffix, md5-shortened past 63 characters) and the flows naming scheme
// (pkg/reconciler/{sequence,parallel}/resources). Pure.
import { createHash } from 'node:crypto';

const LONGEST = 63;
const MD5_LEN = 32;
const HEAD = LONGEST - MD5_LEN;

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** knative.dev/pkg kmeta.ChildName. */
export function childName(parent: string, suffix: string): string {
  if (parent.length <= LONGEST - suffix.length) return parent + suffix;
  if (HEAD - suffix.length <= 0) {
    let ret = (HEAD < parent.length ? parent.slice(0, HEAD) : parent) + md5(parent + suffix);
    const d = LONGEST - ret.length;
    if (d > 0) ret += suffix.slice(0, d);
    return ret.replace(/[^a-zA-Z0-9]+$/, '');
  }
  return parent.slice(0, HEAD - suffix.length) + md5(parent) + suffix;
}

export const sequenceChannelName = (seq: string, step: number): string => `${seq}-kn-sequence-${step}`;
export const sequenceSubscriptionName = (seq: string, step: number): string => `${seq}-kn-sequence-${step}`;
export const parallelChannelName = (p: string): string => `${p}-kn-parallel`;
export const parallelBranchChannelName = (p: string, branch: number): string => `${p}-kn-parallel-${branch}`;
export const parallelFilterSubscriptionName = (p: string, branch: number): string => `${p}-kn-parallel-filter-${branch}`;
export const parallelSubscriptionName = (p: string, branch: number): string => `${p}-kn-parallel-${branch}`;
