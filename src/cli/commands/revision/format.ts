// kn's output for revisions: the `revision list` table (traffic and tags come
// from the owning Service's status.traffic), `revision describe`, and the
// per-revision attribute lines `service describe` reuses (Image with digest,
// Replicas, Port, Env, Scale, Concurrency, Memory/CPU). Pure.
import type { KObject } from '../../../api/meta.js';
import {
  conditionsOf,
  conditionsValue,
  DescribeWriter,
  listAge,
  nonReadyReason,
  readyStatus,
  truncCell,
  writeConditions,
  writeMetadata,
  writeSliceDesc,
  type DescribeSection,
} from '../../knative-format.js';
import { AS, servingContainerIndex, USER_IMAGE_ANNOTATION } from '../service/edit-flags.js';
import { LABEL_CONFIGURATION_GENERATION, LABEL_SERVICE } from '../service/serving-client.js';
import type { TrafficTarget } from '../service/traffic.js';

export const REVISION_LIST_HEADERS = ['NAME', 'SERVICE', 'TRAFFIC', 'TAGS', 'GENERATION', 'AGE', 'CONDITIONS', 'READY', 'REASON'];

/** Percent and tags a service routes to one revision (sums several targets). */
export function trafficAndTags(revision: string, service: KObject | undefined): { percent: number; tags: string[] } {
  let percent = 0;
  const tags: string[] = [];
  for (const t of (service?.status?.traffic ?? []) as TrafficTarget[]) {
    if (t.revisionName !== revision) continue;
    percent += t.percent ?? 0;
    if (t.tag) tags.push(t.tag);
  }
  return { percent, tags };
}

/** kn's order: namespace, service, configuration generation (newest first), name. */
export function sortRevisions(revs: KObject[]): KObject[] {
  return [...revs].sort((a, b) => {
    const an = a.metadata.namespace ?? '';
    const bn = b.metadata.namespace ?? '';
    if (an !== bn) return an < bn ? -1 : 1;
    const as = a.metadata.labels?.[LABEL_SERVICE] ?? '';
    const bs = b.metadata.labels?.[LABEL_SERVICE] ?? '';
    if (as !== bs) return as < bs ? -1 : 1;
    const byName = (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
    const ag = a.metadata.labels?.[LABEL_CONFIGURATION_GENERATION];
    const bg = b.metadata.labels?.[LABEL_CONFIGURATION_GENERATION];
    if (!ag || !bg || !/^\d+$/.test(ag) || !/^\d+$/.test(bg)) return byName;
    if (Number(ag) !== Number(bg)) return Number(bg) - Number(ag);
    return byName;
  });
}

/**
 * One row per revision; `services` maps `namespace/name` to the owning
 * Service (for TRAFFIC and TAGS).
 */
export function revisionListRows(revs: KObject[], services: Map<string, KObject>, now: number, withNamespace: boolean): string[][] {
  return revs.map((r) => {
    const svcName = r.metadata.labels?.[LABEL_SERVICE] ?? '';
    const svc = svcName ? services.get(`${r.metadata.namespace ?? ''}/${svcName}`) : undefined;
    const { percent, tags } = trafficAndTags(r.metadata.name ?? '', svc);
    const conds = conditionsOf(r);
    const cells = [
      r.metadata.name ?? '',
      svcName,
      percent !== 0 ? `${percent}%` : '',
      tags.join(','),
      r.metadata.labels?.[LABEL_CONFIGURATION_GENERATION] ?? '',
      listAge(r.metadata.creationTimestamp, now),
      conditionsValue(conds),
      readyStatus(conds),
      nonReadyReason(conds),
    ].map((c) => truncCell(c));
    return withNamespace ? [truncCell(r.metadata.namespace ?? ''), ...cells] : cells;
  });
}

// ---------------------------------------------------------------- attribute writers

function servingContainer(rev: KObject): Record<string, any> | undefined {
  const i = servingContainerIndex(rev.spec);
  return i < 0 ? undefined : rev.spec.containers[i];
}

function shortenDigest(digest: string): string {
  const m = /sha256:([0-9a-f]{64})/i.exec(digest);
  return m ? m[1].slice(0, 6) : digest;
}

/** `Image: repo/img (pinned to 1a2b3c)` — the user's tag when the digest came from it. */
export function writeImage(s: DescribeSection, rev: KObject): void {
  const c = servingContainer(rev);
  if (!c) {
    s.attribute('Image', 'Unknown');
    return;
  }
  let image: string = c.image ?? '';
  let how = 'at';
  const userImage = rev.metadata.annotations?.[USER_IMAGE_ANNOTATION] ?? '';
  const digest: string = rev.status?.containerStatuses?.[0]?.imageDigest ?? '';
  if (userImage && digest) {
    const base = image.includes('@') ? image.split('@')[0] : image.split(':')[0];
    if (userImage.startsWith(base)) {
      how = 'pinned to';
      image = userImage;
    }
  }
  if (digest) image = `${image} (${how} ${shortenDigest(digest)})`;
  s.attribute('Image', image);
}

export function writeReplicas(s: DescribeSection, rev: KObject): void {
  const a = rev.status?.actualReplicas;
  const d = rev.status?.desiredReplicas;
  if (a !== undefined && a !== null && d !== undefined && d !== null) s.attribute('Replicas', `${a}/${d}`);
}

export function writePort(s: DescribeSection, rev: KObject): void {
  const p = servingContainer(rev)?.ports?.[0]?.containerPort;
  if (p !== undefined) s.attribute('Port', String(p));
}

export function writeEnv(s: DescribeSection, rev: KObject, details: boolean): void {
  const c = servingContainer(rev);
  if (!c) return;
  const env = ((c.env ?? []) as Array<{ name: string; value?: string; valueFrom?: unknown }>).map((e) => `${e.name}=${e.valueFrom ? '[ref]' : e.value ?? ''}`);
  writeSliceDesc(s, env, 'Env', details);
}

export function writeEnvFrom(s: DescribeSection, rev: KObject, details: boolean): void {
  const c = servingContainer(rev);
  if (!c) return;
  const out: string[] = [];
  for (const e of (c.envFrom ?? []) as Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>) {
    if (e.configMapRef) out.push(`cm:${e.configMapRef.name}`);
    if (e.secretRef) out.push(`secret:${e.secretRef.name}`);
  }
  writeSliceDesc(s, out, 'EnvFrom', details);
}

function intAnnotation(rev: KObject, key: string): { value?: number; bad?: string } {
  const v = rev.metadata.annotations?.[key];
  if (v === undefined) return {};
  return /^[+-]?\d+$/.test(v) ? { value: Number(v) } : { bad: `strconv.Atoi: parsing "${v}": invalid syntax` };
}

/** `Scale: 1 ... 5` (∞ without a maximum). */
export function writeScale(s: DescribeSection, rev: KObject): void {
  const min = intAnnotation(rev, AS.minScale);
  const max = intAnnotation(rev, AS.maxScale);
  const bad = min.bad ?? max.bad;
  if (bad) {
    s.attribute('Scale', `Misformatted: ${bad}`);
    return;
  }
  if (min.value === undefined && max.value === undefined) return;
  s.attribute('Scale', `${min.value ?? 0} ... ${max.value ?? '∞'}`);
}

export function writeConcurrency(s: DescribeSection, rev: KObject): void {
  const target = intAnnotation(rev, AS.target).value;
  const limit: number | undefined = rev.spec?.containerConcurrency;
  const window = rev.metadata.annotations?.[AS.window] ?? '';
  const util = intAnnotation(rev, AS.utilization).value;
  if (target === undefined && !limit && !window && util === undefined) return;
  const sec = s.attribute('Concurrency', '');
  if (limit) sec.attribute('Limit', String(limit));
  if (target !== undefined) sec.attribute('Target', String(target));
  if (window) sec.attribute('Window', window);
  if (util !== undefined) sec.attribute('TargetUtilization', String(util));
}

export function writeResources(s: DescribeSection, rev: KObject): void {
  const c = servingContainer(rev);
  if (!c) return;
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const zero = (q: unknown) => q === undefined || q === null || /^[+-]?0*(\.0*)?[a-zA-Z]*$/.test(String(q));
  for (const [label, key] of [
    ['Memory', 'memory'],
    ['CPU', 'cpu'],
  ] as const) {
    const r = req[key];
    const l = lim[key];
    const value = !zero(r) && !zero(l) ? `${r} ... ${l}` : !zero(r) ? String(r) : !zero(l) ? String(l) : '';
    if (value) s.attribute(label, value);
  }
}

/** `revision describe`: metadata, container summary, owning service, conditions. */
export function describeRevision(rev: KObject, service: KObject | undefined, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, rev.metadata, now, details);
  writeImage(s, rev);
  writeReplicas(s, rev);
  writePort(s, rev);
  writeEnv(s, rev, details);
  writeEnvFrom(s, rev, details);
  writeScale(s, rev);
  writeConcurrency(s, rev);
  writeResources(s, rev);
  const svcName = rev.metadata.labels?.[LABEL_SERVICE];
  if (svcName !== undefined) {
    const sec = s.attribute('Service', svcName);
    if (details && service) {
      sec.attribute('Configuration Generation', rev.metadata.labels?.[LABEL_CONFIGURATION_GENERATION] ?? '');
      sec.attribute('Latest Created', String(rev.metadata.name === service.status?.latestCreatedRevisionName));
      sec.attribute('Latest Ready', String(rev.metadata.name === service.status?.latestReadyRevisionName));
      const { percent, tags } = trafficAndTags(rev.metadata.name ?? '', service);
      if (percent !== 0) sec.attribute('Traffic', `${percent}%`);
      writeSliceDesc(sec, tags, 'Tags', details);
    }
  }
  s.blank();
  writeConditions(s, conditionsOf(rev), now, details);
  return w.text();
}
