/**
 * The fleet index, the cycle ledger and the write-back plans on real Redis: which repositories a
 * cycle polls, which apps it checks (only what changed, in the steady state nothing), multi-repo
 * apps waiting for every poll, commit batches released after a cycle's last check, results and
 * totals, idempotent steps, and the ordering of concurrent checks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisCycleLedger } from '../../shared/adapters/redis/cycle-ledger.ts';
import { RedisFleetIndex } from '../../shared/adapters/redis/fleet-index.ts';
import { Keys } from '../../shared/adapters/redis/keys.ts';
import { RedisLeases } from '../../shared/adapters/redis/leases.ts';
import { RedisWriteBackPlans } from '../../shared/adapters/redis/write-back-plans.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { annotationConfiguration, buildIndexEntry, type IndexEntry } from '../../shared/domain/fleet/index-entry.ts';
import type { Application } from '../../shared/domain/model/application.ts';
import type { TagSnapshot } from '../../shared/domain/model/tags.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/endpoint.ts';
import type { CheckResult } from '../../shared/ports/cycle-ledger.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const ENDPOINTS: RegistryEndpoint[] = [
  {
    name: 'r',
    apiUrl: 'http://127.0.0.1:5000',
    prefix: 'reg.example',
    credsExpireMs: 0,
    tagSortMode: 'unsorted',
    insecure: true,
    isDefault: false,
  },
];

function application(name: string, images: string[], namespace = 'argocd'): Application {
  return {
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      annotations: {
        'argocd-image-updater.argoproj.io/image-list': images.map((i, n) => `img${n}=reg.example/${i}`).join(','),
      },
    },
    spec: { source: { repoURL: 'https://git.example/r.git', path: name, targetRevision: 'main', helm: {} } },
    status: { sourceType: 'Helm', summary: { images: images.map((i) => `reg.example/${i}:1.0.0`) } },
  };
}

function update(cp: string, app: Application) {
  return buildIndexEntry(cp, app, annotationConfiguration(app)!, ENDPOINTS);
}

function snapshot(repoKey: string, tags: string[]): TagSnapshot {
  return { repoKey, fetchedAt: Date.now(), tags: tags.map((name) => ({ name })), hash: tags.join(',') };
}

function check(entry: IndexEntry | string, o: Partial<CheckResult> = {}): CheckResult {
  return {
    app: typeof entry === 'string' ? entry : entry.key,
    considered: 1,
    skipped: 0,
    errors: 0,
    dryUpdates: 0,
    failed: false,
    ...o,
  };
}

let redis: Redis;
let keys: Keys;
let index: RedisFleetIndex;
let ledger: RedisCycleLedger;
let plans: RedisWriteBackPlans;
const subscribers: Redis[] = [];
let n = 0;
const step = () => `step-${++n}`;

beforeEach(() => {
  redis = createRedis(TEST_REDIS_URL, 'test');
  keys = new Keys(uniquePrefix('ledger'));
  index = new RedisFleetIndex(redis, keys);
  ledger = new RedisCycleLedger(redis, keys, () => {
    const s = createRedis(TEST_REDIS_URL, 'sub');
    subscribers.push(s);
    return s;
  });
  plans = new RedisWriteBackPlans(redis, keys);
});

afterEach(async () => {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.prefix}:*`, 'COUNT', 1000);
    if (found.length) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  for (const s of subscribers.splice(0)) s.disconnect();
});

/** Index two apps on repo a, one on repos a+b; returns their entries. */
async function fleet() {
  const [a1, a2, ab] = [
    update('cp1', application('a1', ['team/a'])),
    update('cp1', application('a2', ['team/a'])),
    update('cp1', application('ab', ['team/a', 'team/b'])),
  ];
  const out = await index.sync('cp1', [a1, a2, ab], { full: true });
  expect(out.changed.sort()).toEqual([a1.entry.key, a2.entry.key, ab.entry.key].sort());
  return {
    a1: a1.entry,
    a2: a2.entry,
    ab: ab.entry,
    repoA: a1.entry.tracked[0]!.repoKey,
    repoB: ab.entry.tracked[1]!.repoKey,
  };
}

describe('fleet index', () => {
  it('keeps repository → apps and poll targets, and marks only changed apps dirty', async () => {
    const f = await fleet();
    expect(f.repoA).toBe('reg.example/team/a');
    expect((await index.appsForRepo(f.repoA)).sort()).toEqual([f.a1.key, f.a2.key, f.ab.key].sort());
    expect([...(await index.targets([f.repoA, f.repoB])).keys()]).toEqual([f.repoA, f.repoB]);
    expect(await redis.scard(keys.dirty)).toBe(3);
    await redis.del(keys.dirty);
    // the same list again: nothing changed
    const again = await index.sync(
      'cp1',
      [
        update('cp1', application('a1', ['team/a'])),
        update('cp1', application('a2', ['team/a'])),
        update('cp1', application('ab', ['team/a', 'team/b'])),
      ],
      { full: true },
    );
    expect(again).toEqual({ changed: [], removed: [] });
    // ab stops using b; a2 disappears from a complete list
    const next = await index.sync(
      'cp1',
      [update('cp1', application('a1', ['team/a'])), update('cp1', application('ab', ['team/a']))],
      { full: true },
    );
    expect(next).toEqual({ changed: [f.ab.key], removed: [f.a2.key] });
    expect(await index.appsForRepo(f.repoA)).toEqual(expect.arrayContaining([f.a1.key, f.ab.key]));
    expect(await index.appsForRepo(f.repoA)).toHaveLength(2);
    expect([...(await index.targets([f.repoA, f.repoB])).keys()]).toEqual([f.repoA]);
    expect(
      ((await index.getMany([f.ab.key])).get(f.ab.key) as { tracked: unknown[] } | undefined)?.tracked,
    ).toHaveLength(1);
  });
});

describe('cycle ledger', () => {
  it('first cycle: polls every repository, releases each app when its last repository was polled, ends after the last check', async () => {
    const f = await fleet();
    const start = await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    expect(start.polls.sort()).toEqual([f.repoA, f.repoB].sort());
    expect(start.released).toEqual([]);
    const pa = await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0', '1.1.0']));
    expect(pa.changed).toBe(true);
    expect(pa.released.sort()).toEqual([f.a1.key, f.a2.key].sort()); // ab still waits for b
    const pb = await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    expect(pb.released).toEqual([f.ab.key]);
    const c1 = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.a1),
      check(f.a2, { skipped: 1, considered: 0 }),
    ]);
    expect(c1.finished).toEqual([]);
    const c2 = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.ab, { considered: 2, errors: 1, failed: true }),
    ]);
    expect(c2.finished).toEqual([
      expect.objectContaining({
        cycleId: 'c1',
        applications: 3,
        images_considered: 3,
        images_skipped: 1,
        images_updated: 0,
        errors: 1,
        scope: 'all',
      }),
    ]);
    expect(await ledger.get('c1')).toMatchObject({ finishedAt: expect.any(Number), errors: 1 });
  });

  it('steady cycle: nothing changed, nothing failed: only polls, no app released, results from the last checks', async () => {
    const f = await fleet();
    await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']));
    await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.a1),
      check(f.a2),
      check(f.ab, { considered: 2 }),
    ]);

    const start = await ledger.start('c2', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    expect(start.released).toEqual([]);
    expect((await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']))).released).toEqual([]);
    const last = await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    expect(last.released).toEqual([]);
    expect(last.finished).toEqual([
      expect.objectContaining({ cycleId: 'c2', applications: 3, images_considered: 4, errors: 0 }),
    ]);
  });

  it('a new tag in one repository checks only its apps, each once even when it uses several changed repositories', async () => {
    const f = await fleet();
    await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']));
    await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [check(f.a1), check(f.a2), check(f.ab)]);

    await ledger.start('c2', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    const pb = await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0', '2.0.0']));
    expect(pb).toMatchObject({ changed: true, released: [] }); // ab also waits for a in this cycle
    const pa = await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0', '1.0.1']));
    expect(pa.released.sort()).toEqual([f.a1.key, f.a2.key, f.ab.key].sort());
    const done = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.a1),
      check(f.a2),
      check(f.ab),
    ]);
    expect(done.finished).toEqual([expect.objectContaining({ cycleId: 'c2', applications: 3 })]);
  });

  it('a failed app is checked again next cycle; a fixed one is not', async () => {
    const f = await fleet();
    await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']));
    await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.a1, { errors: 1, failed: true }),
      check(f.a2),
      check(f.ab),
    ]);
    const c2 = await ledger.start('c2', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    expect(c2.released).toEqual([]);
    const pa = await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']));
    expect(pa.released).toEqual([f.a1.key]);
    await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    const done = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [check(f.a1)]);
    expect(done.finished).toEqual([expect.objectContaining({ cycleId: 'c2', errors: 0 })]);
    const c3 = await ledger.start('c3', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    expect((await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']))).released).toEqual([]);
    expect(c3.polls).toHaveLength(2);
  });

  it('a change cycle checks the dirty apps at once, polling only repositories without a snapshot', async () => {
    const f = await fleet();
    await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']));
    await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [check(f.a1), check(f.a2), check(f.ab)]);

    const edited = update('cp1', {
      ...application('a1', ['team/a', 'team/c']),
      metadata: { ...application('a1', ['team/a', 'team/c']).metadata, labels: { x: 'y' } },
    });
    expect((await index.sync('cp1', [edited], { full: false })).changed).toEqual([f.a1.key]);
    const start = await ledger.start('ch1', { scope: 'changes', full: false, dryRun: false, trigger: 'app-changed' });
    expect(start).toMatchObject({ polls: ['reg.example/team/c'], released: [] });
    const pc = await ledger.pollDone(step(), 'reg.example/team/c', snapshot('reg.example/team/c', ['3.0.0']));
    expect(pc.released).toEqual([f.a1.key]);
    const done = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [check(f.a1, { considered: 2 })]);
    expect(done.finished).toEqual([
      expect.objectContaining({ cycleId: 'ch1', scope: 'changes', applications: 1, images_considered: 2 }),
    ]);
  });

  it('every step is idempotent: a retried job gets the first answer and counts nothing twice', async () => {
    const f = await fleet();
    const s1 = await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    expect((await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' })).polls).toEqual(
      s1.polls,
    );
    const first = await ledger.pollDone('poll-a', f.repoA, snapshot(f.repoA, ['1.0.0']));
    const retried = await ledger.pollDone('poll-a', f.repoA, snapshot(f.repoA, ['1.0.0']));
    expect(retried).toEqual(first);
    await ledger.pollDone('poll-b', f.repoB, snapshot(f.repoB, ['1.0.0']));
    const seq = await ledger.nextCheckSeq();
    await ledger.checksDone('check-1', seq, false, [check(f.a1), check(f.a2)]);
    await ledger.checksDone('check-1', seq, false, [check(f.a1), check(f.a2)]);
    expect(await ledger.stepResult('check-1')).not.toBeNull();
    expect(await ledger.stepResult('never-ran')).toBeNull();
    const end = await ledger.checksDone('check-2', await ledger.nextCheckSeq(), false, [check(f.ab)]);
    expect(end.finished).toEqual([expect.objectContaining({ images_considered: 3 })]);
  });

  it('a check that started earlier but finishes later does not overwrite a newer result', async () => {
    const f = await fleet();
    const older = await ledger.nextCheckSeq();
    const newer = await ledger.nextCheckSeq();
    await ledger.checksDone(step(), newer, false, [check(f.a1, { considered: 1, errors: 0 })]);
    await ledger.checksDone(step(), older, false, [check(f.a1, { considered: 0, errors: 1, failed: true })]);
    expect(await redis.hgetall(keys.totals)).toMatchObject({ considered: '1' });
    expect(await redis.sismember(keys.failed, f.a1.key)).toBe(0);
  });

  it('git plans: the commit batch waits for every check of the cycle, the cycle for the write-back', async () => {
    const f = await fleet();
    await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    await ledger.pollDone(step(), f.repoA, snapshot(f.repoA, ['1.0.0']));
    const batch = JSON.stringify({ repoUrl: 'https://git.example/r.git', branch: 'main' });
    const plan = (app: string, id: string) => ({
      group: 'commit:r#main',
      id,
      batch,
      json: JSON.stringify({ id, app, seq: 1, plan: {} }),
    });
    const first = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.a1, { plan: plan(f.a1.key, 'p1') }),
      check(f.a2),
    ]);
    expect(first.batches).toEqual([]); // ab is not checked yet (waits for b)
    await ledger.pollDone(step(), f.repoB, snapshot(f.repoB, ['1.0.0']));
    const second = await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.ab, { plan: plan(f.ab.key, 'p2') }),
    ]);
    expect(second).toEqual({ batches: [batch], finished: [] });
    expect((await redis.hkeys(keys.plans('commit:r#main'))).sort()).toEqual([f.a1.key, f.ab.key].sort());
    expect((await plans.settle('commit:r#main', f.a1.key, 'wrong-id', { updated: 1, errors: 0 })).acked).toBe(false);
    expect((await plans.settle('commit:r#main', f.a1.key, 'p1', { updated: 1, errors: 0 })).finished).toEqual([]);
    const end = await plans.settle('commit:r#main', f.ab.key, 'p2', { updated: 2, errors: 0 });
    expect(end).toMatchObject({ acked: true, cycles: ['c1'] });
    expect(end.finished).toEqual([expect.objectContaining({ cycleId: 'c1', images_updated: 3, errors: 0 })]);
  });

  it('a batch parked while an unchanged repository is still being polled is released by that poll', async () => {
    const [a1, other] = [update('cp1', application('a1', ['team/a'])), update('cp1', application('o1', ['team/z']))];
    await index.sync('cp1', [a1, other], { full: true });
    const repoA = a1.entry.tracked[0]!.repoKey;
    const repoZ = other.entry.tracked[0]!.repoKey;
    await ledger.start('c0', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    await ledger.pollDone(step(), repoA, snapshot(repoA, ['1.0.0']));
    await ledger.pollDone(step(), repoZ, snapshot(repoZ, ['1.0.0']));
    await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [check(a1.entry), check(other.entry)]);
    await ledger.start('c1', { scope: 'all', full: false, dryRun: false, trigger: 'interval' });
    expect((await ledger.pollDone(step(), repoA, snapshot(repoA, ['1.0.0', '2.0.0']))).released).toEqual([
      a1.entry.key,
    ]);
    const batch = JSON.stringify({ repoUrl: 'https://git.example/r.git', branch: 'main' });
    const plan = {
      group: 'commit:r#main',
      id: 'p1',
      batch,
      json: JSON.stringify({ id: 'p1', app: a1.entry.key, seq: 1, plan: {} }),
    };
    expect(
      (await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [check(a1.entry, { plan })])).batches,
    ).toEqual([]);
    const last = await ledger.pollDone(step(), repoZ, snapshot(repoZ, ['1.0.0']));
    expect(last).toMatchObject({ changed: false, released: [], batches: [batch] });
  });

  it('a removed app leaves the totals; a cycle with no repositories and no apps ends at once', async () => {
    const f = await fleet();
    await ledger.checksDone(step(), await ledger.nextCheckSeq(), false, [
      check(f.a1, { considered: 1 }),
      check(f.a2, { considered: 1 }),
    ]);
    await index.sync('cp1', [], { full: false, removed: [f.a2.key] });
    expect(await redis.hget(keys.totals, 'considered')).toBe('1');
    await index.sync('cp1', [], { full: true });
    expect(await index.count()).toBe(0);
    const start = await ledger.start('empty', { scope: 'all', full: true, dryRun: false, trigger: 'interval' });
    expect(start.finished).toEqual([expect.objectContaining({ cycleId: 'empty', applications: 0 })]);
    expect(await ledger.waitFor('empty', 1000)).toMatchObject({ applications: 0 });
  });
});

describe('leases', () => {
  it('one holder at a time; renewed by its holder; taken over once expired', async () => {
    const leases = new RedisLeases(redis, keys);
    expect(await leases.hold('watch:cp1', 'p1', 300)).toBe(true);
    expect(await leases.hold('watch:cp1', 'p2', 300)).toBe(false);
    expect(await leases.hold('watch:cp1', 'p1', 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    expect(await leases.hold('watch:cp1', 'p2', 300)).toBe(true);
    await leases.release('watch:cp1', 'p1');
    expect(await leases.holder('watch:cp1')).toBe('p2');
    await leases.release('watch:cp1', 'p2');
    expect(await leases.holder('watch:cp1')).toBeNull();
  });
});
