/**
 * List + watch of one resource in one namespace (or all), as controllers do: a paged list gives the
 * complete set (`synced`), a watch from the list's resourceVersion streams changes (with bookmarks,
 * so a reconnect resumes close to now); a watch the server ends is resumed from the last
 * resourceVersion, `410 Gone` means list again, and any other failure is reported once per distinct
 * error and retried with a capped exponential backoff. Objects that fail `parse` are reported and
 * left out (they never stop the others).
 */
import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { TagflowError } from '../../errors.ts';
import { classifyKubeError, httpStatusOf } from './kube-errors.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListWatchHandlers<T> {
  /** The complete set after a (re)list; every earlier object not in it is gone. */
  synced(items: Map<string, T>): void | Promise<void>;
  changed(type: WatchEventType, key: string, item: T): void | Promise<void>;
  /** A failed list or watch (retried by itself), or a malformed object (skipped). */
  error(e: TagflowError): void;
  /** Called after a failed period ends (first successful list or watch again). */
  recovered?(): void;
}

export interface ListWatchOptions<T> {
  kc: KubeConfig;
  /** A custom resource, or (group '') the core ConfigMaps. */
  resource: { group: string; version: string; plural: string } | { group: ''; version: 'v1'; plural: 'configmaps' };
  /** '' = every namespace. */
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Names the operation in errors, e.g. `control plane prod: Applications in all namespaces`. */
  what: string;
  parse(raw: unknown): T;
  backoff?: { initialMs: number; maxMs: number };
  /** Server-side watch timeout; the watch is resumed after it. Default 300 s. */
  watchTimeoutSeconds?: number;
  pageSize?: number;
}

export interface ListWatch {
  start(): void;
  stop(): Promise<void>;
  /** Resolves after the first complete list was delivered. */
  readonly firstSync: Promise<void>;
}

interface RawList {
  items?: unknown[];
  metadata?: { continue?: string; resourceVersion?: string };
}

const keyOf = (raw: unknown): string => {
  const m = (raw as { metadata?: { namespace?: string; name?: string } } | null)?.metadata;
  return `${m?.namespace ?? ''}/${m?.name ?? ''}`;
};

/** One page of the resource's list. */
function pager(o: ListWatchOptions<unknown>) {
  const { group, version, plural } = o.resource;
  const selectors = { labelSelector: o.labelSelector || undefined, fieldSelector: o.fieldSelector || undefined };
  if (group === '') {
    const core = o.kc.makeApiClient(CoreV1Api);
    return async (page: { limit: number; _continue?: string }) =>
      (o.namespace
        ? await core.listNamespacedConfigMap({ ...selectors, ...page, namespace: o.namespace })
        : await core.listConfigMapForAllNamespaces({ ...selectors, ...page })) as unknown as RawList;
  }
  const api = o.kc.makeApiClient(CustomObjectsApi);
  return async (page: { limit: number; _continue?: string }) => {
    const common = { group, version, plural, ...selectors, ...page };
    return (
      o.namespace
        ? await api.listNamespacedCustomObject({ ...common, namespace: o.namespace })
        : await api.listClusterCustomObject(common)
    ) as RawList;
  };
}

export function listWatch<T>(o: ListWatchOptions<T>, h: ListWatchHandlers<T>): ListWatch {
  const { group, version, plural } = o.resource;
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const path = o.namespace ? `${base}/namespaces/${o.namespace}/${plural}` : `${base}/${plural}`;
  const listPage = pager(o as ListWatchOptions<unknown>);
  const backoff = o.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  let stopped = true;
  let rv = '';
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = backoff.initialMs;
  let failing: string | undefined;
  let resolveFirst: () => void = () => {};
  const firstSync = new Promise<void>((r) => (resolveFirst = r));

  const parse = (raw: unknown): T | undefined => {
    try {
      return o.parse(raw);
    } catch (e) {
      h.error(e as TagflowError);
      return undefined;
    }
  };

  const fail = (e: unknown, verb: string) => {
    if (stopped) return;
    const err = classifyKubeError(e, `${o.what}: ${verb}`);
    // one report per distinct error, not one per retry
    if (failing !== err.code) h.error(err);
    failing = err.code;
    schedule(delay);
    delay = Math.min(delay * 2, backoff.maxMs);
  };
  const ok = () => {
    delay = backoff.initialMs;
    if (failing !== undefined) {
      failing = undefined;
      h.recovered?.();
    }
  };
  const schedule = (ms: number) => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, ms);
  };

  async function list(): Promise<void> {
    const items = new Map<string, T>();
    let token: string | undefined;
    let listRv = '';
    do {
      const page = await listPage({ limit: o.pageSize ?? 500, _continue: token });
      listRv ||= page.metadata?.resourceVersion ?? '';
      for (const raw of page.items ?? []) {
        const item = parse(raw);
        if (item !== undefined) items.set(keyOf(raw), item);
      }
      token = page.metadata?.continue || undefined;
    } while (token);
    rv = listRv;
    await h.synced(items);
  }

  async function watch(): Promise<void> {
    let gone = false;
    let ended = false;
    const params = {
      resourceVersion: rv,
      allowWatchBookmarks: true,
      timeoutSeconds: o.watchTimeoutSeconds ?? 300,
      labelSelector: o.labelSelector || undefined,
      fieldSelector: o.fieldSelector || undefined,
    };
    abort = await new Watch(o.kc).watch(
      path,
      params,
      (type, obj: { metadata?: { resourceVersion?: string }; code?: number }) => {
        if (type === 'ERROR') {
          if (obj?.code === 410) gone = true;
          return;
        }
        if (obj?.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
        if (type === 'BOOKMARK') return;
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
        const item = parse(obj);
        if (item !== undefined)
          void Promise.resolve(h.changed(type, keyOf(obj), item)).catch((e: unknown) =>
            h.error(classifyKubeError(e, `${o.what}: handle a change`)),
          );
      },
      (err: unknown) => {
        ended = true;
        abort = undefined;
        if (stopped) return;
        if (gone || httpStatusOf(err) === 410) {
          rv = '';
          schedule(0);
        } else if (err) fail(err, 'watch');
        else schedule(0); // the server ended the watch: resume from rv
      },
    );
    // client-node reports a refused watch (e.g. HTTP 500) through the done callback before it returns
    if (!ended) ok();
  }

  async function run(): Promise<void> {
    if (stopped) return;
    try {
      if (!rv) {
        await list();
        ok();
        resolveFirst();
      }
    } catch (e) {
      return fail(e, 'list');
    }
    try {
      await watch();
    } catch (e) {
      fail(e, 'watch');
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      abort?.abort();
      abort = undefined;
    },
    firstSync,
  };
}
