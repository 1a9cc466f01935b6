/**
 * An in-memory Kubernetes API server for tests (no kube-apiserver can be installed here). It speaks
 * the real REST paths, content types, Status bodies, optimistic concurrency and watch streams, so
 * the real `@kubernetes/client-node` (and kubectl) can be pointed at it.
 *
 *   const kube = await startKubeApiServer();
 *   kube.put({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'demo', namespace: 'argocd' }, spec: {} });
 *   const path = await kube.writeKubeconfig(tmpDir, 'argocd');
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { handle, sendJson, sendStatus, type HandlerContext } from './kube-handler.ts';
import type { KubeObject } from './kube-objects.ts';
import { ResourceRegistry, splitApiVersion } from './kube-resources.ts';
import { KubeStore } from './kube-store.ts';
import { KubeStatusError, statusBody } from './kube-status.ts';
import type { WatchHandle } from './kube-watch.ts';

export type { KubeObject } from './kube-objects.ts';

export interface KubeFault {
  /** HTTP method to match ('*' or omitted = any). */
  method?: string;
  /** Tested against the request path (without the query string). */
  pathRegex: RegExp | string;
  /** Status code to answer with; 0 destroys the connection instead (a network error). */
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Retry-After header in seconds (429 gets 1 by default). */
  retryAfter?: number;
}

export interface KubeRequestRecord {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
}

export interface KubeApiServer {
  url: string;
  token: string | null;
  kubeconfig(namespace?: string): string;
  writeKubeconfig(dir: string, namespace?: string): Promise<string>;
  put(obj: KubeObject, plural?: string): KubeObject;
  get(apiVersion: string, plural: string, namespace: string, name: string): KubeObject | undefined;
  list(apiVersion: string, plural: string, namespace?: string): KubeObject[];
  delete(apiVersion: string, plural: string, namespace: string, name: string): boolean;
  failNext(fault: KubeFault): void;
  /** Drops the watch event history: watches resuming from an older resourceVersion get 410 Gone. */
  compact(): void;
  /** Ends every open watch stream (clients see the server close the connection). */
  closeWatches(): void;
  readonly resourceVersion: string;
  readonly requests: KubeRequestRecord[];
  close(): Promise<void>;
}

export interface KubeApiServerOptions {
  /** Bearer token clients must send; null disables authentication. Default 'test-token'. */
  token?: string | null;
  port?: number;
  /** Watch events kept for resumption (older resourceVersions get 410). Default 1000. */
  historyLimit?: number;
}

const OPEN_PATHS = new Set(['/version', '/healthz', '/readyz', '/livez']);

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = options.token === undefined ? 'test-token' : options.token;
  const ctx: HandlerContext = { store: new KubeStore(options.historyLimit), registry: new ResourceRegistry(), watches: new Set<WatchHandle>() };
  const requests: KubeRequestRecord[] = [];
  const faults: (KubeFault & { left: number })[] = [];

  const server = createServer((req, res) => {
    void serve(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof KubeStatusError) sendStatus(res, e);
      else sendJson(res, 500, statusBody(500, `internal error: ${e instanceof Error ? e.message : String(e)}`));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, query: url.search, contentType: req.headers['content-type'] });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');

    const auth = req.headers.authorization;
    if (token !== null && auth !== `Bearer ${token}` && (auth !== undefined || !OPEN_PATHS.has(url.pathname))) {
      throw new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
    }
    const fault = faults.find((f) => (!f.method || f.method === '*' || f.method.toUpperCase() === method) && new RegExp(f.pathRegex).test(url.pathname));
    if (fault) {
      if (--fault.left <= 0) faults.splice(faults.indexOf(fault), 1);
      if (fault.status === 0) return void req.socket.destroy();
      const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : undefined);
      const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
      return sendStatus(res, new KubeStatusError(fault.status, `injected failure (${fault.status})`), headers);
    }
    await handle(ctx, req, res, url, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const typeOf = (apiVersion: string, plural: string, kind?: string) => {
    const { group, version } = splitApiVersion(apiVersion);
    return ctx.registry.resolve(group, version, plural, kind);
  };
  const kubeconfig = (namespace = 'default') =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node 1.x refuses plain http:// unless TLS verification is explicitly skipped.
      clusters: [{ name: 'tagflow-test', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'tagflow-test', user: token === null ? {} : { token } }],
      contexts: [{ name: 'tagflow-test', context: { cluster: 'tagflow-test', user: 'tagflow-test', namespace } }],
      'current-context': 'tagflow-test',
      preferences: {},
    });

  return {
    url,
    token,
    kubeconfig,
    async writeKubeconfig(dir, namespace) {
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'kubeconfig.yaml');
      await writeFile(path, kubeconfig(namespace), { mode: 0o600 });
      return path;
    },
    put(obj, plural) {
      if (!obj.apiVersion || !obj.kind) throw new Error('put(obj) needs apiVersion and kind');
      const p = plural ?? ctx.registry.pluralFor(obj.apiVersion, obj.kind);
      return ctx.store.put(typeOf(obj.apiVersion, p, obj.kind), obj);
    },
    get: (apiVersion, plural, namespace, name) => ctx.store.find(typeOf(apiVersion, plural), namespace, name),
    list: (apiVersion, plural, namespace) => ctx.store.list(typeOf(apiVersion, plural), namespace).items,
    delete: (apiVersion, plural, namespace, name) => ctx.store.remove(typeOf(apiVersion, plural), namespace, name) !== undefined,
    failNext(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    compact: () => ctx.store.compact(),
    closeWatches() {
      for (const w of [...ctx.watches]) w.close();
    },
    get resourceVersion() {
      return String(ctx.store.resourceVersion);
    },
    requests,
    async close() {
      for (const w of [...ctx.watches]) w.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
