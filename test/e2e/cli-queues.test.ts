import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqSink } from '../../shared/adapters/queue/bullmq-sink.ts';
import { connectionOptions } from '../../shared/adapters/redis/connection.ts';
import { runCli } from '../helpers/cli.ts';
import { testRedis, TEST_REDIS_URL, type TestRedis } from '../helpers/redis.ts';
import { until } from '../helpers/pipeline.ts';

let r: TestRedis;
let sink: BullmqSink;
const ids: string[] = [];

/** Adds jobs to `queue` that fail at once (one attempt), as an outage would leave them. */
async function failedJobs(queue: 'poll' | 'select', items: string[]): Promise<string[]> {
  const q = sink.queues[queue];
  const before = await q.getFailedCount();
  const data = (item: string) => (queue === 'poll' ? { repos: [item] } : { apps: [item] });
  const added = await Promise.all(
    items.map((item) => q.add(queue, { ...data(item), trigger: 'manual' }, { attempts: 1 })),
  );
  const worker = new Worker(
    queue,
    async (job) => {
      const d = job.data as { repos?: string[]; apps?: string[] };
      throw new Error(`registry exploded for ${(d.repos ?? d.apps)![0]}`);
    },
    { connection: connectionOptions(TEST_REDIS_URL), prefix: r.prefix },
  );
  try {
    await until(async () => (await q.getFailedCount()) >= before + items.length, 20_000, `${queue} jobs failed`);
  } finally {
    await worker.close();
  }
  return added.map((j) => String(j.id));
}

const cli = (...args: string[]) =>
  runCli(['queues', ...args, '--redis-url', TEST_REDIS_URL], { TAGFLOW_PREFIX: r.prefix });

beforeAll(async () => {
  r = await testRedis('queues');
  sink = new BullmqSink(TEST_REDIS_URL, r.prefix);
  ids.push(...(await failedJobs('poll', ['example.com/a', 'example.com/b'])));
}, 60_000);

afterAll(async () => {
  await sink?.close();
  await r?.cleanup();
});

describe('tagflow queues: failed jobs', () => {
  it('lists the failed jobs as JSON and as a table', async () => {
    const json = await cli('failed', '--output', 'json');
    expect(json.stderr).toBe('');
    const { failed } = JSON.parse(json.stdout) as { failed: Record<string, unknown>[] };
    expect(failed.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(failed).toContainEqual(
      expect.objectContaining({
        id: ids[0],
        queue: 'poll',
        name: 'poll',
        attempts: 1,
        failedReason: 'registry exploded for example.com/a',
        failedAt: expect.any(Number),
        data: { repos: ['example.com/a'], trigger: 'manual' },
      }),
    );
    const text = await cli('failed', '--queue', 'poll');
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +QUEUE +NAME +ATTEMPTS +FAILED +REASON$/);
    expect(lines.slice(1).find((l) => l.startsWith(`${ids[1]} `))).toMatch(
      /^\S+ +poll +poll +1 +\d{4}-\d\d-\d\dT[\d:.]+Z +registry exploded for example\.com\/b$/,
    );
    const none = await cli('failed', '--queue', 'commit');
    expect(none.stdout.trim()).toBe('no failed jobs');
    const unknown = await cli('failed', '--queue', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown queue "nope" \(queues: cycle, poll, select, patch, commit\)/);
  }, 60_000);

  it('retries one failed job, then every failed job of a queue', async () => {
    const retried = await cli('retry', 'poll', ids[0]!, '--output', 'json');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ queue: 'poll', retried: 1, job: { id: ids[0] } });
    const job = await sink.queues.poll.getJob(ids[0]!);
    expect(await job!.getState()).toBe('waiting');
    expect(job!.attemptsMade).toBe(0);
    const again = await cli('retry', 'poll', ids[0]!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `job "${ids[0]}" of queue poll is waiting, not failed: only failed jobs can be retried`,
    );
    const all = await cli('retry', 'poll', '--all');
    expect(all.stdout.trim()).toBe('1 failed job(s) of queue poll moved back to waiting');
    expect(await (await sink.queues.poll.getJob(ids[1]!))!.getState()).toBe('waiting');
    expect(await sink.queues.poll.getFailedCount()).toBe(0);
    const neither = await cli('retry', 'poll');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/name the failed job to retry, or --all/);
  }, 60_000);

  it('removes a failed job; an unknown job or queue is a clear error', async () => {
    const [id] = await failedJobs('select', ['tagflow-test/argocd/app-c']);
    const removed = await cli('remove', 'select', id!);
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe(`job ${id} (select) removed from queue select`);
    expect(await sink.queues.select.getJob(id!)).toBeUndefined();
    const missing = await cli('remove', 'select', id!);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no job "${id}" in queue select`);
    const badQueue = await cli('remove', 'selects', id!);
    expect(badQueue.stderr).toMatch(/unknown queue "selects"/);
    const depths = JSON.parse((await cli('--output', 'json')).stdout) as { queues: { queue: string; counts: any }[] };
    const counts = (queue: string) => depths.queues.find((q) => q.queue === queue)!.counts;
    expect([counts('poll'), counts('select')]).toEqual([
      expect.objectContaining({ failed: 0, waiting: 2 }),
      expect.objectContaining({ failed: 0, waiting: 0 }),
    ]);
  }, 60_000);
});
