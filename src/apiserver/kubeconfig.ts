// kubeconfig text pointing kubectl at a Skiff API server: one `skiff`
// cluster, user and context (no auth; the embedded server listens on
// loopback over plain HTTP, which kubectl accepts for http:// URLs).
import { stringify } from 'yaml';
import { isDns1123Label } from '../api/validation.js';

export class KubeconfigError extends Error {
  readonly code = 'SKIFF_ERR_KUBECONFIG';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

export function makeKubeconfig(server: string, namespace = 'default'): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`server "${server}" is not a URL (expected e.g. http://127.0.0.1:6443)`, 'server');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new KubeconfigError(`server "${server}" must be an http:// or https:// URL`, 'server');
  if (!isDns1123Label(namespace)) throw new KubeconfigError(`namespace "${namespace}" is not a valid namespace name`, 'namespace');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': 'skiff',
    clusters: [{ name: 'skiff', cluster: { server: server.replace(/\/+$/, '') } }],
    contexts: [{ name: 'skiff', context: { cluster: 'skiff', user: 'skiff', namespace } }],
    users: [{ name: 'skiff', user: {} }],
  });
}
