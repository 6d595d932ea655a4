// Object output for `-o yaml|json|name` the way kubectl writes it: YAML with
// sorted keys and unindented sequences (go-yaml style), JSON with 4-space
// indent, several objects wrapped in a `List`, names as `kind.group/name`.
import type { KObject } from '../api/meta.js';
import { kindName } from './discovery.js';
import { yaml } from './lazy-yaml.js';

export function toYaml(obj: unknown): string {
  return yaml().stringify(obj, { indentSeq: false, sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

export function toJson(obj: unknown): string {
  return `${JSON.stringify(obj, null, 4)}\n`;
}

/** kubectl wraps several objects (or any list request) in a v1 List. */
export function asList(items: KObject[]): KObject {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } } as unknown as KObject;
}

export function formatObjects(items: KObject[], format: 'yaml' | 'json', single: boolean): string {
  const value = single && items.length === 1 ? items[0] : asList(items);
  return format === 'yaml' ? toYaml(value) : toJson(value);
}

/** `configmap/x`, `deployment.apps/x`, `service.serving.knative.dev/hello`. */
export function objectName(kind: string, group: string, name: string): string {
  return `${kindName(kind, group)}/${name}`;
}
