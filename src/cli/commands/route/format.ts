// kn's output for routes: `route list` (NAME URL READY) and `route describe`
// (metadata, URL, owning Service, a Traffic Targets block with `100%`
// bullets, `@latest (rev)` and `#tag` + the tag's URL, conditions). Pure.
import type { KObject } from '../../../api/meta.js';
import { conditionsOf, DescribeWriter, readyStatus, writeConditions, writeMetadata } from '../../knative-format.js';
import type { TrafficTarget } from '../service/traffic.js';

export const ROUTE_LIST_HEADERS = ['NAME', 'URL', 'READY'];

export function routeListRows(routes: KObject[]): string[][] {
  return routes.map((r) => [r.metadata.name ?? '', r.status?.url ?? '', readyStatus(conditionsOf(r))]);
}

function targetHeader(t: TrafficTarget): string {
  let h = t.revisionName ?? '';
  if (t.latestRevision) h = `@latest (${t.revisionName ?? ''})`;
  if (t.tag) h = `${h} #${t.tag}`;
  return h;
}

export function describeRoute(route: KObject, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, route.metadata, now, details);
  s.attribute('URL', route.status?.url ?? '');
  // kn writes a Service line per owner reference, naming the Service owner.
  let svcName = '';
  for (const owner of route.metadata.ownerReferences ?? []) {
    if (owner.kind === 'Service') svcName = details ? `${owner.name} (${owner.apiVersion})` : owner.name;
    s.attribute('Service', svcName);
  }
  s.blank();
  const traffic = s.attribute('Traffic Targets', '');
  w.flush();
  for (const t of (route.status?.traffic ?? []) as TrafficTarget[]) {
    const sec = traffic.row(`${String(t.percent ?? 0).padStart(3)}%`, targetHeader(t));
    if (t.tag) sec.attribute('URL', t.url ?? '');
  }
  s.blank();
  writeConditions(s, conditionsOf(route), now, details);
  return w.text();
}
