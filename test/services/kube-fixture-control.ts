/**
 * The control API of a fixture process: lets the parent load objects in bulk, read request counts
 * and inject faults into the test API servers running in this process.
 *
 *   GET  /healthz
 *   POST /objects          {cluster?, objects}  → {count, resourceVersion}   (put, no preconditions)
 *   GET  /objects?cluster=&apiVersion=&plural=&namespace=  → {items}
 *   POST /objects/delete   {cluster?, objects}  → {count}
 *   GET  /counts?cluster=&since=                → {clusters: {name: KubeRequestCounts}}
 *   GET  /requests?cluster=                     → {requests}
 *   POST /reset-counts     {cluster?}           → {}
 *   POST /fault            {cluster?, fault}    → {}
 *   POST /shutdown                              → {} (then the process exits)
 *
 * `cluster` defaults to the first cluster for writes and to all clusters for counts and resets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeForbidRule } from './kube-access.ts';
import type { KubeApiServer } from './kube-api-server.ts';
import type { KubeClusters } from './kube-clusters.ts';
import {
  BulkDeleteRequest,
  BulkPutRequest,
  ClusterRequest,
  FaultRequest,
  type KubeFixtureFault,
} from './kube-fixture-protocol.ts';
import type { KubeObject } from './kube-objects.ts';
import { ResourceRegistry, splitApiVersion } from './kube-resources.ts';

export interface FixtureControl {
  url: string;
  close(): Promise<void>;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
}

function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } },
  value: unknown,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ControlError(400, r.error.message);
  return r.data;
}

/** Applies a fault request to one server. */
export async function applyFault(server: KubeApiServer, fault: KubeFixtureFault): Promise<void> {
  switch (fault.action) {
    case 'failNext':
      return server.failNext(fault);
    case 'failFor':
      return void server.failFor(fault);
    case 'outage':
      // Answer at once; the outage ends on its own.
      await server.outageStart(fault);
      setTimeout(() => void server.outageEnd(), fault.durationMs);
      return;
    case 'outageStart':
      return server.outageStart(fault);
    case 'outageEnd':
      return server.outageEnd();
    case 'setToken':
      return server.setToken(fault.token);
    case 'addToken':
      return server.addToken(fault.token, fault.user);
    case 'revokeToken':
      return server.revokeToken(fault.token);
    case 'restoreToken':
      return server.restoreToken(fault.token);
    case 'forbid': {
      const { action: _a, ...rule } = fault;
      return void server.forbid(rule as KubeForbidRule);
    }
    case 'allowAll':
      return server.allowAll();
    case 'clearFaults':
      return server.clearFaults();
    case 'closeWatches':
      return server.closeWatches();
    case 'uninstallResource':
      return server.uninstallResource(fault.resource);
    case 'installResource':
      return server.installResource(fault.resource);
    case 'compact':
      return server.compact();
  }
}

export async function startFixtureControl(
  fleet: KubeClusters,
  onShutdown: () => void,
  port = 0,
): Promise<FixtureControl> {
  const pick = (name: string | undefined | null) => (name ? fleet.get(name) : fleet.clusters[0]!);
  const scope = (name: string | undefined | null) => (name ? [fleet.get(name)] : fleet.clusters);

  async function route(req: IncomingMessage, url: URL): Promise<unknown> {
    const q = url.searchParams;
    const key = `${req.method} ${url.pathname}`;
    switch (key) {
      case 'GET /healthz':
        return { ok: true };
      case 'POST /objects': {
        const { cluster, objects } = parse(BulkPutRequest, await readJson(req));
        const { server } = pick(cluster);
        for (const o of objects) server.put(o as KubeObject);
        return { count: objects.length, resourceVersion: server.resourceVersion };
      }
      case 'GET /objects': {
        const apiVersion = q.get('apiVersion');
        const plural = q.get('plural');
        if (!apiVersion || !plural) throw new ControlError(400, 'apiVersion and plural are required');
        return { items: pick(q.get('cluster')).server.list(apiVersion, plural, q.get('namespace') ?? undefined) };
      }
      case 'POST /objects/delete': {
        const { cluster, objects } = parse(BulkDeleteRequest, await readJson(req));
        const { server } = pick(cluster);
        let count = 0;
        for (const o of objects) {
          const { plural, namespaced } = typeOf(o.apiVersion, o.kind);
          const ns = namespaced ? (o.metadata.namespace ?? 'default') : '';
          if (server.delete(o.apiVersion, plural, ns, o.metadata.name)) count++;
        }
        return { count };
      }
      case 'GET /counts': {
        const since = q.get('since');
        const filter = since ? { since: Number(since) } : {};
        return { clusters: Object.fromEntries(scope(q.get('cluster')).map((c) => [c.name, c.server.counts(filter)])) };
      }
      case 'GET /requests':
        return { requests: pick(q.get('cluster')).server.requests };
      case 'POST /reset-counts': {
        const { cluster } = parse(ClusterRequest, await readJson(req));
        for (const c of scope(cluster)) c.server.resetRequests();
        return {};
      }
      case 'POST /fault': {
        const { cluster, fault } = parse(FaultRequest, await readJson(req));
        await applyFault(pick(cluster).server, fault);
        return {};
      }
      case 'POST /shutdown':
        setImmediate(onShutdown);
        return {};
      default:
        throw new ControlError(404, `no route ${key}`);
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    route(req, url).then(
      (body) => reply(res, 200, body),
      (e: unknown) =>
        reply(res, e instanceof ControlError ? e.status : 500, { error: e instanceof Error ? e.message : String(e) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const names = new ResourceRegistry();

/** Plural and scope of a kind, looked up as the server's put() does. */
function typeOf(apiVersion: string, kind: string): { plural: string; namespaced: boolean } {
  const { group, version } = splitApiVersion(apiVersion);
  const plural = names.pluralFor(apiVersion, kind);
  return { plural, namespaced: names.resolve(group, version, plural, kind).namespaced };
}
