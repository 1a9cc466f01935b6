/**
 * A pass-through HTTP proxy in front of a real service (the registry) that can answer chosen
 * requests with an error status instead of forwarding them: a transient 500 from an otherwise
 * real registry.
 *
 *   const proxy = await startFaultProxy(registry.url);
 *   proxy.failNext({ pathRegex: /\/tags\/list$/, status: 500 });   // the next tag list fails once
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyFault {
  method?: string;
  pathRegex: RegExp;
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Headers of the injected answer (e.g. Retry-After on a 429). */
  headers?: Record<string, string>;
}

export interface FaultProxy {
  url: string;
  host: string;
  /** `METHOD path status` of every request, in order. */
  readonly requests: string[];
  /** When each of `requests` arrived (ms since the epoch), same order. */
  readonly arrivals: number[];
  failNext(fault: ProxyFault): void;
  /** Holds matching requests for `ms` before forwarding them (a slow registry); returns a function ending it. */
  slowDown(match: { pathRegex: RegExp; ms: number }): () => void;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const faults: (ProxyFault & { left: number })[] = [];
  const slow = new Set<{ pathRegex: RegExp; ms: number }>();
  const requests: string[] = [];
  const arrivals: number[] = [];
  let base = '';

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? 'GET';
    const arrived = Date.now();
    const fault = faults.find((f) => (!f.method || f.method === method) && f.pathRegex.test(url.pathname));
    if (fault) {
      if (--fault.left <= 0) faults.splice(faults.indexOf(fault), 1);
      requests.push(`${method} ${url.pathname} ${fault.status}`);
      arrivals.push(arrived);
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.headers ?? {}) });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected failure (${fault.status})` }] }));
      return;
    }
    const delay = Math.max(0, ...[...slow].filter((d) => d.pathRegex.test(url.pathname)).map((d) => d.ms));
    if (delay > 0) return void setTimeout(() => forward(req, res, url, method, arrived), delay);
    forward(req, res, url, method, arrived);
  });
  const forward = (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    url: URL,
    method: string,
    arrived: number,
  ) => {
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
    const up = request(new URL(url.pathname + url.search, upstream), { method, headers }, (upRes) => {
      requests.push(`${method} ${url.pathname} ${upRes.statusCode}`);
      arrivals.push(arrived);
      const out = { ...upRes.headers };
      if (typeof out.location === 'string' && out.location.startsWith(upstream.origin))
        out.location = base + out.location.slice(upstream.origin.length);
      res.writeHead(upRes.statusCode ?? 502, out);
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${e.message}`);
    });
    req.pipe(up);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    arrivals,
    failNext: (f) => void faults.push({ ...f, left: f.times ?? 1 }),
    slowDown(match) {
      const entry = { ...match };
      slow.add(entry);
      return () => void slow.delete(entry);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
