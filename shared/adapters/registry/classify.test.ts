import { describe, expect, it } from 'vitest';
import { PermanentError, RateLimitedError, TransientError } from '../../errors.ts';
import { errorForNetwork, errorForStatus, parseRetryAfter } from './classify.ts';

const headers = (h: Record<string, string> = {}) => new Headers(h);

describe('errorForStatus', () => {
  it.each([
    [401, PermanentError, 'registry.unauthorized'],
    [403, PermanentError, 'registry.forbidden'],
    [404, PermanentError, 'registry.not-found'],
    [400, PermanentError, 'registry.bad-request'],
    [408, TransientError, 'registry.unavailable'],
    [500, TransientError, 'registry.unavailable'],
    [503, TransientError, 'registry.unavailable'],
    [429, RateLimitedError, 'registry.rate-limited'],
  ])('%d → %o %s', (status, cls, code) => {
    const e = errorForStatus(status, 'GET r/v2/x', headers());
    expect(e).toBeInstanceOf(cls);
    expect(e.code).toBe(code);
    expect(e.message).toContain(`GET r/v2/x: HTTP ${status}`);
  });

  it('adds the registry error code and message from the body', () => {
    const body = JSON.stringify({
      errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
    });
    expect(errorForStatus(404, 'GET r/v2/x/tags/list', headers(), body).message).toBe(
      'GET r/v2/x/tags/list: HTTP 404 NAME_UNKNOWN repository name not known to registry',
    );
  });

  it('429 carries Retry-After', () => {
    const e = errorForStatus(429, 'GET r', headers({ 'retry-after': '7' })) as RateLimitedError;
    expect(e.retryAfterMs).toBe(7000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:20 GMT', 20_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    [null, 60_000],
    ['soon', 60_000],
  ])('%s → %d', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe('errorForNetwork', () => {
  it('timeouts and connection errors are transient', () => {
    const timeout = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    expect(errorForNetwork(timeout, 'GET r', 500)).toMatchObject({
      kind: 'transient',
      code: 'registry.unavailable',
      message: 'GET r: no answer within 500 ms',
    });
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    expect(errorForNetwork(refused, 'GET r', 500)).toMatchObject({ kind: 'transient', message: 'GET r: ECONNREFUSED' });
  });

  it('certificate failures are permanent', () => {
    const tls = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
    });
    expect(errorForNetwork(tls, 'GET r', 500)).toMatchObject({ kind: 'permanent', code: 'registry.tls' });
  });

  it('passes our own errors through', () => {
    const own = new PermanentError('registry.bad-response', 'x');
    expect(errorForNetwork(own, 'GET r', 1)).toBe(own);
  });
});
