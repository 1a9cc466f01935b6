/**
 * The error taxonomy. Adapters classify failures into these four classes once;
 * `shared/jobs/error-policy.ts` maps them to BullMQ behaviour in exactly one place.
 * Every error carries a stable `code` (e.g. `registry.unauthorized`) for logs and audit.
 */
export type ErrorKind = 'permanent' | 'transient' | 'rate-limited' | 'conflict';

export abstract class TagflowError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input or a state that retrying cannot fix (invalid annotation, 401/403/404 on a repository). */
export class PermanentError extends TagflowError {
  readonly kind = 'permanent' as const;
}

/** Worth retrying with backoff: 5xx, connection resets, timeouts, a busy lock. */
export class TransientError extends TagflowError {
  readonly kind = 'transient' as const;
}

/** The remote asked us to slow down (429, Retry-After). */
export class RateLimitedError extends TagflowError {
  readonly kind = 'rate-limited' as const;
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** An optimistic-concurrency conflict (Kubernetes 409, git non-fast-forward): re-read and re-apply. */
export class ConflictError extends TagflowError {
  readonly kind = 'conflict' as const;
}

export function isTagflowError(e: unknown): e is TagflowError {
  return e instanceof TagflowError;
}

/** A short, secret-free description of any thrown value. */
export function describeError(e: unknown): { code: string; message: string; kind: ErrorKind } {
  if (isTagflowError(e)) return { code: e.code, message: e.message, kind: e.kind };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message, kind: 'transient' };
}
