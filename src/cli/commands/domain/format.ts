// kn's DomainMapping pieces: the --ref grammar (`ksvc:NAME[:NS]`,
// `kroute:NAME[:NS]`, bare NAME = ksvc), the object `domain create` builds,
// the `domain list` table (NAME URL READY KSVC) and the `domain describe`
// layout (Name/Namespace/Age, URL, Reference block, conditions). Pure.
import type { KObject } from '../../../api/meta.js';
import { isDns1123Subdomain } from '../../../api/validation.js';
import { conditionsOf, DescribeWriter, KnError, readyStatus, writeConditions, writeMetadata } from '../../knative-format.js';

export const DOMAIN_LIST_HEADERS = ['NAME', 'URL', 'READY', 'KSVC'];

export interface RefSpec {
  prefix: string;
  name: string;
  namespace?: string;
}

/** `ksvc:hello`, `kroute:hello`, `ksvc:hello:other-ns`, or a bare `hello` (a ksvc). */
export function parseRef(ref: string): RefSpec {
  const parts = ref.split(':');
  if (parts.length === 1) return { prefix: 'ksvc', name: parts[0] };
  if (parts.length >= 3) return { prefix: parts[0], name: parts[1], namespace: parts.slice(2).join(':') };
  return { prefix: parts[0], name: parts[1] };
}

export interface KReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

export function checkTlsSecret(name: string): void {
  if (name && !isDns1123Subdomain(name))
    throw new KnError(
      `invalid secret name "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
}

export function buildDomainMapping(name: string, namespace: string, ref: KReference, tls?: string): KObject {
  const dm: KObject = {
    apiVersion: 'serving.knative.dev/v1beta1',
    kind: 'DomainMapping',
    metadata: { name, namespace },
    spec: { ref: { kind: ref.kind, name: ref.name, apiVersion: ref.apiVersion, namespace: ref.namespace } },
  };
  if (tls) dm.spec.tls = { secretName: tls };
  return dm;
}

export function domainListRows(items: KObject[], withNamespace: boolean): string[][] {
  return items.map((d) => {
    const cells = [d.metadata.name ?? '', d.status?.url ?? '', readyStatus(conditionsOf(d)), d.spec?.ref?.name ?? ''];
    return withNamespace ? [d.metadata.namespace ?? '', ...cells] : cells;
  });
}

export function describeDomainMapping(dm: KObject, now: number, details: boolean): string {
  const w = new DescribeWriter();
  const s = w.root;
  writeMetadata(s, dm.metadata, now, details);
  s.blank();
  s.attribute('URL', dm.status?.url ?? '');
  s.blank();
  const ref = s.attribute('Reference', '');
  const r = dm.spec?.ref ?? {};
  ref.attribute('APIVersion', r.apiVersion ?? '');
  ref.attribute('Kind', r.kind ?? '');
  ref.attribute('Name', r.name ?? '');
  if ((dm.metadata.namespace ?? '') !== (r.namespace ?? '')) ref.attribute('Namespace', r.namespace ?? '');
  s.blank();
  writeConditions(s, conditionsOf(dm), now, details);
  return w.text();
}
