/**
 * Per-type write semantics of kube-apiserver that the store applies on every create/update/patch:
 * Secret `stringData` folded into base64 `data`, `generation` for custom resources, the status
 * subresource split, immutable metadata carried over from the stored object.
 */
import { isDeepStrictEqual } from 'node:util';
import { badRequest, invalid } from './kube-status.ts';
import type { ResourceType } from './kube-resources.ts';

export interface KubeMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMetadata;
  [k: string]: unknown;
}

const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling']);

/** Built-in types: list items are served without apiVersion/kind and have no `generation`. */
export function isBuiltin(group: string): boolean {
  return BUILTIN_GROUPS.has(group) || group.endsWith('.k8s.io');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function normalizeSecret(obj: KubeObject): void {
  const data = (obj.data ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !BASE64.test(v)) {
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data for key "${k}"`);
    }
  }
  const stringData = obj.stringData as Record<string, unknown> | undefined;
  if (stringData) {
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete obj.stringData;
  }
  if (Object.keys(data).length > 0) obj.data = data;
  obj.type ??= 'Opaque';
}

/**
 * How a write is applied, as the apiserver's per-type strategies do it:
 * - `main`: create/update of the object itself; with a status subresource, status is dropped on
 *   create and kept from the stored object on update;
 * - `status`: a write through `/status`; only status is taken from the body, everything else
 *   (metadata included) stays as stored;
 * - `raw`: the test hook `put()`, which takes the body as given (status included).
 */
export type WriteMode = 'main' | 'status' | 'raw';

/**
 * The part of an object whose change bumps `generation`: everything but metadata, as the
 * apiextensions strategy compares it. Status counts only for types without a status subresource
 * (where it is an ordinary field: Argo CD Applications).
 */
function generationPart(obj: KubeObject, type: ResourceType): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  if (type.statusSubresource) delete rest.status;
  return rest;
}

function pinStatus(obj: KubeObject, old: KubeObject | undefined): void {
  if (old && Object.hasOwn(old, 'status')) obj.status = structuredClone(old.status);
  else delete obj.status;
}

/**
 * Builds the object to store from a client body. `old` is the stored object on update.
 * The caller checks preconditions and sets resourceVersion afterwards.
 */
export function prepareWrite(
  body: KubeObject,
  type: ResourceType,
  apiVersion: string,
  ns: string,
  old?: KubeObject,
  mode: WriteMode = 'main',
): KubeObject {
  if (mode === 'status') {
    if (!old) throw new Error('a status write needs the stored object');
    const obj = structuredClone(old);
    if (Object.hasOwn(body, 'status')) obj.status = structuredClone(body.status);
    else delete obj.status;
    return obj;
  }
  const obj = structuredClone(body);
  obj.apiVersion = apiVersion;
  obj.kind = type.kind;
  obj.metadata = { ...(obj.metadata ?? {}) };
  const name = obj.metadata.name ?? '';
  if (type.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = ns;
  }
  if (type.group === '' && type.plural === 'secrets') normalizeSecret(obj);
  if (mode === 'main' && type.statusSubresource) pinStatus(obj, old);
  if (old) {
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    if (!isBuiltin(type.group)) {
      const changed = !isDeepStrictEqual(generationPart(obj, type), generationPart(old, type));
      obj.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
  } else {
    if (!name)
      throw invalid(type.group, type.kind, '', 'metadata.name: Required value: name or generateName is required');
    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    delete obj.metadata.deletionTimestamp;
    if (!isBuiltin(type.group)) obj.metadata.generation = 1;
  }
  return obj;
}

/** True when an update would not change anything (kube-apiserver then keeps the resourceVersion). */
export function isNoop(next: KubeObject, old: KubeObject): boolean {
  const a = { ...next, metadata: { ...next.metadata, resourceVersion: undefined } };
  const b = { ...old, metadata: { ...old.metadata, resourceVersion: undefined } };
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/** Strips the type meta from list items of built-in types, as the real server does. */
export function listItem(obj: KubeObject, group: string): KubeObject {
  if (!isBuiltin(group)) return obj;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest as KubeObject;
}

export function generateName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return prefix + suffix;
}
