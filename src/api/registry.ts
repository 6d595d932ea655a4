// The one place a kind is declared: group/version/kind, plural and short
// names, scope, subresources, defaulting, validation and printer columns.
// The API server, the in-process client, kubectl discovery, the OpenAPI
// document and the CLI all read from here.
import type { FieldError } from './errors.js';
import type { KObject } from './meta.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What defaulting/validation may look at besides the object itself. */
export interface AdmissionContext {
  operation: Operation;
  /** Read another object (e.g. a config map) at admission time; undefined when absent. */
  get(gr: string, namespace: string, name: string): KObject | undefined;
  /** True when the write comes from a controller rather than a user. */
  internal?: boolean;
  /** Subresource being written, if any ('status', 'scale'). */
  subresource?: string;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** A simple JSON path like `.status.url` or `.status.conditions[?(@.type=="Ready")].status` */
  jsonPath?: string;
  /** Or compute the cell. */
  value?: (obj: KObject, now: number) => unknown;
  /** 0 = default columns, >0 = only with -o wide. */
  priority?: number;
  description?: string;
}

export interface ScaleSubresource {
  specReplicasPath: string; // e.g. .spec.replicas
  statusReplicasPath: string; // e.g. .status.replicas
  labelSelectorPath?: string; // e.g. .status.selector
}

export interface ResourceType {
  group: string; // '' for the core group
  version: string; // storage + preferred version
  /** Other served versions with the same schema (objects are stored once, rewritten on read). */
  alsoServed?: string[];
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  namespaced: boolean;
  categories?: string[];
  subresources?: { status?: boolean; scale?: ScaleSubresource; log?: boolean };
  /** Fields whose change bumps metadata.generation (default: ['spec'] when the kind has status). */
  generationFields?: string[];
  /** Name syntax (Kubernetes default: DNS-1123 subdomain). */
  nameRule?: 'subdomain' | 'label' | 'any';
  /** Mutating admission: fill defaults in place. */
  default?(obj: KObject, ctx: AdmissionContext, old?: KObject): void;
  /** Validating admission. `old` is set on updates. */
  validate?(obj: KObject, old: KObject | undefined, ctx: AdmissionContext): FieldError[];
  /** Extra columns for server-side Table output (NAME and AGE are handled by the server when absent). */
  printerColumns?: PrinterColumn[];
  /** Strategic-merge-patch list keys: path (dotted, `[]` for list items) → merge key. */
  mergeKeys?: Record<string, string>;
  /** Fields the API forbids changing after creation (besides Knative validators). */
  immutableFields?: string[];
  /** Verbs (default: all). */
  verbs?: string[];
}

export function grOf(t: { group: string; plural: string }): string {
  return `${t.group || 'core'}/${t.plural}`;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export class ResourceRegistry {
  private readonly byGr = new Map<string, ResourceType>();
  private readonly byGvk = new Map<string, ResourceType>();

  register(t: ResourceType): void {
    const gr = grOf(t);
    if (this.byGr.has(gr)) throw new Error(`resource ${gr} registered twice`);
    this.byGr.set(gr, t);
    for (const v of [t.version, ...(t.alsoServed ?? [])]) this.byGvk.set(`${t.group}/${v}/${t.kind}`, t);
  }

  all(): ResourceType[] {
    return [...this.byGr.values()];
  }

  /** By group-resource key (`core/pods`, `serving.knative.dev/services`). */
  get(gr: string): ResourceType | undefined {
    return this.byGr.get(gr);
  }

  mustGet(gr: string): ResourceType {
    const t = this.byGr.get(gr);
    if (!t) throw new Error(`unknown resource ${gr}`);
    return t;
  }

  /** By group + plural, for URL routing. */
  byGroupPlural(group: string, plural: string): ResourceType | undefined {
    return this.byGr.get(`${group || 'core'}/${plural}`);
  }

  /** By apiVersion + kind, for manifests. */
  byApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
    const i = apiVersion.indexOf('/');
    const group = i < 0 ? '' : apiVersion.slice(0, i);
    const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
    return this.byGvk.get(`${group}/${version}/${kind}`);
  }

  /** Versions a group serves (preferred first). */
  groupVersions(group: string): string[] {
    const out: string[] = [];
    for (const t of this.byGr.values()) {
      if (t.group !== group) continue;
      for (const v of [t.version, ...(t.alsoServed ?? [])]) if (!out.includes(v)) out.push(v);
    }
    return out.sort(compareKubeVersions);
  }

  groups(): string[] {
    return [...new Set([...this.byGr.values()].map((t) => t.group))];
  }

  /**
   * Resolve what a user typed (`ksvc`, `services.serving.knative.dev`, `Pod`,
   * `deployments.apps`, `deploy`) to a resource, kubectl-style. Core kinds win
   * over others on plain names (as kubectl prefers them).
   */
  resolve(typed: string): ResourceType | undefined {
    const lower = typed.toLowerCase();
    const dot = lower.indexOf('.');
    if (dot > 0) {
      const name = lower.slice(0, dot);
      let group = lower.slice(dot + 1);
      // allow resource.version.group
      const candidates = this.all().filter((t) => [t.plural, t.singular, t.kind.toLowerCase(), ...(t.shortNames ?? [])].includes(name));
      const exact = candidates.find((t) => t.group === group);
      if (exact) return exact;
      const vi = group.indexOf('.');
      if (vi > 0) {
        const g2 = group.slice(vi + 1);
        group = g2;
        const withVersion = candidates.find((t) => t.group === g2);
        if (withVersion) return withVersion;
      }
      return undefined;
    }
    const order = (t: ResourceType) => (t.group === '' ? 0 : t.group === 'apps' ? 1 : 2);
    const sorted = this.all().sort((a, b) => order(a) - order(b));
    return (
      sorted.find((t) => t.plural === lower) ??
      sorted.find((t) => t.singular === lower) ??
      sorted.find((t) => t.kind.toLowerCase() === lower) ??
      sorted.find((t) => (t.shortNames ?? []).includes(lower))
    );
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [level, Number(m[1]), m[3] ? Number(m[3]) : 0];
  };
  const [la, ma, na] = parse(a);
  const [lb, mb, nb] = parse(b);
  return lb - la || mb - ma || nb - na;
}
