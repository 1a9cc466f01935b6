/**
 * The in-memory object store behind the test API server: one global resourceVersion counter (as
 * etcd's revision), optimistic concurrency, finalizers, and a bounded event history for watches.
 */
import { applyJsonPatch, applyMergePatch } from './kube-patch.ts';
import { fieldSelector, parseLabelSelector, matches } from './kube-label-selector.ts';
import { selectableFields } from './kube-fields.ts';
import { generateName, isBuiltin, isNoop, prepareWrite, type KubeObject, type WriteMode } from './kube-objects.ts';
import { apiVersionOf, type ResourceType } from './kube-resources.ts';
import { KubeStatusError, alreadyExists, badRequest, conflict, invalid, notFound } from './kube-status.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: WatchEventType;
  rv: number;
  resource: string; // group/plural
  namespace: string;
  object: KubeObject;
  previous?: KubeObject;
}

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  /** Paging: skip this many matching objects, return at most `limit` (0/absent = all). */
  offset?: number;
  limit?: number;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  /** Matching objects after this page. */
  remaining: number;
}

const CR_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

export function resourceKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

export class KubeStore {
  private rv = 0;
  private compactedRv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historyLimit = 1000) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** Oldest resourceVersion a watch can resume from; older ones get 410 Gone. */
  get oldestResumableRv(): number {
    return this.compactedRv;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const k = resourceKey(type);
    let b = this.objects.get(k);
    if (!b) this.objects.set(k, (b = new Map()));
    return b;
  }

  private view(obj: KubeObject, type: ResourceType): KubeObject {
    const copy = structuredClone(obj);
    copy.apiVersion = apiVersionOf(type.group, type.version);
    return copy;
  }

  /** Matching objects ordered by namespace/name; only the returned page is copied. */
  list(type: ResourceType, ns: string | undefined, opts: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = fieldSelector(opts.fieldSelector, selectableFields(type));
    const matching = [...this.bucket(type).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter(
        (o) => (ns === undefined || o.metadata.namespace === ns) && matches(labels, o.metadata.labels) && fields(o),
      );
    const offset = opts.offset ?? 0;
    const page = opts.limit ? matching.slice(offset, offset + opts.limit) : matching.slice(offset);
    return {
      items: page.map((o) => this.view(o, type)),
      resourceVersion: String(this.rv),
      remaining: matching.length - offset - page.length,
    };
  }

  find(type: ResourceType, ns: string, name: string): KubeObject | undefined {
    const o = this.bucket(type).get(`${ns}/${name}`);
    return o && this.view(o, type);
  }

  get(type: ResourceType, ns: string, name: string): KubeObject {
    const o = this.find(type, ns, name);
    if (!o) throw notFound(type.group, type.plural, name);
    return o;
  }

  create(type: ResourceType, ns: string, body: KubeObject): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('the body of the request is not a valid object');
    const meta = { ...(body.metadata ?? {}) };
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    const obj = prepareWrite({ ...body, metadata: meta }, type, apiVersionOf(type.group, type.version), ns);
    const name = obj.metadata.name!;
    if (this.bucket(type).has(`${ns}/${name}`)) throw alreadyExists(type.group, type.plural, name);
    return this.commit(type, ns, 'ADDED', obj);
  }

  /**
   * PUT semantics: a given resourceVersion must match the stored one, else 409. `subresource`
   * 'status' is a write through `/status` (only status is taken from the body).
   */
  update(type: ResourceType, ns: string, name: string, body: KubeObject, subresource?: 'status'): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('the body of the request is not a valid object');
    if (body.metadata?.name !== name) {
      throw badRequest(
        `the name of the object (${body.metadata?.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    const old = this.bucket(type).get(`${ns}/${name}`);
    if (!old) throw notFound(type.group, type.plural, name);
    const rv = body.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!isBuiltin(type.group)) {
        throw invalid(
          type.group,
          type.kind,
          name,
          'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
        );
      }
    } else if (rv !== old.metadata.resourceVersion) {
      throw conflict(type.group, type.plural, name);
    }
    const mode: WriteMode = subresource === 'status' ? 'status' : 'main';
    const next = prepareWrite(body, type, apiVersionOf(type.group, type.version), ns, old, mode);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) return this.remove(type, ns, name)!;
    if (isNoop(next, old)) return this.view(old, type);
    return this.commit(type, ns, 'MODIFIED', next, old);
  }

  patch(
    type: ResourceType,
    ns: string,
    name: string,
    contentType: string,
    patch: unknown,
    subresource?: 'status',
  ): KubeObject {
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    const custom = !isBuiltin(type.group);
    if (mediaType === 'application/apply-patch+yaml' || (custom && !CR_PATCH_TYPES.includes(mediaType))) {
      throw new KubeStatusError(
        415,
        `the body of the request was in an unknown format - accepted media types include: ${CR_PATCH_TYPES.join(', ')}` +
          (custom ? '' : ', application/strategic-merge-patch+json'),
      );
    }
    const current = this.get(type, ns, name);
    let patched: unknown;
    if (mediaType === 'application/json-patch+json') patched = applyJsonPatch(current, patch);
    else if (mediaType === 'application/merge-patch+json' || mediaType === 'application/strategic-merge-patch+json') {
      // Strategic merge on built-in types is approximated by a merge patch (no list merge keys here).
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
        throw badRequest('merge patch body must be a JSON object');
      patched = applyMergePatch(current, patch);
    } else throw new KubeStatusError(415, `unsupported patch content type ${mediaType}`);
    return this.update(type, ns, name, patched as KubeObject, subresource);
  }

  /** DELETE semantics: preconditions (uid/resourceVersion) → 409; objects with finalizers only get a deletionTimestamp. */
  delete(
    type: ResourceType,
    ns: string,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): KubeObject {
    const old = this.bucket(type).get(`${ns}/${name}`);
    if (!old) throw notFound(type.group, type.plural, name);
    if (
      (preconditions.uid && preconditions.uid !== old.metadata.uid) ||
      (preconditions.resourceVersion && preconditions.resourceVersion !== old.metadata.resourceVersion)
    ) {
      throw conflict(type.group, type.plural, name);
    }
    if (old.metadata.finalizers?.length) {
      if (old.metadata.deletionTimestamp) return this.view(old, type);
      const next = structuredClone(old);
      next.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return this.commit(type, ns, 'MODIFIED', next, old);
    }
    return this.remove(type, ns, name)!;
  }

  /**
   * Test hook: create or replace without preconditions, status included (still bumps
   * resourceVersion and generation, still emits events).
   */
  put(type: ResourceType, obj: KubeObject): KubeObject {
    const ns = type.namespaced ? (obj.metadata.namespace ?? 'default') : '';
    const old = this.bucket(type).get(`${ns}/${obj.metadata.name}`);
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
    const next = prepareWrite(body, type, apiVersionOf(type.group, type.version), ns, old, 'raw');
    return this.commit(type, ns, old ? 'MODIFIED' : 'ADDED', next, old);
  }

  /** Removes an object immediately (no finalizers). Returns the deleted object, or undefined. */
  remove(type: ResourceType, ns: string, name: string): KubeObject | undefined {
    const old = this.bucket(type).get(`${ns}/${name}`);
    if (!old) return undefined;
    this.bucket(type).delete(`${ns}/${name}`);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({
      type: 'DELETED',
      rv: this.rv,
      resource: resourceKey(type),
      namespace: ns,
      object: gone,
      previous: old,
    });
    return this.view(gone, type);
  }

  private commit(
    type: ResourceType,
    ns: string,
    kind: WatchEventType,
    obj: KubeObject,
    previous?: KubeObject,
  ): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    this.bucket(type).set(`${ns}/${obj.metadata.name}`, obj);
    this.emit({
      type: kind,
      rv: this.rv,
      resource: resourceKey(type),
      namespace: ns,
      object: structuredClone(obj),
      previous,
    });
    return this.view(obj, type);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const l of this.listeners) l(e);
  }

  /** Events after `rv` (exclusive); throws 410 when they were compacted away. */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.compactedRv) {
      throw new KubeStatusError(410, `too old resource version: ${rv} (${this.compactedRv + 1})`, 'Expired');
    }
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets the event history, so watches from any earlier resourceVersion get 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  /** All objects of a resource across namespaces (for typed access in tests). */
  snapshot(type: ResourceType): KubeObject[] {
    return [...this.bucket(type).values()].map((o) => this.view(o, type));
  }
}
