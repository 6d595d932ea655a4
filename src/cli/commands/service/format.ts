// kn's output for services: the `service list` table and the `service
// describe` layout (metadata and URL; a Revisions block with one bullet line
// per routed revision — `100%`, `   +`, `   !`, `   ?` — naming `@latest
// (rev)`, `#tag`, `[generation] (age)` and the revision's image/replicas; the
// conditions table). Pure: the command fetches, these render.
import type { KObject } from '../../../api/meta.js';
import {
  conditionsOf,
  conditionsValue,
  describeAge,
  DescribeWriter,
  KnError,
  listAge,
  nonReadyReason,
  readyStatus,
  writeConditions,
  writeMetadata,
} from '../../knative-format.js';
import { writeConcurrency, writeEnv, writeEnvFrom, writeImage, writePort, writeReplicas, writeResources, writeScale } from '../revision/format.js';
import { LABEL_CONFIGURATION_GENERATION } from './serving-client.js';
import type { TrafficTarget } from './traffic.js';

export const SERVICE_LIST_HEADERS = ['NAME', 'URL', 'LATEST', 'AGE', 'CONDITIONS', 'READY', 'REASON'];

export function serviceListRows(services: KObject[], now: number, withNamespace: boolean): string[][] {
  return services.map((s) => {
    const conds = conditionsOf(s);
    const cells = [
      s.metadata.name ?? '',
      s.status?.url ?? '',
      s.status?.latestReadyRevisionName ?? '',
      listAge(s.metadata.creationTimestamp, now),
      conditionsValue(conds),
      readyStatus(conds),
      nonReadyReason(conds),
    ];
    return withNamespace ? [s.metadata.namespace ?? '', ...cells] : cells;
  });
}

/** kn's list order: namespace, then name. */
export function sortByNamespaceAndName(items: KObject[]): KObject[] {
  const key = (o: KObject) => [o.metadata.namespace ?? '', o.metadata.name ?? ''];
  return [...items].sort((a, b) => {
    const [an, aa] = key(a);
    const [bn, bb] = key(b);
    if (an !== bn) return an < bn ? -1 : 1;
    return aa < bb ? -1 : aa > bb ? 1 : 0;
  });
}

/** One revision as `service describe` shows it. */
export interface RevisionDesc {
  revision: KObject;
  percent: number;
  tag?: string;
  /** The traffic target was `latestRevision: true`. */
  latestTraffic?: boolean;
  configurationGeneration: number;
  latestCreated: boolean;
  latestReady: boolean;
}

export function revisionDesc(revision: KObject, target: TrafficTarget | undefined, svc: KObject): RevisionDesc {
  const raw = revision.metadata.labels?.[LABEL_CONFIGURATION_GENERATION] ?? '';
  if (!/^[+-]?\d+$/.test(raw))
    throw new KnError(`cannot extract configuration generation for revision ${revision.metadata.name}: strconv.ParseInt: parsing "${raw}": invalid syntax`);
  return {
    revision,
    percent: target?.percent ?? 0,
    tag: target?.tag,
    latestTraffic: target?.latestRevision,
    configurationGeneration: Number(raw),
    latestCreated: revision.metadata.name === svc.status?.latestCreatedRevisionName,
    latestReady: revision.metadata.name === svc.status?.latestReadyRevisionName,
  };
}

/** Newest configuration generation first; ties keep their order. */
export function orderByGeneration(descs: RevisionDesc[]): RevisionDesc[] {
  return descs
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.configurationGeneration - a.d.configurationGeneration || a.i - b.i)
    .map((x) => x.d);
}

/** `100%` (ready, routed), `   +` (ready, no traffic), `  !`/`?` for failed/unknown, percent right-aligned in 3. */
export function formatBullet(percent: number, status: string): string {
  let symbol: string;
  if (status === 'True') symbol = percent > 0 ? '%' : '+';
  else if (status === 'False') symbol = '!';
  else symbol = '?';
  return percent === 0 ? `   ${symbol}` : `${String(percent).padStart(3)}${symbol}`;
}

/** `@latest (hello-00002) #tag [2] (5m)`, `hello-00001 (current @latest)`, `… (latest created)`. */
export function revisionHeader(d: RevisionDesc, now: number): string {
  const name = d.revision.metadata.name ?? '';
  let header = name;
  if (d.latestTraffic) header = `@latest (${name})`;
  else if (d.latestReady) header = `${name} (current @latest)`;
  else if (d.latestCreated) header = `${name} (latest created)`;
  if (d.tag) header = `${header} #${d.tag}`;
  return `${header} [${d.configurationGeneration}] (${describeAge(d.revision.metadata.creationTimestamp, now)})`;
}

export function describeService(svc: KObject, revisions: RevisionDesc[], now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, svc.metadata, now, details);
  s.attribute('URL', svc.status?.url ?? '');
  if (details && svc.status?.address?.url) s.attribute('Cluster', svc.status.address.url);
  const podSpec = svc.spec?.template?.spec ?? {};
  if (podSpec.serviceAccountName) s.attribute('Service Account', podSpec.serviceAccountName);
  if (Array.isArray(podSpec.imagePullSecrets) && podSpec.imagePullSecrets.length) s.attribute('Image Pull Secret', podSpec.imagePullSecrets[0]?.name ?? '');
  s.blank();
  w.flush();

  const revSection = s.attribute('Revisions', '');
  w.flush();
  for (const d of revisions) {
    const ready = conditionsOf(d.revision).find((c) => c.type === 'Ready') ?? { type: 'Ready', status: 'Unknown' as const };
    const sec = revSection.row(formatBullet(d.percent, ready.status), revisionHeader(d, now));
    if (ready.status === 'False') sec.attribute('Error', ready.reason ?? '');
    writeImage(sec, d.revision);
    writeReplicas(sec, d.revision);
    if (details) {
      writePort(sec, d.revision);
      writeEnv(sec, d.revision, details);
      writeEnvFrom(sec, d.revision, details);
      writeScale(sec, d.revision);
      writeConcurrency(sec, d.revision);
      writeResources(sec, d.revision);
    }
  }
  s.blank();
  w.flush();

  writeConditions(s, conditionsOf(svc), now, details);
  return w.text();
}
