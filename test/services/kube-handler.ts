/**
 * Serves one authenticated request against the store: discovery documents, list/watch/get/create/
 * update/patch/delete, with `metav1.Status` bodies for every error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkListOptions, parseBool, parseWatchOptions } from './kube-list-options.ts';
import { listItem, type KubeObject } from './kube-objects.ts';
import { ResourceRegistry, apiVersionOf, type ResourceType } from './kube-resources.ts';
import { route } from './kube-routes.ts';
import type { KubeStore } from './kube-store.ts';
import { KubeStatusError, badRequest } from './kube-status.ts';
import { serveWatch, type WatchHandle } from './kube-watch.ts';

export const KUBE_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0-tagflow-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-04-17T00:00:00Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface HandlerContext {
  store: KubeStore;
  registry: ResourceRegistry;
  watches: Set<WatchHandle>;
  /** Period of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, e: KubeStatusError, headers: Record<string, string> = {}): void {
  sendJson(res, e.code, e.toStatus(), headers);
}

function parseBody(raw: string): KubeObject {
  try {
    return JSON.parse(raw) as KubeObject;
  } catch {
    throw badRequest('the body of the request could not be decoded as JSON');
  }
}

const notFoundPath = () => new KubeStatusError(404, 'the server could not find the requested resource', 'NotFound');

export async function handle(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): Promise<void> {
  const r = route(url.pathname);
  const method = req.method ?? 'GET';
  switch (r.kind) {
    case 'discovery':
      if (r.doc === 'version') return sendJson(res, 200, KUBE_VERSION);
      if (r.doc === 'health') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      if (r.doc === 'api')
        return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      return sendJson(res, 200, ctx.registry.apiGroupList());
    case 'group': {
      const g = (ctx.registry.apiGroupList() as { groups: { name: string }[] }).groups.find((x) => x.name === r.group);
      if (!g) throw notFoundPath();
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
    }
    case 'groupVersion': {
      const list = ctx.registry.apiResourceList(r.group, r.version);
      if (!list) throw notFoundPath();
      return sendJson(res, 200, list);
    }
    case 'unknown':
      throw notFoundPath();
  }
  if (!ctx.registry.isServed(r.group, r.plural)) throw notFoundPath();
  const kindHint = body ? safeKind(body) : undefined;
  const type = ctx.registry.resolve(r.group, r.version, r.plural, kindHint);
  if (r.subresource !== undefined && (r.subresource !== 'status' || !type.statusSubresource)) throw notFoundPath();
  if (type.namespaced && r.namespace === undefined && (r.name !== undefined || method !== 'GET')) throw notFoundPath();
  const ns = type.namespaced ? r.namespace : '';
  const nsOrEmpty = ns ?? '';
  const { store } = ctx;

  if (r.name === undefined) {
    if (method === 'GET') {
      const params = url.searchParams;
      if (parseBool('watch', params.get('watch'))) {
        const options = parseWatchOptions(params, store.resourceVersion);
        const h = serveWatch(res, store, {
          type,
          namespace: ns,
          labelSelector: params.get('labelSelector'),
          fieldSelector: params.get('fieldSelector'),
          options,
          bookmarkIntervalMs: ctx.bookmarkIntervalMs,
        });
        if (res.writableEnded) return;
        ctx.watches.add(h);
        res.on('close', () => ctx.watches.delete(h));
        return;
      }
      checkListOptions(params, store.resourceVersion);
      return sendJson(res, 200, listResponse(store, type, ns, params));
    }
    if (method === 'POST') return sendJson(res, 201, store.create(type, nsOrEmpty, parseBody(body)));
    if (method === 'DELETE') {
      const { items } = store.list(type, ns, {
        labelSelector: url.searchParams.get('labelSelector'),
        fieldSelector: url.searchParams.get('fieldSelector'),
      });
      const deleted = items.map((o) => store.delete(type, o.metadata.namespace ?? '', o.metadata.name!));
      return sendJson(res, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type.group, type.version),
        metadata: { resourceVersion: String(store.resourceVersion) },
        items: deleted,
      });
    }
    throw new KubeStatusError(
      405,
      `the server does not allow this method on the requested resource`,
      'MethodNotAllowed',
    );
  }

  const status = r.subresource === 'status';
  switch (method) {
    case 'GET': {
      const found = store.find(type, nsOrEmpty, r.name);
      if (!found && type.group === '' && type.plural === 'namespaces') {
        return sendJson(res, 200, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: r.name },
          status: { phase: 'Active' },
        });
      }
      return sendJson(res, 200, found ?? store.get(type, nsOrEmpty, r.name));
    }
    case 'PUT':
      return sendJson(res, 200, store.update(type, nsOrEmpty, r.name, parseBody(body), status ? 'status' : undefined));
    case 'PATCH':
      return sendJson(
        res,
        200,
        store.patch(
          type,
          nsOrEmpty,
          r.name,
          req.headers['content-type'] ?? '',
          parseBody(body),
          status ? 'status' : undefined,
        ),
      );
    case 'DELETE': {
      const options = body.trim()
        ? (parseBody(body) as { preconditions?: { uid?: string; resourceVersion?: string } })
        : {};
      return sendJson(res, 200, store.delete(type, nsOrEmpty, r.name, options.preconditions ?? {}));
    }
    default:
      throw new KubeStatusError(
        405,
        `the server does not allow this method on the requested resource`,
        'MethodNotAllowed',
      );
  }
}

function safeKind(body: string): string | undefined {
  try {
    const k = (JSON.parse(body) as { kind?: unknown }).kind;
    return typeof k === 'string' ? k : undefined;
  } catch {
    return undefined;
  }
}

/** A list with `limit`/`continue` paging (continue = opaque offset token). */
function listResponse(store: KubeStore, type: ResourceType, ns: string | undefined, params: URLSearchParams): object {
  const limit = Number(params.get('limit') ?? '0');
  let offset = 0;
  const token = params.get('continue');
  if (token) {
    try {
      offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset: number }).offset;
    } catch {
      throw badRequest('continue key is not valid');
    }
  }
  const { items, resourceVersion, remaining } = store.list(type, ns, {
    labelSelector: params.get('labelSelector'),
    fieldSelector: params.get('fieldSelector'),
    offset,
    limit: limit > 0 ? limit : undefined,
  });
  const metadata: Record<string, unknown> = { resourceVersion };
  if (limit > 0 && remaining > 0) {
    metadata.continue = Buffer.from(JSON.stringify({ offset: offset + items.length })).toString('base64url');
    metadata.remainingItemCount = remaining;
  }
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type.group, type.version),
    metadata,
    items: items.map((o) => listItem(o, type.group)),
  };
}
