/**
 * One forge REST call and the classification of its failures, shared by the GitHub and GitLab
 * clients and the GitHub App token client: 401/403/404 are permanent (a clear message naming the
 * provider and repository), 403/429 with rate-limit headers are rate-limited with the remote's
 * retry time, 5xx and network failures are transient. Tokens travel only in request headers.
 */
import type { z } from 'zod';
import { PermanentError, RateLimitedError, TransientError, type TagflowError } from '../../errors.ts';
import type { ForgeProvider } from '../../ports/pull-requests.ts';
import { parseRetryAfter } from '../registry/classify.ts';
import { providerName } from './api-base.ts';

export interface ForgeCall {
  provider: ForgeProvider;
  /** The repository named in errors. */
  repository: string;
  /** What was being done, for errors: `open a pull request`. */
  what: string;
}

export interface ForgeResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

const TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_MS = 60_000;
const MAX_RETRY_MS = 3600_000;

/** The remote's own words: GitHub `message` + `errors[].message`, GitLab `message` (string, list or map) / `error`. */
export function remoteMessage(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const o = json as Record<string, unknown>;
  const parts: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') {
      const m = (v as Record<string, unknown>).message;
      if (typeof m === 'string') parts.push(m);
      else for (const [k, x] of Object.entries(v)) parts.push(`${k} ${Array.isArray(x) ? x.join(', ') : String(x)}`);
    }
  };
  add(o.message);
  add(o.errors);
  if (typeof o.error === 'string') parts.push(o.error);
  return parts.join('; ').slice(0, 300);
}

/** Retry-After (seconds or a date), else GitHub's x-ratelimit-reset / GitLab's RateLimit-Reset (epoch seconds). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') return Math.min(parseRetryAfter(after, now), MAX_RETRY_MS);
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  if (reset !== null && /^\d+$/.test(reset.trim()))
    return Math.min(Math.max(Number(reset) * 1000 - now, 1000), MAX_RETRY_MS);
  return null;
}

function rateLimited(status: number, headers: Headers): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return (
    headers.get('x-ratelimit-remaining') === '0' ||
    headers.get('ratelimit-remaining') === '0' ||
    headers.has('retry-after')
  );
}

export function classifyForgeFailure(call: ForgeCall, status: number, headers: Headers, json: unknown): TagflowError {
  const name = providerName(call.provider);
  const said = remoteMessage(json);
  const answer = `${status}${said ? ` ${said}` : ''}`;
  const at = `${name} repository ${call.repository}`;
  if (rateLimited(status, headers)) {
    const ms = retryAfterMs(headers) ?? DEFAULT_RETRY_MS;
    return new RateLimitedError(
      'forge.rate-limited',
      `${name} rate limit reached for ${call.repository} (${answer}) while trying to ${call.what}; retrying in ${Math.ceil(ms / 1000)} s`,
      ms,
    );
  }
  if (status === 401)
    return new PermanentError(
      'forge.unauthorized',
      `${name} refused the token for repository ${call.repository} (${answer}) while trying to ${call.what}: check the token (password) of its git credentials`,
    );
  if (status === 403)
    return new PermanentError(
      'forge.forbidden',
      `the token has no permission on ${at} (${answer}) to ${call.what}: it needs pull request write access`,
    );
  if (status === 404)
    return new PermanentError(
      'forge.not-found',
      `${at} not found (${answer}) while trying to ${call.what}: check the repository URL and that the token can see it`,
    );
  if (status >= 500)
    return new TransientError(
      'forge.unavailable',
      `${name} answered ${answer} for ${call.repository} while trying to ${call.what}`,
    );
  return new PermanentError(
    'forge.rejected',
    `${name} rejected the request to ${call.what} on ${call.repository}: ${answer}`,
  );
}

export async function forgeRequest(
  fetchFn: FetchLike,
  call: ForgeCall,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<ForgeResponse> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: init.method,
      headers: { ...init.headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
    throw new TransientError(
      'forge.unreachable',
      `cannot reach the ${providerName(call.provider)} API at ${new URL(url).origin} for ${call.repository} while trying to ${call.what}: ${why}`,
    );
  }
  const text = await res.text();
  let json: unknown = null;
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!accept(res.status)) throw classifyForgeFailure(call, res.status, res.headers, json);
  return { status: res.status, headers: res.headers, json };
}

/** A successful answer read with its schema; an unexpected shape is a transient error naming the call. */
export function parseAnswer<T>(call: ForgeCall, schema: z.ZodType<T>, json: unknown): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  throw new TransientError(
    'forge.bad-response',
    `${providerName(call.provider)} sent an unexpected answer for ${call.repository} while trying to ${call.what}`,
  );
}
