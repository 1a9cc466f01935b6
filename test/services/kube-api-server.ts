/**
 * An in-memory Kubernetes API server for tests (no kube-apiserver can be installed here). It speaks
 * the real REST paths, content types, Status bodies, optimistic concurrency and watch streams
 * (bookmarks and watch-list included), so the real `@kubernetes/client-node` (and kubectl) can be
 * pointed at it. Tests can inject failures (per request, per time window, whole-server outages),
 * revoke the token or deny verbs, and read back every request it received.
 *
 *   const kube = await startKubeApiServer();
 *   kube.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'demo', namespace: 'argocd' }, spec: {} });
 *   const path = await kube.writeKubeconfig(tmpDir, 'argocd');
 *
 * Several independent servers with one kubeconfig: kube-clusters.ts; in another process:
 * kube-fixture-client.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeAccess, type KubeForbidRule } from './kube-access.ts';
import { countRequests, type CountFilter, type KubeRequestCounts, type KubeRequestRecord } from './kube-accounting.ts';
import {
  KubeFaults,
  outageFailure,
  type InjectedFailure,
  type KubeFault,
  type KubeFaultWindow,
  type KubeOutageOptions,
} from './kube-faults.ts';
import { handle, sendJson, sendStatus, type HandlerContext } from './kube-handler.ts';
import { kubeconfigYaml, writeKubeconfigFile } from './kube-kubeconfig.ts';
import type { KubeObject } from './kube-objects.ts';
import { requestInfo, resourceKeyOf } from './kube-request-info.ts';
import { ResourceRegistry, splitApiVersion } from './kube-resources.ts';
import { KubeStore } from './kube-store.ts';
import { KubeStatusError, statusBody } from './kube-status.ts';
import type { WatchHandle } from './kube-watch.ts';

export type { KubeObject } from './kube-objects.ts';
export type { KubeForbidRule } from './kube-access.ts';
export type { CountFilter, KubeRequestCounts, KubeRequestRecord } from './kube-accounting.ts';
export type { KubeFault, KubeFaultWindow, KubeOutageMode, KubeOutageOptions } from './kube-faults.ts';
export type { KubeVerb } from './kube-request-info.ts';

export interface KubeApiServer {
  url: string;
  /** The bearer token clients must send (null: authentication disabled); see setToken(). */
  readonly token: string | null;
  /** The user named in 403 messages. */
  readonly user: string;
  kubeconfig(namespace?: string): string;
  writeKubeconfig(dir: string, namespace?: string): Promise<string>;
  put(obj: KubeObject, plural?: string): KubeObject;
  get(apiVersion: string, plural: string, namespace: string, name: string): KubeObject | undefined;
  list(apiVersion: string, plural: string, namespace?: string): KubeObject[];
  delete(apiVersion: string, plural: string, namespace: string, name: string): boolean;
  failNext(fault: KubeFault): void;
  /** Every matching request fails until `durationMs` has passed; the returned function ends the window early. */
  failFor(window: KubeFaultWindow): () => void;
  /** outageStart(options), then outageEnd() after `durationMs`; resolves when the outage is over. */
  outage(durationMs: number, options?: KubeOutageOptions): Promise<void>;
  /** Every request fails (see KubeOutageMode) and every open watch is closed, until outageEnd(). */
  outageStart(options?: KubeOutageOptions): Promise<void>;
  outageEnd(): Promise<void>;
  readonly inOutage: boolean;
  /** Accept `token` from now on (the old one gets 401); null disables authentication. */
  setToken(token: string | null): void;
  /** Also accept `token`, authenticating it as `user` (for 403s per identity: forbid({ user })). */
  addToken(token: string, user: string): void;
  /** `token` (default: every token) gets 401 until restoreToken(). */
  revokeToken(token?: string): void;
  /** Ends the revocation of `token` (default: all revocations). */
  restoreToken(token?: string): void;
  /** Denies matching requests with 403; the returned function lifts the rule. */
  forbid(rule: KubeForbidRule): () => void;
  /** Lifts every forbid() rule. */
  allowAll(): void;
  /** Drops pending failNext/failFor faults and forbid rules (not an outage). */
  clearFaults(): void;
  /**
   * Deletes a CRD, as far as clients can tell: its objects are deleted (DELETED events), its watches
   * end, and its paths and discovery entries answer 404 until installResource(). `resource` is
   * qualified: `imageupdaters.argocd-image-updater.argoproj.io`.
   */
  uninstallResource(resource: string): void;
  installResource(resource: string): void;
  /** Drops the watch event history: watches resuming from an older resourceVersion get 410 Gone. */
  compact(): void;
  /** Ends every open watch stream (clients see the server close the connection). */
  closeWatches(): void;
  readonly openWatches: number;
  readonly resourceVersion: string;
  readonly requests: KubeRequestRecord[];
  /** The requests received, summarised per verb and resource. */
  counts(filter?: CountFilter): KubeRequestCounts;
  /** Forgets the recorded requests. */
  resetRequests(): void;
  close(): Promise<void>;
}

export interface KubeApiServerOptions {
  /** Bearer token clients must send; null disables authentication. Default 'test-token'. */
  token?: string | null;
  port?: number;
  /** Watch events kept for resumption (older resourceVersions get 410). Default 1000. */
  historyLimit?: number;
  /** Period of BOOKMARK events on watches with allowWatchBookmarks=true. Default 1000 ms (kube-apiserver: ~1 min). */
  bookmarkIntervalMs?: number;
  /** User named in 403 messages. Default system:serviceaccount:argocd:tagflow. */
  user?: string;
}

/** `applications.argoproj.io` → ['argoproj.io', 'applications']; `secrets` → ['', 'secrets']. */
function splitQualified(resource: string): [string, string] {
  const dot = resource.indexOf('.');
  return dot < 0 ? ['', resource] : [resource.slice(dot + 1), resource.slice(0, dot)];
}

function sendFailure(res: ServerResponse, failure: InjectedFailure): void {
  sendJson(res, failure.status, failure.body, failure.headers);
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const access = new KubeAccess(options.token === undefined ? 'test-token' : options.token, options.user);
  const ctx: HandlerContext = {
    store: new KubeStore(options.historyLimit),
    registry: new ResourceRegistry(),
    watches: new Set<WatchHandle>(),
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
  };
  const requests: KubeRequestRecord[] = [];
  const faults = new KubeFaults();
  let outage: { mode: NonNullable<KubeOutageOptions['mode']>; status: number; id: number } | undefined;
  let outageIds = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof KubeStatusError) sendStatus(res, e);
      else sendJson(res, 500, statusBody(500, `internal error: ${e instanceof Error ? e.message : String(e)}`));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const info = requestInfo(method, url);
    const record: KubeRequestRecord = {
      method,
      path: url.pathname,
      query: url.search,
      contentType: req.headers['content-type'],
      at,
      verb: info.verb,
      resource: resourceKeyOf(info),
      namespace: info.namespace,
      name: info.name,
    };
    requests.push(record);
    res.on('finish', () => (record.status ??= res.statusCode));
    res.on('close', () => (record.status ??= res.headersSent ? res.statusCode : 0));

    if (outage) {
      if (outage.mode === 'status') return sendFailure(res, outageFailure(outage.status));
      return void req.socket.destroy();
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');

    access.check(req.headers.authorization, url.pathname, info);
    const failure = faults.take(method, url.pathname, at);
    if (failure) {
      if (failure.status === 0) return void req.socket.destroy();
      return sendFailure(res, failure);
    }
    await handle(ctx, req, res, url, body);
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const typeOf = (apiVersion: string, plural: string, kind?: string) => {
    const { group, version } = splitApiVersion(apiVersion);
    return ctx.registry.resolve(group, version, plural, kind);
  };
  const served = (apiVersion: string, plural: string) =>
    ctx.registry.isServed(splitApiVersion(apiVersion).group, plural);
  const kubeconfig = (namespace = 'default') =>
    kubeconfigYaml([{ name: 'tagflow-test', url, token: access.token, namespace }]);
  const closeWatches = (how: 'close' | 'destroy' = 'close') => {
    for (const w of [...ctx.watches]) {
      w[how]();
      ctx.watches.delete(w);
    }
  };

  const api: KubeApiServer = {
    url,
    get token() {
      return access.token;
    },
    user: access.user,
    kubeconfig,
    writeKubeconfig: (dir, namespace) => writeKubeconfigFile(dir, 'kubeconfig.yaml', kubeconfig(namespace)),
    put(obj, plural) {
      if (!obj.apiVersion || !obj.kind) throw new Error('put(obj) needs apiVersion and kind');
      const p = plural ?? ctx.registry.pluralFor(obj.apiVersion, obj.kind);
      if (!served(obj.apiVersion, p))
        throw new Error(`cannot put a ${obj.kind}: its resource is uninstalled (see installResource)`);
      return ctx.store.put(typeOf(obj.apiVersion, p, obj.kind), obj);
    },
    get: (apiVersion, plural, namespace, name) =>
      served(apiVersion, plural) ? ctx.store.find(typeOf(apiVersion, plural), namespace, name) : undefined,
    list: (apiVersion, plural, namespace) =>
      served(apiVersion, plural) ? ctx.store.list(typeOf(apiVersion, plural), namespace).items : [],
    delete: (apiVersion, plural, namespace, name) =>
      served(apiVersion, plural) && ctx.store.remove(typeOf(apiVersion, plural), namespace, name) !== undefined,
    failNext: (fault) => faults.failNext(fault),
    failFor: (window) => faults.failFor(window),
    async outage(durationMs, outageOptions) {
      await api.outageStart(outageOptions);
      const id = outage!.id;
      await new Promise((r) => setTimeout(r, durationMs));
      if (outage?.id === id) await api.outageEnd();
    },
    async outageStart(outageOptions = {}) {
      if (outage) await api.outageEnd();
      const mode = outageOptions.mode ?? 'status';
      outage = { mode, status: outageOptions.status ?? 500, id: ++outageIds };
      if (mode === 'status') return closeWatches('close');
      closeWatches('destroy');
      if (mode === 'destroy') server.closeAllConnections();
      else await stopListening();
    },
    async outageEnd() {
      const was = outage;
      outage = undefined;
      if (was?.mode === 'refuse') await listen(port);
    },
    get inOutage() {
      return outage !== undefined;
    },
    setToken: (token) => access.setToken(token),
    addToken: (token, user) => access.addToken(token, user),
    revokeToken: (token) => access.revoke(token),
    restoreToken: (token) => access.restore(token),
    forbid: (rule) => access.forbid(rule),
    allowAll: () => access.allowAll(),
    clearFaults() {
      faults.clear();
      access.allowAll();
    },
    uninstallResource(resource) {
      const [group, plural] = splitQualified(resource);
      for (const type of ctx.registry.typesOf(group, plural)) {
        for (const o of ctx.store.snapshot(type)) ctx.store.remove(type, o.metadata.namespace ?? '', o.metadata.name!);
      }
      ctx.registry.uninstall(group, plural);
      for (const w of [...ctx.watches]) {
        if (w.resource !== `${group}/${plural}`) continue;
        w.close();
        ctx.watches.delete(w);
      }
    },
    installResource(resource) {
      const [group, plural] = splitQualified(resource);
      ctx.registry.install(group, plural);
    },
    compact: () => ctx.store.compact(),
    closeWatches: () => closeWatches('close'),
    get openWatches() {
      return ctx.watches.size;
    },
    get resourceVersion() {
      return String(ctx.store.resourceVersion);
    },
    requests,
    counts: (filter) => countRequests(requests, filter),
    resetRequests() {
      requests.length = 0;
    },
    async close() {
      outage = undefined;
      closeWatches('close');
      if (server.listening) await stopListening();
    },
  };
  return api;
}
