/**
 * The Redis stores beside the ledger: the audit trail, snapshots read back (a corrupt one becomes
 * an error snapshot), write-back plans (listed, marked written, replaced), aborted cycles.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../shared/adapters/redis/audit-log.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { RedisCycleLedger } from '../../shared/adapters/redis/cycle-ledger.ts';
import { RedisTagSnapshotStore } from '../../shared/adapters/redis/tag-snapshot-store.ts';
import { RedisWriteBackPlans } from '../../shared/adapters/redis/write-back-plans.ts';
import type { WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import type { CheckResult } from '../../shared/ports/cycle-ledger.ts';
import { TEST_REDIS_URL, testRedis, type TestRedis } from '../helpers/redis.ts';

let t: TestRedis;
beforeEach(async () => {
  t = await testRedis('stores');
});
afterEach(() => t.cleanup());

const ledger = () => new RedisCycleLedger(t.redis, t.keys, () => createRedis(TEST_REDIS_URL, 'sub'));

describe('RedisAuditLog', () => {
  it('returns records newest first, filtered by app and image', async () => {
    const log = new RedisAuditLog(t.redis, t.keys);
    await log.append({
      at: 1,
      kind: 'select',
      app: 'x',
      image: 'i1',
      outcome: 'noop',
      reason: 'already-newest',
      message: 'm1',
    });
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

describe('RedisTagSnapshotStore', () => {
  it('reads what a poll stored; a corrupt value is an error snapshot, not a crash', async () => {
    const s = new RedisTagSnapshotStore(t.redis, t.keys);
    await ledger().pollDone('s1', 'r', { repoKey: 'r', fetchedAt: 1, tags: [{ name: 'v1' }], hash: 'h1' });
    await t.redis.set(t.keys.snapshot('bad'), '{"repoKey": 3}');
    const got = await s.getMany(['r', 'bad', 'missing']);
    expect(got.get('r')).toMatchObject({ hash: 'h1', tags: [{ name: 'v1' }] });
    expect(got.get('bad')?.error).toMatchObject({
      code: 'state.corrupt',
      message: expect.stringMatching(/snapshot bad/),
    });
    expect(got.has('missing')).toBe(false);
  });
});

const plan = (tag: string): WriteBackPlan => ({
  app: { cluster: 'cp', namespace: 'argocd', name: 'a' },
  sourceType: 'Helm',
  source: { repoURL: 'https://git.example/r.git' },
  writes: [],
  changes: [{ alias: 'x', image: 'x', fullName: 'r/x', oldTag: 'v0', newTag: tag }],
  createdAt: 1,
  method: 'argocd',
});

function planned(id: string, seq: number, tag: string): CheckResult {
  return {
    app: 'cp/argocd/a',
    considered: 1,
    skipped: 0,
    errors: 0,
    dryUpdates: 0,
    failed: false,
    plan: { group: 'g', id, json: JSON.stringify({ id, app: 'cp/argocd/a', seq, plan: plan(tag) }) },
  };
}

describe('RedisWriteBackPlans', () => {
  it('lists the latest plan of an app, reports a written marker only for its own plan, settles once', async () => {
    const l = ledger();
    const plans = new RedisWriteBackPlans(t.redis, t.keys);
    await t.redis.sadd(t.keys.idxApps, 'cp/argocd/a');
    await l.checksDone('c1', 1, false, [planned('p1', 1, 'v1')]);
    await plans.markWritten('g', 'cp/argocd/a', 'p1', 'rv-1');
    expect(await plans.list('g')).toEqual([
      expect.objectContaining({ id: 'p1', written: 'rv-1', plan: expect.objectContaining({ method: 'argocd' }) }),
    ]);
    await l.checksDone('c2', 2, false, [planned('p2', 2, 'v2')]);
    expect((await plans.list('g'))[0]).toMatchObject({ id: 'p2' });
    expect((await plans.list('g'))[0]).not.toHaveProperty('written');
    await plans.markWritten('g', 'cp/argocd/a', 'p1', 'stale');
    expect((await plans.list('g'))[0]).not.toHaveProperty('written');
    expect((await plans.settle('g', 'cp/argocd/a', 'p1', { updated: 1, errors: 0 })).acked).toBe(false);
    expect((await plans.settle('g', 'cp/argocd/a', 'p2', { updated: 1, errors: 0 })).acked).toBe(true);
    expect(await plans.list('g')).toEqual([]);
  });

  it('a corrupt stored plan is an error naming it', async () => {
    await t.redis.hset(t.keys.plans('g'), 'cp/argocd/a', '{"id":"x","plan":{"method":"ftp"}}');
    await expect(new RedisWriteBackPlans(t.redis, t.keys).list('g')).rejects.toThrow(/plan g cp\/argocd\/a/);
  });
});

describe('RedisCycleLedger.abort', () => {
  it('ends a cycle that never started with the given errors and wakes its waiter; late steps do not finish it again', async () => {
    const l = ledger();
    const waiting = l.waitFor('never', 5000);
    const [s] = await l.abort('never', { errors: 1, trigger: 'interval' });
    expect(s).toMatchObject({ cycleId: 'never', applications: 0, errors: 1 });
    expect(await waiting).toMatchObject({ errors: 1 });
    expect(await l.abort('never', { errors: 1, trigger: 'interval' })).toEqual([]);
    await expect(l.waitFor('nope', 100)).rejects.toThrow(/did not finish/);
  });
});
