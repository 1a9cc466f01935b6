import { createServer, type Server } from 'node:http';
import type { Runtime } from '../cli/runtime.ts';

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

/** The api role: health and readiness probes (the dashboard, webhooks and metrics come later). */
export async function startApi(rt: Runtime): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
    if (path === '/readyz') {
      rt.redis
        .ping()
        .then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n'))
        .catch(() => res.writeHead(503, { 'content-type': 'text/plain' }).end('redis unavailable\n'));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(rt.config.apiPort, rt.config.apiHost, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : rt.config.apiPort;
  rt.log.info({ port }, 'api listening');
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
