/**
 * A job whose worker processes died more than `maxStalled` times: BullMQ's stall check marks it
 * with a deferred failure (the `defa` field its moveStalledJobsToWait script sets) and the next
 * worker to pick it up fails it without running the handler. tagflow's runner then calls the
 * handler's onFinalFailure, so what the job owed (apps, cycles, plans) is settled at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { connectionOptions } from '../../shared/adapters/redis/connection.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import { until } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('a job failed by BullMQ for stalling too often', () => {
  it('is settled by onFinalFailure (once), without running the handler', async () => {
    const prefix = uniquePrefix('stalled');
    const connection = connectionOptions(TEST_REDIS_URL);
    const queue = new Queue('commit', { connection, prefix });
    const events = new QueueEvents('commit', { connection, prefix });
    const redis = new Redis(TEST_REDIS_URL);
    closers.push(
      () => queue.obliterate({ force: true }).then(() => queue.close()),
      () => events.close(),
      async () => redis.disconnect(),
    );
    await events.waitUntilReady();
    await queue.pause();
    const job = await queue.add('commit', { repo: 'r1' }, { attempts: 3 });
    // what BullMQ's stall check writes once a job has stalled more than maxStalledCount times
    await redis.hset(`${prefix}:commit:${job.id}`, 'defa', 'job stalled more than allowable limit');

    const ran: string[] = [];
    const settled: { repo: string; code: string; message: string; attempt: number }[] = [];
    const worker = startWorker(
      'commit',
      z.object({ repo: z.string() }),
      {
        run: async (d) => void ran.push(d.repo),
        onFinalFailure: async (d, ctx, error) =>
          void settled.push({ repo: d.repo, code: error.code, message: error.message, attempt: ctx.attempt }),
      },
      { redisUrl: TEST_REDIS_URL, prefix, concurrency: 1, log: silentLogger() },
    );
    closers.push(() => worker.close());
    await queue.resume();

    await until(() => settled.length > 0, 10_000, 'onFinalFailure');
    expect(await (await queue.getJob(job.id!))!.getState()).toBe('failed');
    expect(ran).toEqual([]);
    expect(settled).toEqual([
      {
        repo: 'r1',
        code: 'job.stalled',
        message: expect.stringContaining('job stalled more than allowable limit'),
        attempt: 1,
      },
    ]);
    // an ordinary job on the same worker is not mistaken for a stalled one
    const ok = await queue.add('commit', { repo: 'r2' });
    await ok.waitUntilFinished(events, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toEqual(['r2']);
    expect(settled).toHaveLength(1);
  });
});
