// Delivery to Knative addresses in embedded mode: URLs such as
// http://event-display.default.svc.cluster.local name hosts no DNS knows, so
// every non-loopback URL is sent to Skiff's gateway with the original Host
// header — the same path a workload takes through its HTTP_PROXY. Loopback
// URLs (a sink on 127.0.0.1) go direct.
import type { SendFn } from './dispatcher.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

/** A URL hostname on this machine (localhost, 127.x.y.z, ::1): reached directly, never via the gateway. */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

export function viaGateway(send: SendFn, gatewayUrl: string): SendFn {
  const gw = new URL(gatewayUrl);
  const base = `${gw.protocol}//${gw.host}`;
  return (url, event, opts) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return send(url, event, opts); // the sender reports the bad URL
    }
    if (isLoopbackHostname(u.hostname) || u.protocol !== 'http:') return send(url, event, opts);
    return send(`${base}${u.pathname}${u.search}`, event, { ...opts, headers: { ...(opts.headers ?? {}), host: u.host } });
  };
}
