// Pure routing of the gateway (the networking layer's role): the host table
// compiled from the `hosts` / `revisions` / `services` / `static` snapshots,
// Host normalisation (port stripped, case-insensitive, trailing dot), the
// absolute-form request target (`GET http://host/path` from pods that use the
// gateway as their HTTP proxy), weighted split choice and tag-header routing.
// Everything here is computed once per snapshot so a lookup on the hot path is
// one Map.get plus a short scan of cumulative weights, with no allocation.

import type { HostEntry, HostKind, SplitTarget, Visibility } from './protocol.js';
import { clusterLocalHostnames } from './protocol.js';

export const CLUSTER_DOMAIN = 'cluster.local';
export const LOCALHOST_SUFFIX = '.localhost';
const PATTERN_CACHE_LIMIT = 4096;

/** Lower-cases and strips `:port` and a trailing dot; `[v6]:port` keeps the brackets. */
export function normalizeHost(raw: string): string {
  let end = raw.length;
  if (raw.charCodeAt(0) === 91 /* [ */) {
    const close = raw.indexOf(']');
    end = close < 0 ? end : close + 1;
  } else {
    const colon = raw.lastIndexOf(':');
    if (colon >= 0) end = colon;
  }
  if (end > 0 && raw.charCodeAt(end - 1) === 46 /* . */) end--;
  let upper = false;
  for (let i = 0; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper = true;
      break;
    }
  }
  const s = end === raw.length ? raw : raw.slice(0, end);
  return upper ? s.toLowerCase() : s;
}

export interface AbsoluteTarget {
  /** Lower-case scheme without `:` (`http`, `https`, …). */
  scheme: string;
  /** `host[:port]` without userinfo. */
  authority: string;
  /** Origin-form path + query, at least `/`. */
  path: string;
}

/**
 * Splits an absolute-form request target (`http://host:port/p?q`, RFC 7230 §5.3.2).
 * Returns null for origin-form (`/p`) and asterisk-form (`*`) targets and for
 * anything that is not `scheme://authority…`.
 */
export function parseAbsoluteTarget(target: string): AbsoluteTarget | null {
  const c0 = target.charCodeAt(0);
  if (c0 === 47 /* / */ || c0 === 42 /* * */) return null;
  const sep = target.indexOf('://');
  if (sep <= 0) return null;
  const scheme = target.slice(0, sep).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return null;
  const start = sep + 3;
  let end = target.length;
  for (let i = start; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 47 || c === 63 /* ? */ || c === 35 /* # */) {
      end = i;
      break;
    }
  }
  let authority = target.slice(start, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority.length === 0) return null;
  let path = target.slice(end);
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (path.length === 0 || path.charCodeAt(0) !== 47) path = '/' + path;
  return { scheme, authority, path };
}

/**
 * Weighted choice over targets with integer-ish percents. `pick(r)` takes a
 * uniform random number in [0, 1) so callers choose the random source (tests
 * pass a seeded one). Targets with 0 % never get picked.
 */
export class WeightedSplit<T> {
  readonly targets: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: ReadonlyArray<{ target: T; percent: number }>) {
    const kept = entries.filter((e) => e.percent > 0);
    this.targets = kept.map((e) => e.target);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach((e, i) => {
      sum += e.percent;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  get size(): number {
    return this.targets.length;
  }

  /** The target for r ∈ [0, 1); undefined when the split has no weighted target. */
  pick(r: number): T | undefined {
    const n = this.targets.length;
    if (n <= 1) return this.targets[0];
    const x = r * this.total;
    const cum = this.cumulative;
    for (let i = 0; i < n - 1; i++) if (x < cum[i]!) return this.targets[i];
    return this.targets[n - 1];
  }
}

/** One revision a split can send to, with its request headers precomputed. */
export interface RevisionTarget {
  /** `namespace/revision`. */
  readonly key: string;
  readonly namespace: string;
  readonly revision: string;
  /** Header lines to append, each `Name: value\r\n` (split headers + path appendHeaders). */
  readonly headerLines: string;
  /** The same headers as pairs (for the node:http / http2 paths). */
  readonly headerPairs: ReadonlyArray<readonly [string, string]>;
  /**
   * What the pod sees when the activator forwarded the request: the split
   * headers minus Knative-Serving-Revision/-Namespace (the activator consumes
   * them), plus `K-Proxy-Request: activator`.
   */
  readonly proxiedHeaderLines: string;
  readonly proxiedHeaderPairs: ReadonlyArray<readonly [string, string]>;
}

const ACTIVATOR_CONSUMED = new Set(['knative-serving-revision', 'knative-serving-namespace']);
export const K_PROXY_REQUEST: readonly [string, string] = ['K-Proxy-Request', 'activator'];

/** A parsed static base URL (`http://host:port/prefix`). */
export interface StaticBackend {
  readonly url: string;
  readonly address: string;
  readonly port: number;
  /** Path prefix without trailing slash ('' for none). */
  readonly pathPrefix: string;
}

/** A host as the gateway resolves it. */
export interface CompiledHost {
  readonly host: string;
  readonly kind: HostKind;
  readonly namespace: string;
  readonly name: string;
  readonly visibility: Visibility;
  readonly ingressKey: string;
  /** Default split (route / revision kinds). */
  readonly split: WeightedSplit<RevisionTarget> | null;
  /** Knative-Serving-Tag value → split. */
  readonly tagSplits: ReadonlyMap<string, WeightedSplit<RevisionTarget>> | null;
  /** kind service: `namespace/name` into the services snapshot. */
  readonly serviceKey: string | null;
  /** kind static: where to send. */
  readonly staticBackend: StaticBackend | null;
  /** DomainMapping: resolve this host instead and send it as Host. */
  readonly rewriteHost: string | null;
  /** True when a revision of any split speaks h2c (the HTTP/1.1 fast path hands such requests over). */
  readonly anyH2c: boolean;
}

export interface RouteTableInput {
  hosts: Record<string, HostEntry>;
  /** Revision keys (`ns/rev`) → protocol; every revision also gets its cluster-local host names. */
  revisions: ReadonlyMap<string, 'http1' | 'h2c'>;
  /** Service keys (`ns/svc`); each gets its cluster-local host names (explicit hosts and revisions win). */
  services: Iterable<string>;
  /** Static host patterns → base URLs. */
  staticBackends: Record<string, string>;
  clusterDomain?: string;
}

function headerLines(pairs: ReadonlyArray<readonly [string, string]>): string {
  let s = '';
  for (const [k, v] of pairs) s += `${k}: ${v}\r\n`;
  return s;
}

export function parseStaticBackend(url: string): StaticBackend {
  const u = new URL(url);
  const pathPrefix = u.pathname.replace(/\/+$/, '');
  return { url, address: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 80, pathPrefix };
}

function compilePattern(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('[^.]+');
  return new RegExp(`^${body}$`);
}

/**
 * The gateway's host table. Build one per snapshot change; lookups are pure.
 * Precedence: explicit `hosts` entries > `.localhost` aliases of external route
 * hosts > revision host names > service host names > static patterns.
 */
export class RouteTable {
  private readonly exact = new Map<string, CompiledHost>();
  private readonly patterns: Array<{ re: RegExp; host: (h: string) => CompiledHost }> = [];
  private readonly targets = new Map<string, RevisionTarget>();
  private readonly revisionProtocols: ReadonlyMap<string, 'http1' | 'h2c'>;
  private patternHits = 0;

  constructor(input: RouteTableInput) {
    const domain = input.clusterDomain ?? CLUSTER_DOMAIN;
    this.revisionProtocols = input.revisions;
    const staticExact = new Map<string, StaticBackend>();
    for (const [pattern, url] of Object.entries(input.staticBackends)) {
      const backend = parseStaticBackend(url);
      if (pattern.includes('*')) {
        const re = compilePattern(pattern);
        this.patterns.push({ re, host: (h) => this.staticHost(h, backend) });
      } else staticExact.set(pattern, backend);
    }

    for (const [host, e] of Object.entries(input.hosts)) this.exact.set(host, this.compileEntry(host, e, staticExact));
    // `.localhost` aliases: only where no explicit entry claims the name.
    for (const [host, e] of Object.entries(input.hosts)) {
      if (e.kind !== 'route' || e.visibility !== 'ExternalIP' || e.rewriteHost !== undefined) continue;
      const alias = `${e.tag ? `${e.tag}-` : ''}${e.name}.${e.namespace}${LOCALHOST_SUFFIX}`;
      if (!this.exact.has(alias)) this.exact.set(alias, { ...this.exact.get(host)!, host: alias });
    }
    for (const key of input.revisions.keys()) {
      const [ns, rev] = key.split('/') as [string, string];
      for (const h of clusterLocalHostnames(rev, ns, domain)) {
        if (this.exact.has(h)) continue;
        this.exact.set(
          h,
          this.compileEntry(h, { kind: 'revision', namespace: ns, name: rev, visibility: 'ClusterLocal', splits: [], ingressKey: '' }, staticExact),
        );
      }
    }
    for (const key of input.services) {
      const [ns, svc] = key.split('/') as [string, string];
      for (const h of clusterLocalHostnames(svc, ns, domain)) {
        if (this.exact.has(h)) continue;
        this.exact.set(
          h,
          this.compileEntry(h, { kind: 'service', namespace: ns, name: svc, visibility: 'ClusterLocal', splits: [], ingressKey: '' }, staticExact),
        );
      }
    }
    for (const [pattern, backend] of staticExact) if (!this.exact.has(pattern)) this.exact.set(pattern, this.staticHost(pattern, backend));
  }

  /** Resolves a normalised host (see normalizeHost); null when unknown. */
  lookup(host: string): CompiledHost | null {
    const hit = this.exact.get(host);
    if (hit !== undefined) return hit;
    for (let i = 0; i < this.patterns.length; i++) {
      const p = this.patterns[i]!;
      if (p.re.test(host)) {
        const h = p.host(host);
        // Cache the answer for the next request, bounded so odd Host headers cannot grow it without limit.
        if (this.patternHits++ < PATTERN_CACHE_LIMIT) this.exact.set(host, h);
        return h;
      }
    }
    return null;
  }

  /** Every host the table answers exactly (for diagnostics). */
  hosts(): string[] {
    return [...this.exact.keys()].sort();
  }

  private target(ns: string, revision: string, extra: ReadonlyArray<readonly [string, string]>): RevisionTarget {
    const pairs = extra;
    const id = `${ns}/${revision}\n${pairs.map(([k, v]) => `${k}:${v}`).join('\n')}`;
    let t = this.targets.get(id);
    if (t === undefined) {
      const proxied = [...pairs.filter(([k]) => !ACTIVATOR_CONSUMED.has(k.toLowerCase())), K_PROXY_REQUEST];
      t = {
        key: `${ns}/${revision}`,
        namespace: ns,
        revision,
        headerLines: headerLines(pairs),
        headerPairs: pairs,
        proxiedHeaderLines: headerLines(proxied),
        proxiedHeaderPairs: proxied,
      };
      this.targets.set(id, t);
    }
    return t;
  }

  private compileSplit(entry: HostEntry, list: SplitTarget[], append: Record<string, string> | undefined): WeightedSplit<RevisionTarget> {
    return new WeightedSplit(
      list.map((s) => {
        const ns = s.namespace ?? entry.namespace;
        const pairs: Array<[string, string]> = [];
        for (const [k, v] of Object.entries(s.headers ?? {})) pairs.push([k, v]);
        for (const [k, v] of Object.entries(append ?? {})) pairs.push([k, v]);
        return { target: this.target(ns, s.revision, pairs), percent: s.percent };
      }),
    );
  }

  private compileEntry(host: string, e: HostEntry, staticExact: Map<string, StaticBackend>): CompiledHost {
    let split: WeightedSplit<RevisionTarget> | null = null;
    let tagSplits: Map<string, WeightedSplit<RevisionTarget>> | null = null;
    if (e.kind === 'route' || e.kind === 'revision') {
      const list = e.splits.length > 0 || e.kind === 'route' ? e.splits : [{ revision: e.name, percent: 100 }];
      split = list.length > 0 ? this.compileSplit(e, list, e.appendHeaders) : null;
      if (e.tagHeaders) {
        tagSplits = new Map();
        for (const [tag, l] of Object.entries(e.tagHeaders)) tagSplits.set(tag, this.compileSplit(e, l, undefined));
      }
    }
    let anyH2c = false;
    const check = (s: WeightedSplit<RevisionTarget> | null) => {
      for (const t of s?.targets ?? []) if (this.revisionProtocols.get(t.key) === 'h2c') anyH2c = true;
    };
    check(split);
    for (const s of tagSplits?.values() ?? []) check(s);
    let staticBackend: StaticBackend | null = null;
    if (e.kind === 'static') {
      staticBackend = staticExact.get(host) ?? null;
      if (staticBackend === null) {
        for (const p of this.patterns) if (p.re.test(host)) staticBackend = p.host(host).staticBackend;
      }
    }
    return {
      host,
      kind: e.kind,
      namespace: e.namespace,
      name: e.name,
      visibility: e.visibility,
      ingressKey: e.ingressKey,
      split,
      tagSplits,
      serviceKey: e.kind === 'service' ? `${e.namespace}/${e.name}` : null,
      staticBackend,
      rewriteHost: e.rewriteHost ?? null,
      anyH2c,
    };
  }

  private staticHost(host: string, backend: StaticBackend): CompiledHost {
    return {
      host,
      kind: 'static',
      namespace: '',
      name: host,
      visibility: 'ClusterLocal',
      ingressKey: '',
      split: null,
      tagSplits: null,
      serviceKey: null,
      staticBackend: backend,
      rewriteHost: null,
      anyH2c: false,
    };
  }
}

/**
 * The revision a request goes to: the tag's split when the request carries a
 * known `Knative-Serving-Tag`, else the default split. `r` ∈ [0, 1).
 */
export function pickRevision(host: CompiledHost, tag: string | null, r: number): RevisionTarget | undefined {
  if (tag !== null && host.tagSplits !== null) {
    const s = host.tagSplits.get(tag);
    if (s !== undefined) return s.pick(r);
  }
  return host.split?.pick(r);
}

/** The 404 body for an unknown host. */
export function unknownHostBody(host: string): string {
  return `no Skiff route for host "${host}"; list routes with: skiff route list -A\n`;
}

/** True for loopback peers (cluster-local hosts answer only those in embedded mode). */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}
