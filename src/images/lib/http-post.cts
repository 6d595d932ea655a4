// Sends one HTTP POST from an image process to a URL such as a ContainerSource's K_SINK, going
// through $HTTP_PROXY when set: Skiff gives workloads its gateway as their HTTP proxy so Knative
// addresses like http://event-display.default.svc.cluster.local work without DNS. Node's http
// client ignores proxy variables, hence this small hand-written client. Plain-http proxying only
// (absolute-form request line); https targets are always contacted directly.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostResult {
  status: number;
  body: string;
}

/** The proxy URL to use for `target`, honouring http_proxy/HTTP_PROXY and no_proxy/NO_PROXY. */
export function proxyFor(target: URL, env: Readonly<Record<string, string | undefined>>): URL | undefined {
  if (target.protocol !== 'http:') return undefined;
  const proxy = env.http_proxy || env.HTTP_PROXY;
  if (!proxy) return undefined;
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  for (const entry of noProxy) {
    if (entry === '*') return undefined;
    const name = entry.replace(/:\d+$/, '').replace(/^\*?\./, '');
    if (host === name || host.endsWith('.' + name)) return undefined;
  }
  try {
    return new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
  } catch {
    return undefined; // a malformed proxy setting: go direct rather than fail every send
  }
}

/** POSTs `body` with `headers` to `url`; resolves with the status, rejects on network errors/timeout. */
export function postHttp(
  url: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  timeoutMs = 10_000,
): Promise<PostResult> {
  const target = new URL(url);
  const proxy = proxyFor(target, env);
  const allHeaders: Record<string, string> = { ...headers, 'content-length': String(body?.length ?? 0) };
  const options = proxy
    ? {
        host: proxy.hostname,
        port: proxy.port || 80,
        path: target.href, // absolute-form request line: the proxy routes by it
        headers: { ...allHeaders, host: target.host },
      }
    : {
        host: target.hostname,
        port: target.port || (target.protocol === 'https:' ? 443 : 80),
        path: target.pathname + target.search,
        headers: allHeaders,
      };
  const send = target.protocol === 'https:' && !proxy ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({ ...options, method: 'POST', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
