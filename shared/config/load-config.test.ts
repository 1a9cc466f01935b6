import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

describe('loadConfig', () => {
  it('applies the anchor defaults', () => {
    const c = loadConfig({}, {});
    expect(c.intervalMs).toBe(120_000);
    expect(c.gitCommitUser).toBe('argocd-image-updater');
    expect(c.gitCommitEmail).toBe('noreply@argoproj.io');
    expect(c.roles).toEqual(['scheduler', 'registry', 'select', 'patch', 'git', 'api']);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it.each([
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['0', 0],
  ])('reads --interval %s as %d ms (Go duration syntax)', (interval, ms) => {
    expect(loadConfig({ interval }, {}).intervalMs).toBe(ms);
  });

  it.each(['', 'abc', '10', '2 m', '3d', '-5m'])('rejects --interval %j', (interval) => {
    expect(() => loadConfig({ interval }, {})).toThrow(/interval: invalid duration/);
  });

  it('prefers flags over environment', () => {
    const c = loadConfig(
      { interval: '30s', roles: 'registry,select' },
      { IMAGE_UPDATER_INTERVAL: '5m', ARGOCD_NAMESPACE: 'ops' },
    );
    expect(c.intervalMs).toBe(30_000);
    expect(c.roles).toEqual(['registry', 'select']);
    expect(c.argocdNamespace).toBe('ops');
  });

  it('reads pool concurrency from the environment', () => {
    expect(loadConfig({}, { TAGFLOW_CONCURRENCY: 'registry=16, git=2' }).concurrency).toEqual({
      scheduler: 1,
      registry: 16,
      select: 16,
      patch: 8,
      git: 2,
    });
    expect(() => loadConfig({}, { TAGFLOW_CONCURRENCY: 'registry=many' })).toThrow(/TAGFLOW_CONCURRENCY/);
    expect(() => loadConfig({}, { TAGFLOW_CONCURRENCY: 'cooking=2' })).toThrow(/concurrency/);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig(
        { interval: 'soon', roles: 'registry,cook', loglevel: 'loud', matchApplicationName: ['web-['] },
        { REDIS_URL: 'not a url' },
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).message;
      expect(text).toMatch(/interval: invalid duration "soon"/);
      expect(text).toMatch(/unknown role "cook"/);
      expect(text).toMatch(/match-application-name: malformed glob "web-\["/);
      expect((e as ConfigError).problems.length).toBeGreaterThanOrEqual(3);
    }
  });
});
