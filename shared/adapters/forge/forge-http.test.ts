import { describe, expect, it } from 'vitest';
import { classifyForgeFailure, remoteMessage, retryAfterMs } from './forge-http.ts';

const call = { provider: 'github' as const, repository: 'acme/app', what: 'open a pull request' };
const h = (o: Record<string, string> = {}) => new Headers(o);

describe('classifyForgeFailure', () => {
  it.each([
    [401, {}, { message: 'Bad credentials' }, 'permanent', 'forge.unauthorized'],
    [403, {}, { message: 'Resource not accessible by personal access token' }, 'permanent', 'forge.forbidden'],
    [404, {}, { message: 'Not Found' }, 'permanent', 'forge.not-found'],
    [403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' }, {}, 'rate-limited', 'forge.rate-limited'],
    [403, { 'retry-after': '30' }, { message: 'secondary rate limit' }, 'rate-limited', 'forge.rate-limited'],
    [429, { 'retry-after': '7' }, {}, 'rate-limited', 'forge.rate-limited'],
    [502, {}, null, 'transient', 'forge.unavailable'],
    [
      422,
      {},
      { message: 'Validation Failed', errors: [{ message: 'No commits between main and x' }] },
      'permanent',
      'forge.rejected',
    ],
  ] as const)('%i %j → %s', (status, headers, body, kind, code) => {
    const e = classifyForgeFailure(call, status, h(headers), body);
    expect(e.kind).toBe(kind);
    expect(e.code).toBe(code);
    expect(e.message).toContain('acme/app');
    expect(e.message).toContain(String(status));
  });

  it('a rate-limited answer carries the remote retry time', () => {
    const e = classifyForgeFailure(call, 429, h({ 'retry-after': '7' }), {});
    expect((e as { retryAfterMs?: number }).retryAfterMs).toBe(7000);
    const reset = Math.floor(Date.now() / 1000) + 120;
    const ms = retryAfterMs(h({ 'x-ratelimit-reset': String(reset) }))!;
    expect(ms).toBeGreaterThan(100_000);
    expect(ms).toBeLessThanOrEqual(120_000);
  });

  it('reads GitHub and GitLab error bodies', () => {
    expect(
      remoteMessage({ message: 'Validation Failed', errors: [{ message: 'A pull request already exists' }] }),
    ).toBe('Validation Failed; A pull request already exists');
    expect(
      remoteMessage({ message: ['Another open merge request already exists for this source branch: !1'] }),
    ).toContain('Another open merge request');
    expect(remoteMessage({ error: 'insufficient_scope' })).toBe('insufficient_scope');
  });
});
