/**
 * The registry session's HTTP transport on node:http / node:https with keep-alive agents, a
 * fraction of global fetch's CPU per request (a fleet's steady cycle is thousands of small
 * tag-list GETs). It keeps what the session relied on fetch for: one deadline over the whole
 * exchange (redirects included), redirects followed (Authorization dropped when the origin
 * changes), a bounded body (declared and streamed), compressed bodies decoded, and the final URL.
 * A GET/HEAD that fails on a reused keep-alive socket the server had closed is sent once more.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface TlsSettings {
  /** Skip certificate verification. */
  insecure?: boolean;
  /** Extra PEM certificate(s) trusted in addition to Node's root store. */
  caPem?: string[];
}

/** The agents requests go through; one per TLS setting, shared by every client using it. */
export interface Transport {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** A response's headers by (case-insensitive) name; repeated ones joined with ', '. */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface HttpAnswer {
  status: number;
  headers: HeaderReader;
  body: Buffer;
  url: URL;
}

export interface SendOptions {
  method: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Thrown (as returned) when the body is larger than maxBodyBytes. */
  tooLarge: () => Error;
  transport?: Transport;
}

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const transports = new Map<string, Transport>();

const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' as const };

/** The shared transport for these TLS settings (the default one when there are none). */
export function transportFor(settings: TlsSettings = {}): Transport {
  const extra = settings.caPem ?? [];
  const key = settings.insecure
    ? 'insecure'
    : extra.length === 0
      ? 'default'
      : createHash('sha256').update(extra.join('\n')).digest('hex');
  let t = transports.get(key);
  if (!t) {
    const tls = settings.insecure
      ? { rejectUnauthorized: false }
      : extra.length
        ? { ca: [...rootCertificates, ...extra] }
        : {};
    t = { http: new http.Agent(agentOptions), https: new https.Agent({ ...agentOptions, ...tls }) };
    transports.set(key, t);
  }
  return t;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Sends one request, following redirects; any status is returned. Network failures throw. */
export async function send(url: URL, options: SendOptions): Promise<HttpAnswer> {
  const transport = options.transport ?? transportFor();
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new TimeoutError(`no answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  try {
    let current = url;
    let method = options.method;
    let headers = options.headers;
    for (let hop = 0; ; hop++) {
      const res = await exchange(current, method, headers, transport, deadline.signal);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || !location || hop >= MAX_REDIRECTS) {
        return await answer(res, current, method, options, deadline.signal);
      }
      res.resume();
      const next = new URL(location, current);
      if (next.origin !== current.origin) headers = withoutAuthorization(headers);
      if (res.statusCode === 303 && method !== 'HEAD') method = 'GET';
      current = next;
    }
  } finally {
    clearTimeout(timer);
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
}

/**
 * One request/response. A request lost on a reused keep-alive socket (the server closed it just
 * as we sent) is sent once more: GET and HEAD are idempotent.
 */
async function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  transport: Transport,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const secure = url.protocol === 'https:';
  const options = { method, headers, agent: secure ? transport.https : transport.http, signal };
  for (let attempt = 0; ; attempt++) {
    const req = (secure ? https : http).request(url, options);
    try {
      return await new Promise<http.IncomingMessage>((resolve, reject) => {
        req.once('response', resolve);
        req.once('error', reject);
        req.end();
      });
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt > 0 || !req.reusedSocket || !(code === 'ECONNRESET' || code === 'EPIPE')) throw e;
    }
  }
}

/** Node has parsed the headers already (names lower-cased): read them, never copy them. */
function headerReader(res: http.IncomingMessage): HeaderReader {
  return {
    get(name) {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

async function answer(
  res: http.IncomingMessage,
  url: URL,
  method: string,
  options: SendOptions,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const headers = headerReader(res);
  const status = res.statusCode ?? 0;
  if (method === 'HEAD' || status === 204 || status === 304) {
    res.resume();
    return { status, headers, body: Buffer.alloc(0), url };
  }
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > options.maxBodyBytes) {
    res.destroy();
    throw options.tooLarge();
  }
  const body = await readLimited(decoded(res), options.maxBodyBytes, options.tooLarge, signal);
  return { status, headers, body, url };
}

function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
  if (!decoder) return res;
  res.on('error', (e) => decoder.destroy(e));
  return res.pipe(decoder);
}

async function readLimited(
  stream: Readable,
  limit: number,
  tooLarge: () => Error,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    stream.destroy();
    throw signal.aborted ? signal.reason : e;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
