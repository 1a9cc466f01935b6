import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../errors.ts';
import { classifyKubeError } from './kube-errors.ts';

const status = (code: number, message: string) => JSON.stringify({ kind: 'Status', code, message });
const apiError = (code: number, headers: Record<string, string> = {}) =>
  new ApiException(code, 'x', status(code, `server says ${code}`), headers);

describe('classifyKubeError', () => {
  it.each([
    [409, 'conflict', 'k8s.conflict'],
    [401, 'permanent', 'k8s.unauthorized'],
    [403, 'permanent', 'k8s.forbidden'],
    [404, 'permanent', 'k8s.not-found'],
    [422, 'permanent', 'k8s.invalid'],
    [415, 'permanent', 'k8s.invalid'],
    [429, 'rate-limited', 'k8s.rate-limited'],
    [500, 'transient', 'k8s.server'],
    [503, 'transient', 'k8s.server'],
    [504, 'transient', 'k8s.server'],
  ] as const)('HTTP %i → %s %s', (code, kind, errCode) => {
    const e = classifyKubeError(apiError(code), 'get Application argocd/demo');
    expect({ kind: e.kind, code: e.code }).toEqual({ kind, code: errCode });
    expect(e.message).toBe(`get Application argocd/demo: HTTP ${code}: server says ${code}`);
  });

  it('reads Retry-After seconds for 429', () => {
    const e = classifyKubeError(apiError(429, { 'retry-after': '7' }), 'list');
    expect(e).toBeInstanceOf(RateLimitedError);
    expect((e as RateLimitedError).retryAfterMs).toBe(7000);
  });

  it('treats errors without an HTTP status as transient network errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    expect(classifyKubeError(refused, 'list')).toMatchObject({
      kind: 'transient',
      code: 'k8s.network',
      message: 'list: cannot reach the Kubernetes API (ECONNREFUSED)',
    });
  });

  it('uses a watch error statusCode', () => {
    expect(classifyKubeError(Object.assign(new Error('Forbidden'), { statusCode: 403 }), 'watch').code).toBe(
      'k8s.forbidden',
    );
  });
});
