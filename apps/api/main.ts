import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logging/logger.ts';
import type { BudgetState } from '../../shared/ports/request-budget.ts';

/** One endpoint of the api role. Features (webhooks, metrics, dashboard) each bring their routes. */
export interface Route {
  /** Any method when omitted. */
  method?: string;
  /** An exact path, or a pattern over the path (no query). */
  path: string | RegExp;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
}

export interface ApiDeps {
  log: Logger;
  /** Resolves when the process's stores answer. */
  ping(): Promise<void>;
  /** Readiness beyond Redis (each control plane too); `ping` alone when omitted. */
  ready?(): Promise<{ ok: boolean; problems: string[] }>;
  /** Every registry's request budget (GET /api/v1/registries). */
  budgets?(): Promise<BudgetState[]>;
  /** More endpoints, tried in order after the built-in ones. */
  routes?: Route[];
  /**
   * Wraps the built-in routes that need the API token (GET /api/v1/registries): see
   * apps/api/auth/guard.ts `protectApi`. Without one they answer 401: nothing is open by default.
   */
  guard?: (route: Route) => Route;
  host: string;
  port: number;
}

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

const text = (res: ServerResponse, status: number, body: string) =>
  void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);

function builtins(d: ApiDeps): Route[] {
  const routes: Route[] = [
    { path: '/healthz', handle: (_req, res) => text(res, 200, 'OK\n') },
    {
      path: '/readyz',
      handle: (_req, res) =>
        d.ready
          ? d.ready().then((r) => (r.ok ? text(res, 200, 'OK\n') : text(res, 503, r.problems.join('\n') + '\n')))
          : d.ping().then(
              () => text(res, 200, 'OK\n'),
              () => text(res, 503, 'redis unavailable\n'),
            ),
    },
  ];
  const budgets = d.budgets;
  const guard =
    d.guard ?? ((r: Route): Route => ({ ...r, handle: (_req, res) => text(res, 401, 'no API token is configured\n') }));
  if (budgets)
    routes.push(
      guard({
        method: 'GET',
        path: '/api/v1/registries',
        handle: (_req, res) =>
          budgets().then(
            (registries) =>
              void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ registries })),
            () => text(res, 503, 'redis unavailable\n'),
          ),
      }),
    );
  return routes;
}

/** Finds the route for a request: 404 when no path matches, 405 when only the method differs. */
export function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse, log: Logger): void {
  const url = new URL(req.url ?? '/', 'http://api.invalid');
  const onPath = routes.filter((r) =>
    typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname),
  );
  const route = onPath.find((r) => !r.method || r.method === req.method);
  if (!route)
    return text(res, onPath.length > 0 ? 405 : 404, onPath.length > 0 ? 'method not allowed\n' : 'not found\n');
  Promise.resolve()
    .then(() => route.handle(req, res, url))
    .catch((e: unknown) => {
      log.error({ path: url.pathname, error: (e as Error).message }, 'api request failed');
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.end();
    });
}

/** The api role: health and readiness probes, registry budgets, and the routes of the features given. */
export async function startApi(d: ApiDeps): Promise<ApiServer> {
  const routes = [...builtins(d), ...(d.routes ?? [])];
  const server: Server = createServer((req, res) => dispatch(routes, req, res, d.log));
  await new Promise<void>((resolve) => server.listen(d.port, d.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : d.port;
  d.log.info({ port }, 'api listening');
  return {
    port,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
