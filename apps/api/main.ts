import { createServer, type Server } from 'node:http';
import type { Logger } from '../../shared/logging/logger.ts';
import type { BudgetState } from '../../shared/ports/request-budget.ts';

export interface ApiDeps {
  log: Logger;
  /** Resolves when the process's stores answer. */
  ping(): Promise<void>;
  /** Every registry's request budget (GET /api/v1/registries). */
  budgets?(): Promise<BudgetState[]>;
  host: string;
  port: number;
}

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

/** The api role: health and readiness probes, registry budgets (the dashboard, webhooks and metrics come later). */
export async function startApi(d: ApiDeps): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
    if (path === '/readyz') {
      d.ping()
        .then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n'))
        .catch(() => res.writeHead(503, { 'content-type': 'text/plain' }).end('redis unavailable\n'));
      return;
    }
    if (path === '/api/v1/registries' && d.budgets) {
      d.budgets()
        .then((registries) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ registries })),
        )
        .catch(() => res.writeHead(503, { 'content-type': 'text/plain' }).end('redis unavailable\n'));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(d.port, d.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : d.port;
  d.log.info({ port }, 'api listening');
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
