/**
 * Classifies client-node failures into the tagflow error taxonomy, once, at the adapter edge.
 * Messages carry the operation, HTTP status and the apiserver's Status message: never headers,
 * request options or tokens.
 */
import { ApiException } from '@kubernetes/client-node';
import { ConflictError, PermanentError, RateLimitedError, TransientError, type TagflowError } from '../../errors.ts';

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const m = (parsed as { message?: unknown } | null)?.message;
  return typeof m === 'string' && m ? m : undefined;
}

/** HTTP status of a client-node error: ApiException.code, or a Watch error's statusCode. */
export function httpStatusOf(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  const s =
    (e as { statusCode?: unknown; code?: unknown } | null)?.statusCode ?? (e as { code?: unknown } | null)?.code;
  return typeof s === 'number' ? s : undefined;
}

function retryAfterMs(headers: Record<string, string> | undefined): number {
  const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
  const secs = Number(raw);
  if (raw !== undefined && Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = raw === undefined ? NaN : Date.parse(raw);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

/**
 * @param what a short description of the operation, e.g. `patch Application argocd/demo`.
 */
export function classifyKubeError(e: unknown, what: string): TagflowError {
  const status = httpStatusOf(e);
  if (status === undefined) {
    const code = (e as { code?: unknown } | null)?.code;
    const detail = typeof code === 'string' ? code : e instanceof Error ? e.name : 'error';
    return new TransientError('k8s.network', `${what}: cannot reach the Kubernetes API (${detail})`, { cause: e });
  }
  const body = e instanceof ApiException ? (e.body as unknown) : undefined;
  const msg = statusMessage(body);
  const text = `${what}: HTTP ${status}${msg ? `: ${msg}` : ''}`;
  if (status === 409) return new ConflictError('k8s.conflict', text, { cause: e });
  if (status === 401) return new PermanentError('k8s.unauthorized', text, { cause: e });
  if (status === 403) return new PermanentError('k8s.forbidden', text, { cause: e });
  if (status === 404) return new PermanentError('k8s.not-found', text, { cause: e });
  if (status === 429) {
    const headers = e instanceof ApiException ? e.headers : undefined;
    return new RateLimitedError('k8s.rate-limited', text, retryAfterMs(headers), { cause: e });
  }
  if (status >= 500 || status === 408) return new TransientError('k8s.server', text, { cause: e });
  return new PermanentError('k8s.invalid', text, { cause: e });
}

export function isNotFound(e: unknown): boolean {
  return httpStatusOf(e) === 404;
}
