/**
 * A pass-through proxy that adds tag-list pagination to distribution 2.8 (which ignores `n`/`last`):
 * it sorts `tags/list`, applies `n` (capped at `pageSize`) and `last`, and adds
 * `Link: <...>; rel="next"` so clients' Link-following is really exercised.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export interface PaginatingProxyOptions {
  /** Upstream registry base URL, e.g. http://127.0.0.1:5000 */
  upstream: string;
  pageSize: number;
  /** Emit absolute Link URLs instead of relative ones. */
  absoluteLinks?: boolean;
  /** CA for an https upstream. */
  caFile?: string;
}

export interface PaginatingProxy {
  url: string;
  host: string;
  /** `METHOD path?query` of every request received, in order. */
  requests: string[];
  stop(): Promise<void>;
}

const TAGS_LIST = /^\/v2\/(.+)\/tags\/list$/;

export async function startPaginatingProxy(options: PaginatingProxyOptions): Promise<PaginatingProxy> {
  const upstream = new URL(options.upstream);
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  const requests: string[] = [];
  let base = '';

  function forward(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
    const paged = req.method === 'GET' && TAGS_LIST.test(url.pathname);
    if (paged) delete headers['accept-encoding'];
    const target = new URL(url.pathname + (paged ? '' : url.search), upstream);
    const fn = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
    const up = fn(target, { method: req.method, headers, ca }, (upRes) => {
      const outHeaders = { ...upRes.headers };
      const location = outHeaders.location;
      if (typeof location === 'string' && location.startsWith(upstream.origin)) {
        outHeaders.location = base + location.slice(upstream.origin.length);
      }
      if (!paged || upRes.statusCode !== 200) {
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; tags: string[] | null };
        const page = paginate(body.tags ?? [], url.searchParams, options.pageSize);
        const json = JSON.stringify({ name: body.name, tags: body.tags === null ? null : page.tags });
        delete outHeaders['content-length'];
        delete outHeaders.link;
        if (page.last !== undefined) {
          const next = `${url.pathname}?n=${page.n}&last=${encodeURIComponent(page.last)}`;
          outHeaders.link = `<${options.absoluteLinks ? base + next : next}>; rel="next"`;
        }
        res.writeHead(200, { ...outHeaders, 'content-length': Buffer.byteLength(json) });
        res.end(json);
      });
    });
    up.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${e.message}`);
    });
    req.pipe(up);
  }

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    forward(req, res, new URL(req.url ?? '/', 'http://proxy'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
  return {
    url: base,
    host,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sorted page after `last`, at most min(n, pageSize) long; `last` is set when more tags follow. */
export function paginate(
  all: string[],
  query: URLSearchParams,
  pageSize: number,
): { tags: string[]; n: number; last?: string } {
  const requested = Number(query.get('n') ?? pageSize);
  const n = Math.max(1, Math.min(Number.isFinite(requested) && requested > 0 ? requested : pageSize, pageSize));
  const after = query.get('last');
  const sorted = [...all].sort();
  const rest = after === null ? sorted : sorted.filter((t) => t > after);
  const tags = rest.slice(0, n);
  return rest.length > n ? { tags, n, last: tags[tags.length - 1] } : { tags, n };
}
