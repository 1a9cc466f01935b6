/**
 * The Redis bookkeeping behind "never lose or duplicate an update", against real Redis: the
 * per-cycle select barrier that batches commits, aborting a cycle, and plans marked written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { RedisCycleTracker } from '../../shared/adapters/redis/cycle-tracker.ts';
import { RedisPlanStore } from '../../shared/adapters/redis/plan-store.ts';
import { TEST_REDIS_URL, testRedis, type TestRedis } from '../helpers/redis.ts';

let t: TestRedis;
beforeEach(async () => {
  t = await testRedis('wbstore');
});
afterEach(() => t.cleanup());

const tracker = () => new RedisCycleTracker(t.redis, t.key, () => createRedis(TEST_REDIS_URL, 'sub'));

describe('RedisCycleTracker.selected (the commit barrier)', () => {
  it("holds a cycle's batches until its last app was selected, then releases each batch once", async () => {
    const c = tracker();
    await c.start('c1', [{ app: 'a', repos: ['r'] }, { app: 'b', repos: ['r'] }, { app: 'c', repos: ['s'] }]);
    expect(await c.selected(['c1'], 'repo-1')).toEqual([]);
    expect(await c.selected(['c1'], 'repo-1')).toEqual([]);
    expect(await c.selected(['c1'])).toEqual(['repo-1']);
    expect(await c.selected(['c1'], 'late')).toEqual(['late']);
  });

  it('an app of two cycles releases what each cycle waited for', async () => {
    const c = tracker();
    await c.start('c1', [{ app: 'a', repos: ['r'] }]);
    await c.start('c2', [{ app: 'a', repos: ['r'] }, { app: 'b', repos: ['r'] }]);
    expect(await c.selected(['c1', 'c2'], 'x')).toEqual(['x']);
    expect((await c.selected(['c2'], 'y')).sort()).toEqual(['x', 'y']);
  });

  it('outside any cycle (webhook) or for an expired cycle the batch is released at once', async () => {
    const c = tracker();
    expect(await c.selected([], 'now')).toEqual(['now']);
    expect(await c.selected(['gone'], 'now')).toEqual(['now']);
    expect(await c.selected([])).toEqual([]);
  });
});

describe('RedisCycleTracker.abort', () => {
  it('ends a cycle that never started with the given counters and wakes its waiter', async () => {
    const c = tracker();
    const waiting = c.waitFor('never', 5000);
    const s = await c.abort('never', { errors: 1 });
    expect(s).toMatchObject({ cycleId: 'never', applications: 0, errors: 1, pending: 0 });
    expect(s.finishedAt).toBeGreaterThan(0);
    expect(await waiting).toMatchObject({ errors: 1 });
  });

  it('late app completions do not finish an aborted cycle twice', async () => {
    const c = tracker();
    await c.start('c1', [{ app: 'a', repos: [] }]);
    await c.abort('c1', { errors: 1 });
    expect(await c.appDone(['c1'], { images_updated: 1 })).toEqual([]);
  });
});

describe('RedisPlanStore.markWritten', () => {
  const plan = (id: string) => ({ id, app: 'a', cycles: ['c1'], plan: { tag: id } });

  it('is reported by list until the ack, and only for the plan it was made for', async () => {
    const s = new RedisPlanStore(t.redis, t.key);
    await s.put('g', plan('p1'));
    await s.markWritten('g', 'a', 'p1', 'sha-1');
    expect(await s.list('g')).toEqual([{ ...plan('p1'), written: 'sha-1' }]);
    await s.put('g', { ...plan('p2'), cycles: ['c2'] });
    expect((await s.list('g'))[0]).not.toHaveProperty('written');
    await s.markWritten('g', 'a', 'p1', 'stale');
    expect((await s.list('g'))[0]).not.toHaveProperty('written');
    expect((await s.ack('g', 'a', 'p2'))?.sort()).toEqual(['c1', 'c2']);
    await s.put('g', plan('p3'));
    expect(await s.list('g')).toEqual([{ ...plan('p3') }]);
  });
});
