/**
 * Registry failures → the error taxonomy. Messages name the request (method, host, path without
 * query) and the registry's error code; never credentials, tokens or query strings.
 */
import { PermanentError, RateLimitedError, TransientError, type TagflowError } from '../../errors.ts';
import { ErrorBodySchema } from './schema.ts';

const DEFAULT_RETRY_AFTER_MS = 60_000;

/** `Retry-After` as seconds or an HTTP date; the default when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number {
  if (value === null || value.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/** `GET 127.0.0.1:5000/v2/app/tags/list` */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.host}${url.pathname}`;
}

/** The first registry error code/message of a JSON error body, if any. */
export function registryErrorDetail(body: string): string {
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(body));
    if (!parsed.success || parsed.data.errors.length === 0) return '';
    const e = parsed.data.errors[0]!;
    return [e.code, e.message].filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '';
  }
}

export function errorForStatus(
  status: number,
  request: string,
  headers: { get(name: string): string | null },
  body = '',
): TagflowError {
  const detail = registryErrorDetail(body);
  const message = `${request}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  if (status === 401) return new PermanentError('registry.unauthorized', message);
  if (status === 403) return new PermanentError('registry.forbidden', message);
  if (status === 404) return new PermanentError('registry.not-found', message);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
    return new RateLimitedError(
      'registry.rate-limited',
      `${message} (retry after ${Math.ceil(retryAfterMs / 1000)} s)`,
      retryAfterMs,
    );
  }
  if (status === 408 || status >= 500) return new TransientError('registry.unavailable', message);
  return new PermanentError('registry.bad-request', message);
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** A thrown network error (never an HTTP status) → error class. The code is the error's own (node:http) or its cause's (fetch). */
export function errorForNetwork(e: unknown, request: string, timeoutMs: number): TagflowError {
  if (e instanceof PermanentError || e instanceof TransientError || e instanceof RateLimitedError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return new TransientError('registry.unavailable', `${request}: no answer within ${timeoutMs} ms`, { cause: e });
  }
  const code = (typeof err.code === 'string' ? err.code : err.cause?.code) ?? '';
  const reason = code || err.cause?.message || err.message || String(e);
  if (TLS_CODES.has(code)) {
    return new PermanentError(
      'registry.tls',
      `${request}: TLS verification failed (${code}); configure ca_file/ca_data or insecure`,
      { cause: e },
    );
  }
  return new TransientError('registry.unavailable', `${request}: ${reason}`, { cause: e });
}
