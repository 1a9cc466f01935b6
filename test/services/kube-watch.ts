/**
 * `?watch=true` streams: newline-delimited `{type, object}` events, replayed from a resourceVersion,
 * `ERROR` with a 410 Status when that resourceVersion was compacted away. Headers are flushed at
 * once (client-node awaits the response before it reads events).
 *
 * With `allowWatchBookmarks=true` the stream carries BOOKMARK events (an object of the watched
 * kind with only `metadata.resourceVersion`: every event up to it was delivered) every
 * `bookmarkIntervalMs` (kube-apiserver: about once a minute) and right before a `timeoutSeconds`
 * close. `sendInitialEvents=true` (with `resourceVersionMatch=NotOlderThan`, KEP-3157 "watch list")
 * starts with ADDED for every current object, then a bookmark annotated
 * `k8s.io/initial-events-end: "true"` (when bookmarks are allowed).
 */
import type { ServerResponse } from 'node:http';
import { selectableFields } from './kube-fields.ts';
import { fieldSelector, matches, parseLabelSelector } from './kube-label-selector.ts';
import type { WatchOptions } from './kube-list-options.ts';
import type { KubeObject } from './kube-objects.ts';
import { apiVersionOf, type ResourceType } from './kube-resources.ts';
import { resourceKey, type KubeStore, type StoreEvent } from './kube-store.ts';
import { KubeStatusError } from './kube-status.ts';

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export interface WatchHandle {
  /** group/plural of the watched resource. */
  readonly resource: string;
  /** Ends the stream cleanly (the client sees the server close it). */
  close(): void;
  /** Destroys the connection (the client sees a network error). */
  destroy(): void;
}

export interface WatchRequest {
  type: ResourceType;
  /** undefined = all namespaces. */
  namespace: string | undefined;
  labelSelector: string | null;
  fieldSelector: string | null;
  options: WatchOptions;
  bookmarkIntervalMs: number;
}

export function serveWatch(res: ServerResponse, store: KubeStore, req: WatchRequest): WatchHandle {
  const { type, namespace: ns, options } = req;
  const labels = parseLabelSelector(req.labelSelector);
  const fields = fieldSelector(req.fieldSelector, selectableFields(type));
  const key = resourceKey(type);
  const apiVersion = apiVersionOf(type.group, type.version);
  const selected = (o: KubeObject | undefined) => !!o && matches(labels, o.metadata.labels) && fields(o);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    write('BOOKMARK', {
      kind: type.kind,
      apiVersion,
      metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) },
    });
  const send = (e: StoreEvent) => {
    if (e.resource !== key || (ns !== undefined && e.namespace !== ns)) return;
    const now = selected(e.object);
    const before = e.type === 'MODIFIED' ? selected(e.previous) : now;
    let type: string = e.type;
    if (e.type === 'MODIFIED' && now && !before) type = 'ADDED';
    else if (e.type === 'MODIFIED' && !now && before) type = 'DELETED';
    else if (!now) return;
    write(type, { ...structuredClone(e.object), apiVersion });
  };

  let unsubscribe = () => {};
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
  const handle: WatchHandle = {
    resource: key,
    close() {
      stop();
      if (!res.writableEnded) res.end();
    },
    destroy() {
      stop();
      res.destroy();
    },
  };
  res.on('close', () => stop());

  try {
    const rv = options.resourceVersion;
    if (options.sendInitialEvents === true) {
      for (const obj of store.list(type, ns, { labelSelector: req.labelSelector, fieldSelector: req.fieldSelector })
        .items)
        write('ADDED', obj);
      if (options.allowWatchBookmarks) bookmark({ [INITIAL_EVENTS_END]: 'true' });
    } else if (options.sendInitialEvents === undefined && (rv === '' || rv === '0')) {
      for (const obj of store.list(type, ns, { labelSelector: req.labelSelector, fieldSelector: req.fieldSelector })
        .items)
        write('ADDED', obj);
    } else if (rv !== '' && rv !== '0') {
      for (const e of store.eventsSince(Number(rv))) send(e);
    }
  } catch (e) {
    if (!(e instanceof KubeStatusError)) throw e;
    write('ERROR', e.toStatus());
    handle.close();
    return handle;
  }
  unsubscribe = store.subscribe(send);
  if (options.allowWatchBookmarks && req.bookmarkIntervalMs > 0)
    timers.push(setInterval(() => bookmark(), req.bookmarkIntervalMs));
  if (options.timeoutSeconds > 0) {
    timers.push(
      setTimeout(() => {
        if (options.allowWatchBookmarks) bookmark();
        handle.close();
      }, options.timeoutSeconds * 1000),
    );
  }
  return handle;
}
