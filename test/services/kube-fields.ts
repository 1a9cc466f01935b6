/**
 * Field selectors beyond `metadata.name`/`metadata.namespace`, per type, as the apiserver's
 * registry strategies expose them (`kubectl describe` lists an object's Events through
 * `involvedObject.*`, controllers list Secrets by `type`).
 */
import type { KubeObject } from './kube-objects.ts';
import type { ResourceType } from './kube-resources.ts';

export type FieldGetter = (obj: KubeObject) => string | undefined;

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const at = (obj: KubeObject, ...path: string[]): string | undefined => {
  let cur: unknown = obj;
  for (const p of path) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return str(cur);
};

/** core/v1 Event: pkg/registry/core/event/strategy.go ToSelectableFields. */
const EVENT_FIELDS: Record<string, FieldGetter> = {
  'involvedObject.kind': (o) => at(o, 'involvedObject', 'kind'),
  'involvedObject.namespace': (o) => at(o, 'involvedObject', 'namespace'),
  'involvedObject.name': (o) => at(o, 'involvedObject', 'name'),
  'involvedObject.uid': (o) => at(o, 'involvedObject', 'uid'),
  'involvedObject.apiVersion': (o) => at(o, 'involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': (o) => at(o, 'involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': (o) => at(o, 'involvedObject', 'fieldPath'),
  reason: (o) => at(o, 'reason'),
  reportingComponent: (o) => at(o, 'reportingComponent'),
  source: (o) => at(o, 'source', 'component'),
  type: (o) => at(o, 'type'),
};

const SECRET_FIELDS: Record<string, FieldGetter> = { type: (o) => at(o, 'type') };

/** Extra selectable fields of a type (none for custom resources). */
export function selectableFields(type: Pick<ResourceType, 'group' | 'plural'>): Record<string, FieldGetter> {
  if (type.group !== '') return {};
  if (type.plural === 'events') return EVENT_FIELDS;
  if (type.plural === 'secrets') return SECRET_FIELDS;
  return {};
}
