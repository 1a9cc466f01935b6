/**
 * Per-type write semantics of kube-apiserver that the store applies on every create/update/patch:
 * Secret `stringData` folded into base64 `data`, `generation` for custom resources, immutable
 * metadata carried over from the stored object.
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

/** The part of an object whose change bumps `generation` (everything but metadata and status). */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * Builds the object to store from a client body. `old` is the stored object on update.
 * The caller sets resourceVersion afterwards.
 */
export function prepareWrite(body: KubeObject, type: ResourceType, apiVersion: string, ns: string, old?: KubeObject): KubeObject {
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
  if (old) {
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    if (!isBuiltin(type.group)) {
      const changed = !isDeepStrictEqual(specPart(obj), specPart(old));
      obj.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
  } else {
    if (!name) throw invalid(type.group, type.plural, '', 'metadata.name: Required value: name or generateName is required');
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
