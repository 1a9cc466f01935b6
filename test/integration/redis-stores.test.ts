import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisCycleTracker } from '../../shared/adapters/redis/cycle-tracker.ts';
import { RedisPlanStore } from '../../shared/adapters/redis/plan-store.ts';
import { RedisAuditLog } from '../../shared/adapters/redis/audit-log.ts';
import { RedisTagSnapshotStore } from '../../shared/adapters/redis/tag-snapshot-store.ts';
import { RedisAppIndex } from '../../shared/adapters/redis/app-index.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { TEST_REDIS_URL, testRedis, type TestRedis } from '../helpers/redis.ts';

let t: TestRedis;
beforeEach(async () => {
  t = await testRedis('stores');
});
afterEach(() => t.cleanup());

describe('RedisCycleTracker', () => {
  const tracker = () => new RedisCycleTracker(t.redis, t.key, () => createRedis(TEST_REDIS_URL, 'sub'));

  it('releases an app once every repository it waits for was polled', async () => {
    const c = tracker();
    const ready = await c.start('c1', [
      { app: 'a', repos: ['r1', 'r2'] },
      { app: 'b', repos: ['r2', 'r2'] },
      { app: 'z', repos: [] },
    ]);
    expect(ready).toEqual(['z']);
    expect(await c.repoPolled('r2')).toEqual([{ app: 'b', cycles: ['c1'] }]);
    expect(await c.repoPolled('r2')).toEqual([]);
    expect(await c.repoPolled('r1')).toEqual([{ app: 'a', cycles: ['c1'] }]);
    expect((await c.takeAppWaiters('a')).sort()).toEqual(['c1']);
    expect(await c.takeAppWaiters('a')).toEqual([]);
  });

  it('counts and completes a cycle when the last app is done', async () => {
    const c = tracker();
    await c.start('c2', [{ app: 'a', repos: ['r'] }, { app: 'b', repos: ['r'] }]);
    expect(await c.appDone(['c2'], { images_considered: 1, images_skipped: 1 })).toEqual([]);
    await c.add(['c2'], { images_considered: 2 });
    const done = await c.appDone(['c2'], { images_updated: 2 });
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ applications: 2, images_considered: 3, images_skipped: 1, images_updated: 2, errors: 0, pending: 0 });
    expect(done[0]!.finishedAt).toBeGreaterThan(0);
  });

  it('wakes a waiter when the cycle completes', async () => {
    const c = tracker();
    await c.start('c3', [{ app: 'a', repos: ['r'] }]);
    const waiting = c.waitFor('c3', 5000);
    setTimeout(() => void c.appDone(['c3'], { errors: 1 }), 50);
    expect(await waiting).toMatchObject({ cycleId: 'c3', errors: 1 });
    await expect(c.waitFor('nope', 100)).rejects.toThrow(/did not finish/);
  });

  it('finishes an empty cycle at once', async () => {
    const c = tracker();
    await c.start('c4', []);
    expect((await c.waitFor('c4', 1000)).applications).toBe(0);
  });
});

describe('RedisPlanStore', () => {
  it('keeps the latest plan per app and carries waiting cycles over', async () => {
    const s = new RedisPlanStore(t.redis, t.key);
    await s.put('g', { id: 'p1', app: 'a', cycles: ['c1'], plan: { tag: 'v1', list: [] } });
    await s.put('g', { id: 'p2', app: 'a', cycles: ['c2'], plan: { tag: 'v2', list: [] } });
    await s.put('g', { id: 'q1', app: 'b', cycles: [], plan: { tag: 'x' } });
    const listed = await s.list<{ tag: string; list?: unknown[] }>('g');
    expect(listed.map((p) => [p.app, p.id, p.plan.tag, p.cycles.sort()])).toEqual([
      ['a', 'p2', 'v2', ['c1', 'c2']],
      ['b', 'q1', 'x', []],
    ]);
    expect(listed[0]!.plan.list).toEqual([]);
    expect(await s.ack('g', 'a', 'p1')).toBeNull();
    expect((await s.ack('g', 'a', 'p2'))?.sort()).toEqual(['c1', 'c2']);
    expect((await s.list('g')).map((p) => p.app)).toEqual(['b']);
  });
});

describe('RedisAuditLog', () => {
  it('returns records newest first, filtered by app and image', async () => {
    const log = new RedisAuditLog(t.redis, t.key);
    await log.append({ at: 1, kind: 'select', app: 'x', image: 'i1', outcome: 'noop', reason: 'already-newest', message: 'm1' });
    await log.appendMany([
      { at: 2, kind: 'select', app: 'y', image: 'i2', outcome: 'updated', reason: 'updated', message: 'm2' },
      { at: 3, kind: 'select', app: 'x', image: 'i3', outcome: 'skipped', reason: 'no-match', message: 'm3' },
    ]);
    expect((await log.query({})).map((r) => r.message)).toEqual(['m3', 'm2', 'm1']);
    expect((await log.query({ app: 'x' })).map((r) => r.message)).toEqual(['m3', 'm1']);
    expect((await log.query({ app: 'x', image: 'i1' })).map((r) => r.message)).toEqual(['m1']);
    expect(await log.query({ limit: 1 })).toHaveLength(1);
  });
});

describe('RedisTagSnapshotStore and RedisAppIndex', () => {
  it('reports whether a snapshot changed', async () => {
    const s = new RedisTagSnapshotStore(t.redis, t.key);
    const snap = { repoKey: 'r', fetchedAt: 1, tags: [{ name: 'v1' }], hash: 'h1' };
    expect(await s.put(snap)).toEqual({ changed: true });
    expect(await s.put({ ...snap, fetchedAt: 2 })).toEqual({ changed: false });
    expect(await s.put({ ...snap, hash: 'h2' })).toEqual({ changed: true });
    expect((await s.getMany(['r', 'missing'])).get('r')?.hash).toBe('h2');
  });

  it('indexes apps by repository and forgets removed apps', async () => {
    const idx = new RedisAppIndex(t.redis, t.key);
    const app = { metadata: { name: 'a', namespace: 'argocd' }, spec: {} };
    await idx.putMany([
      { app: 'k/a', application: app, repos: ['r1', 'r2'] },
      { app: 'k/b', application: app, repos: ['r1'] },
    ]);
    await idx.putMany([{ app: 'k/a', application: app, repos: ['r2'] }]);
    expect((await idx.appsForRepo('r1')).sort()).toEqual(['k/b']);
    expect(await idx.retain(['k/a'])).toBe(1);
    expect(await idx.appsForRepo('r1')).toEqual([]);
    expect((await idx.get('k/a'))?.metadata.name).toBe('a');
  });
});
