import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { readBody } from '../body.ts';

/** The cookies of a request (first value of each name). */
export function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

/** Whether the browser reached us over https (directly or through a proxy that says so). */
export function overHttps(req: IncomingMessage): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return proto ? proto === 'https' : Boolean((req.socket as TLSSocket).encrypted);
}

/** `scheme://host` the browser used for this request. */
export function ownOrigin(req: IncomingMessage): string | null {
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  const h = (Array.isArray(host) ? host[0] : host)?.split(',')[0]?.trim();
  return h ? `${overHttps(req) ? 'https' : 'http'}://${h.toLowerCase()}` : null;
}

/**
 * Whether a state-changing request comes from our own pages: its Origin (or, without one, its
 * Referer) is this server's origin. Requests naming neither are refused.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const own = ownOrigin(req);
  if (!own) return false;
  const origin = req.headers.origin;
  if (origin !== undefined) return origin.toLowerCase() === own;
  const referer = req.headers.referer;
  if (!referer) return false;
  try {
    return new URL(referer).origin.toLowerCase() === own;
  } catch {
    return false;
  }
}

const MAX_FORM = 16 * 1024;

/** Reads an `application/x-www-form-urlencoded` body (up to 16 KiB); null when too big. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  const read = await readBody(req, MAX_FORM);
  if (!read.ok) return read.tooLarge ? null : new URLSearchParams();
  const type = req.headers['content-type'] ?? '';
  const text = read.body;
  if (type.startsWith('application/json')) {
    try {
      const o = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

export const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers }).end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS }).end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers }).end(html);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}) {
  res.writeHead(303, { location, ...SECURITY_HEADERS, ...headers }).end();
}
