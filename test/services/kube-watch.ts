/**
 * `?watch=true` streams: newline-delimited `{type, object}` events, replayed from a resourceVersion,
 * `ERROR` with a 410 Status when that resourceVersion was compacted away. Headers are flushed at
 * once (client-node awaits the response before it reads events).
 */
import type { ServerResponse } from 'node:http';
import { fieldSelector, matches, parseLabelSelector } from './kube-label-selector.ts';
import type { KubeObject } from './kube-objects.ts';
import { apiVersionOf, type ResourceType } from './kube-resources.ts';
import { resourceKey, type KubeStore, type StoreEvent } from './kube-store.ts';
import { KubeStatusError, badRequest } from './kube-status.ts';

export interface WatchHandle {
  close(): void;
}

export function serveWatch(
  res: ServerResponse,
  store: KubeStore,
  type: ResourceType,
  ns: string | undefined,
  params: URLSearchParams,
): WatchHandle {
  const labels = parseLabelSelector(params.get('labelSelector'));
  const fields = fieldSelector(params.get('fieldSelector'));
  const rvParam = params.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const key = resourceKey(type);
  const apiVersion = apiVersionOf(type.group, type.version);
  const selected = (o: KubeObject | undefined) => !!o && matches(labels, o.metadata.labels) && fields(o);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
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
  let timer: NodeJS.Timeout | undefined;
  const handle: WatchHandle = {
    close() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (!res.writableEnded) res.end();
    },
  };
  res.on('close', () => handle.close());

  try {
    if (rvParam === '' || rvParam === '0') {
      for (const obj of store.list(type, ns).items) if (selected(obj)) write('ADDED', obj);
    } else {
      for (const e of store.eventsSince(Number(rvParam))) send(e);
    }
  } catch (e) {
    if (!(e instanceof KubeStatusError)) throw e;
    write('ERROR', e.toStatus());
    handle.close();
    return handle;
  }
  unsubscribe = store.subscribe(send);
  const timeout = Number(params.get('timeoutSeconds') ?? '0');
  if (timeout > 0) timer = setTimeout(() => handle.close(), timeout * 1000);
  return handle;
}
