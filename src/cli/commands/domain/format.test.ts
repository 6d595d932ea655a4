import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import { KnError } from '../../knative-format.js';
import { buildDomainMapping, checkTlsSecret, describeDomainMapping, domainListRows, parseRef } from './format.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function dm(conditions: Array<Record<string, string>>, created: number): KObject {
  return {
    apiVersion: 'serving.knative.dev/v1beta1',
    kind: 'DomainMapping',
    metadata: { name: 'hello.magedu.com', namespace: 'default', creationTimestamp: ago(created) },
    spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', namespace: 'default' } },
    status: { url: 'http://hello.magedu.com', conditions },
  };
}

/** The seed transcript prints lines without kn's trailing padding. */
const trimLines = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n');

describe('domain mapping output (kn domain)', () => {
  test('describe: the seed’s first transcript (claim not yet made)', () => {
    const t = ago(38);
    const out = describeDomainMapping(
      dm(
        [
          { type: 'CertificateProvisioned', status: 'Unknown', lastTransitionTime: t },
          { type: 'DomainClaimed', status: 'False', reason: 'DomainAlreadyClaimed', lastTransitionTime: t },
          { type: 'IngressReady', status: 'Unknown', reason: 'IngressNotConfigured', lastTransitionTime: t },
          { type: 'Ready', status: 'False', reason: 'DomainAlreadyClaimed', lastTransitionTime: t },
          { type: 'ReferenceResolved', status: 'Unknown', lastTransitionTime: t },
        ],
        38,
      ),
      NOW,
      false,
    );
    assert.equal(
      trimLines(out),
      `Name:       hello.magedu.com
Namespace:  default
Age:        38s

URL:  http://hello.magedu.com

Reference:
  APIVersion:  serving.knative.dev/v1
  Kind:        Service
  Name:        hello

Conditions:
  OK TYPE                      AGE REASON
  !! Ready                     38s DomainAlreadyClaimed
  ?? CertificateProvisioned    38s
  !! DomainClaimed             38s DomainAlreadyClaimed
  ?? IngressReady              38s IngressNotConfigured
  ?? ReferenceResolved         38s
`,
    );
    // kn's tabwriter pads header cells and an empty reason leaves one space.
    assert.match(out, /\nReference: {5}\n/);
    assert.match(out, /\nConditions: {2}\n/);
    assert.match(out, /\n {2}\?\? ReferenceResolved {9}38s \n$/);
  });

  test('describe: the seed’s second transcript (all ready); another namespace shows the reference namespace', () => {
    const out = describeDomainMapping(
      dm(
        [
          { type: 'CertificateProvisioned', status: 'True', reason: 'TLSNotEnabled', lastTransitionTime: ago(17) },
          { type: 'DomainClaimed', status: 'True', lastTransitionTime: ago(17) },
          { type: 'IngressReady', status: 'True', lastTransitionTime: ago(16) },
          { type: 'Ready', status: 'True', lastTransitionTime: ago(16) },
          { type: 'ReferenceResolved', status: 'True', lastTransitionTime: ago(17) },
        ],
        330,
      ),
      NOW,
      false,
    );
    assert.equal(
      trimLines(out),
      `Name:       hello.magedu.com
Namespace:  default
Age:        5m

URL:  http://hello.magedu.com

Reference:
  APIVersion:  serving.knative.dev/v1
  Kind:        Service
  Name:        hello

Conditions:
  OK TYPE                      AGE REASON
  ++ Ready                     16s
  ++ CertificateProvisioned    17s TLSNotEnabled
  ++ DomainClaimed             17s
  ++ IngressReady              16s
  ++ ReferenceResolved         17s
`,
    );
    const other = dm([], 5);
    other.spec.ref.namespace = 'other';
    assert.match(describeDomainMapping(other, NOW, false), /\n {2}Name: {8}hello\n {2}Namespace: {3}other\n/);
  });

  test('list rows: NAME URL READY KSVC (NAMESPACE first with -A)', () => {
    const d = dm([{ type: 'Ready', status: 'False' }], 1);
    assert.deepEqual(domainListRows([d], false), [['hello.magedu.com', 'http://hello.magedu.com', 'False', 'hello']]);
    assert.deepEqual(domainListRows([d], true)[0][0], 'default');
    assert.deepEqual(domainListRows([{ ...d, status: {} }], false), [['hello.magedu.com', '', '<unknown>', 'hello']]);
  });

  test('--ref grammar and the object kn builds', () => {
    assert.deepEqual(parseRef('hello'), { prefix: 'ksvc', name: 'hello' });
    assert.deepEqual(parseRef('ksvc:hello'), { prefix: 'ksvc', name: 'hello' });
    assert.deepEqual(parseRef('kroute:hello'), { prefix: 'kroute', name: 'hello' });
    assert.deepEqual(parseRef('ksvc:hello:prod'), { prefix: 'ksvc', name: 'hello', namespace: 'prod' });
    const ref = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', namespace: 'default' };
    assert.deepEqual(buildDomainMapping('hello.magedu.com', 'default', ref), {
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: 'hello.magedu.com', namespace: 'default' },
      spec: { ref },
    });
    assert.deepEqual(buildDomainMapping('a.b', 'default', ref, 'cert').spec.tls, { secretName: 'cert' });
    assert.throws(() => checkTlsSecret('Bad_Name'), (e: unknown) => e instanceof KnError && /^invalid secret name "Bad_Name"/.test(e.message));
    checkTlsSecret('my-cert');
  });
});
