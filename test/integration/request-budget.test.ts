/**
 * The registry request budget on real Redis, with two "processes" (two budgets, each with its own
 * connection and owner): together they stay within the limit in every 1-second window, a 429 seen
 * by one holds the other back, a job steps aside instead of waiting long or queueing behind its
 * registry's other jobs, and the shared state reads back for `tagflow queues`.
 */
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { RedisRequestBudgets } from '../../shared/adapters/redis/request-budgets.ts';
import { RateLimitedError } from '../../shared/errors.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import { maxInWindow } from '../helpers/windows.ts';
import { TEST_REDIS_URL, testRedis, type TestRedis } from '../helpers/redis.ts';

let t: TestRedis;
let extra: Redis[] = [];
beforeEach(async () => {
  t = await testRedis('budget');
  extra = [];
});
afterEach(async () => {
  for (const r of extra) r.disconnect();
  await t.cleanup();
});

function process_(owner: string, o: { maxWaitMs?: number; maxWaitingJobs?: number } = {}) {
  const redis = createRedis(TEST_REDIS_URL, owner);
  extra.push(redis);
  return new RedisRequestBudgets(redis, t.keys, { owner, log: silentLogger(), ...o });
}

const headers = (o: Record<string, string>) => new Headers(o);

describe('registry request budget', () => {
  it('keeps two processes together within the limit in every 1-second window', async () => {
    const spec = { key: 'reg.example:5000', ratePerSec: 20, maxInFlight: 10 };
    const gates = [process_('p1').gate(spec), process_('p2').gate(spec)];
    const granted: number[] = [];
    const started = Date.now();
    await Promise.all(
      gates.flatMap((g) =>
        Array.from({ length: 35 }, async () => {
          const release = await g.acquire();
          granted.push(Date.now());
          await new Promise((r) => setTimeout(r, 5));
          release();
        }),
      ),
    );
    const elapsed = Date.now() - started;
    expect(granted).toHaveLength(70);
    expect(maxInWindow(granted, 1000)).toBeLessThanOrEqual(22);
    // 70 requests at 20/s after a burst of one: at least 3.4 s
    expect(elapsed).toBeGreaterThanOrEqual(3300);
  });

  it('caps the requests in flight per process', async () => {
    const gate = process_('p1').gate({ key: 'open.example', maxInFlight: 3 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await gate.acquire();
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        release();
      }),
    );
    expect(peak).toBe(3);
  });

  it('holds every process back after one sees a 429 with Retry-After, unlimited registry included', async () => {
    const spec = { key: 'open.example', maxInFlight: 10 };
    const a = process_('p1').gate(spec);
    const b = process_('p2').gate(spec);
    (await a.acquire())();
    a.observe(429, headers({ 'retry-after': '2' }));
    await new Promise((r) => setTimeout(r, 100)); // the signal reaches Redis
    const started = Date.now();
    (await b.acquire())();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('shrinks the shared rate to what RateLimit-Remaining leaves in the window', async () => {
    const spec = { key: 'reg.example', ratePerSec: 100, maxInFlight: 10 };
    const a = process_('p1').gate(spec);
    const b = process_('p2').gate(spec);
    (await a.acquire())();
    a.observe(200, headers({ 'ratelimit-remaining': '10', 'ratelimit-reset': '2' })); // 5/s for 2 s
    await new Promise((r) => setTimeout(r, 100));
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        (await b.acquire())();
        granted.push(Date.now());
      }),
    );
    // at 100/s these would take ~60 ms; at 5/s, 6 requests after a burst of one take about a second
    expect(Math.max(...granted) - Math.min(...granted)).toBeGreaterThanOrEqual(800);
  });

  it('lets a job step aside when the wait is long, without losing the job', async () => {
    const budgets = process_('p1', { maxWaitMs: 500 });
    const gate = budgets.gate({ key: 'slow.example', ratePerSec: 10, maxInFlight: 10 });
    (await gate.acquire())();
    gate.observe(429, headers({ 'retry-after': '3' }));
    const err = await gate.acquire('job-1').catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.code).toBe('registry.budget');
    expect(err.retryAfterMs).toBeGreaterThan(2000);
    expect(err.message).toContain('slow.example');
    // the same job asking again before its time is told at once, without a Redis round trip
    const again = await gate.acquire('job-1').catch((e) => e);
    expect(again.code).toBe('registry.budget');
    const [state] = await budgets.states();
    expect(state).toMatchObject({ key: 'slow.example', configuredRate: 10, waitingJobs: 1 });
    expect(state!.blockedForMs).toBeGreaterThan(2000);
  });

  it('keeps at most maxWaitingJobs jobs of a registry waiting in a process; the others step aside', async () => {
    const budgets = process_('p1', { maxWaitingJobs: 2, maxWaitMs: 5000 });
    const gate = budgets.gate({ key: 'busy.example', ratePerSec: 2, maxInFlight: 10 });
    (await gate.acquire())(); // the bucket's one token
    const outcomes = await Promise.all(
      ['j1', 'j2', 'j3', 'j4', 'j5'].map((jobId) =>
        gate.acquire(jobId).then(
          (release) => (release(), 'served'),
          (e: RateLimitedError) => e.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'served')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'registry.budget')).toHaveLength(3);
  });

  it('reads back every registry with its configured and current rate', async () => {
    const budgets = process_('p1');
    const limited = budgets.gate({ key: 'a.example', ratePerSec: 50, maxInFlight: 10 });
    const open = budgets.gate({ key: 'b.example', maxInFlight: 10 });
    for (let i = 0; i < 3; i++) (await limited.acquire())();
    (await open.acquire())();
    const states = await budgets.states();
    expect(states.map((s) => s.key)).toEqual(['a.example', 'b.example']);
    expect(states[0]).toMatchObject({ configuredRate: 50, blockedForMs: 0, signalledRate: null, waitingJobs: 0 });
    expect(states[0]!.tokens).not.toBeNull();
    expect(states[1]).toMatchObject({ configuredRate: null, tokens: null });
  });
});
