/**
 * client-node plumbing shared by the test API server's own tests: a KubeConfig for a server, the
 * ApiException of a failed call, condition polling, and an informer that asks for bookmarks.
 *
 * client-node 1.4's informer (ListWatch) sends only resourceVersion/labelSelector/fieldSelector on
 * its watches, so it never gets BOOKMARK events unless its Watch adds `allowWatchBookmarks`, as
 * BookmarkWatch does. It already handles them: a BOOKMARK only moves its resourceVersion.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeApiServer } from './kube-api-server.ts';

export function kubeConfigFor(
  server: Pick<KubeApiServer, 'url' | 'token'>,
  options: { token?: string | null; namespace?: string } = {},
): k8s.KubeConfig {
  const token = options.token === undefined ? server.token : options.token;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: server.url, skipTLSVerify: true }],
    users: [token === null ? { name: 'u' } : { name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: options.namespace ?? 'argocd' }],
    currentContext: 'x',
  });
  return kc;
}

export interface ApiFailure {
  code: number;
  /** The Status body, parsed; undefined where client-node drops it (its 401 handling). */
  body:
    | { kind: string; status: string; reason: string; message: string; code: number; details?: Record<string, unknown> }
    | undefined;
  headers: Record<string, string>;
}

/** The ApiException a client-node call fails with (fails the test if it succeeds or fails otherwise). */
export async function apiError(p: Promise<unknown>): Promise<ApiFailure> {
  const e = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
  if (!(e instanceof k8s.ApiException)) throw new Error(`expected an ApiException, got ${String(e)}`);
  const ex = e as k8s.ApiException<unknown>;
  const body =
    typeof ex.body === 'string' ? (JSON.parse(ex.body) as ApiFailure['body']) : (ex.body as ApiFailure['body']);
  return { code: ex.code, body, headers: ex.headers };
}

/** Polls `check` until it returns a truthy value (generous default for a busy 2-core machine). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A Watch that asks for BOOKMARK events on every watch it starts. */
export class BookmarkWatch extends k8s.Watch {
  override watch(
    path: string,
    queryParams: Record<string, unknown>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ) {
    return super.watch(path, { ...queryParams, allowWatchBookmarks: true }, callback, done);
  }
}

/** An informer over `path` (listing with `list`) whose watches allow bookmarks. */
export function bookmarkInformer<T extends k8s.KubernetesObject>(
  kc: k8s.KubeConfig,
  path: string,
  list: k8s.ListPromise<T>,
  labelSelector?: string,
): k8s.ListWatch<T> {
  return new k8s.ListWatch(path, new BookmarkWatch(kc), list, false, labelSelector);
}
