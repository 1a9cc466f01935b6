import { afterEach, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { z } from 'zod';
import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { connectionOptions } from '../../shared/adapters/redis/connection.ts';
import { PermanentError, RateLimitedError, TransientError } from '../../shared/errors.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function harness(handler: (data: { n: number }, attempt: number) => Promise<unknown>) {
  const prefix = uniquePrefix('runner');
  const connection = connectionOptions(TEST_REDIS_URL);
  const queue = new Queue('poll', { connection, prefix });
  const events = new QueueEvents('poll', { connection, prefix });
  await events.waitUntilReady();
  const worker = startWorker(
    'poll',
    z.object({ n: z.number() }),
    { run: (d, ctx) => handler(d, ctx.attempt) },
    {
      redisUrl: TEST_REDIS_URL,
      prefix,
      concurrency: 2,
      log: silentLogger(),
    },
  );
  closers.push(
    () => queue.obliterate({ force: true }).then(() => queue.close()),
    () => events.close(),
    () => worker.close(),
  );
  return { queue, events };
}

describe('startWorker error mapping', () => {
  it('waits as long as a rate-limited remote asked, without spending an attempt', async () => {
    const runs: number[] = [];
    const { queue, events } = await harness(async (_d, attempt) => {
      runs.push(Date.now());
      if (runs.length === 1) throw new RateLimitedError('registry.rate-limited', '429', 400);
      return { attempt };
    });
    const job = await queue.add('x', { n: 1 }, { attempts: 2 });
    expect(await job.waitUntilFinished(events, 10_000)).toEqual({ attempt: 1 });
    expect(runs).toHaveLength(2);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(380);
  });

  it('does not retry a permanent error, retries a transient one', async () => {
    const seen: number[] = [];
    const { queue, events } = await harness(async (d, attempt) => {
      seen.push(d.n);
      if (d.n === 1) throw new PermanentError('config.bad', 'bad input');
      if (attempt === 1) throw new TransientError('registry.unavailable', 'flaky');
      return 'ok';
    });
    const permanent = await queue.add('p', { n: 1 }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    await expect(permanent.waitUntilFinished(events, 10_000)).rejects.toThrow('config.bad: bad input');
    const transient = await queue.add('t', { n: 2 }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    expect(await transient.waitUntilFinished(events, 10_000)).toBe('ok');
    expect(seen.filter((n) => n === 1)).toHaveLength(1);
    expect(seen.filter((n) => n === 2)).toHaveLength(2);
  });

  it('rejects an invalid payload without running the handler', async () => {
    let ran = false;
    const { queue, events } = await harness(async () => (ran = true));
    const job = await queue.add('bad', { n: 'one' } as unknown as { n: number }, { attempts: 3 });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/invalid poll job payload/);
    expect(ran).toBe(false);
  });
});
