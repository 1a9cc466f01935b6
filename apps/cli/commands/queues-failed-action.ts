import { BullmqSink } from '../../../shared/adapters/queue/bullmq-sink.ts';
import { FailedJobs, QueueAdminError, type FailedJob } from '../../../shared/adapters/queue/failed-jobs.ts';
import { prefixOf, redisUrlOf, textTable } from './queues-action.ts';
import type { QueuesFlags } from './queues.ts';

type Flags = QueuesFlags & { queue?: string; limit?: string; all?: boolean };

async function withFailedJobs<T>(flags: Flags, use: (jobs: FailedJobs) => Promise<T>): Promise<T> {
  const sink = new BullmqSink(redisUrlOf(flags), prefixOf());
  try {
    return await use(new FailedJobs(sink.queues));
  } finally {
    await sink.close();
  }
}

const print = (flags: Flags, json: unknown, text: string) =>
  console.log(flags.output === 'json' ? JSON.stringify(json, null, 2) : text);

/** `tagflow queues failed [--queue Q]`. */
export async function failedAction(flags: Flags): Promise<void> {
  const limit = Number(flags.limit ?? '100');
  if (!Number.isInteger(limit) || limit < 1)
    throw new QueueAdminError(`--limit: expected a positive integer, got "${flags.limit}"`);
  const failed = await withFailedJobs(flags, (j) => j.list({ queue: flags.queue, limit }));
  print(flags, { failed }, failed.length === 0 ? 'no failed jobs' : failedTable(failed));
}

/** `tagflow queues retry <queue> <jobId>` or `tagflow queues retry <queue> --all`. */
export async function retryAction(queue: string, jobId: string | undefined, flags: Flags): Promise<void> {
  if (jobId !== undefined && flags.all) throw new QueueAdminError('give a job id or --all, not both');
  if (jobId === undefined && !flags.all)
    throw new QueueAdminError(`name the failed job to retry, or --all for every failed job of ${queue}`);
  await withFailedJobs(flags, async (j) => {
    if (jobId === undefined) {
      const count = await j.retryAll(queue);
      return print(flags, { queue, retried: count }, `${count} failed job(s) of queue ${queue} moved back to waiting`);
    }
    const job = await j.retry(queue, jobId);
    print(flags, { queue, retried: 1, job }, `job ${job.id} (${job.name}) of queue ${queue} moved back to waiting`);
  });
}

/** `tagflow queues remove <queue> <jobId>`. */
export async function removeAction(queue: string, jobId: string, flags: Flags): Promise<void> {
  const job = await withFailedJobs(flags, (j) => j.remove(queue, jobId));
  print(flags, { queue, removed: job }, `job ${job.id} (${job.name}) removed from queue ${queue}`);
}

/** ID, QUEUE, NAME, ATTEMPTS, FAILED (when), REASON (first line). */
export function failedTable(jobs: readonly FailedJob[]): string {
  const rows = jobs.map((j) => [
    j.id,
    j.queue,
    j.name,
    String(j.attempts),
    j.failedAt === null ? '-' : new Date(j.failedAt).toISOString(),
    (j.failedReason.split('\n')[0] ?? '').slice(0, 200),
  ]);
  return textTable(['ID', 'QUEUE', 'NAME', 'ATTEMPTS', 'FAILED', 'REASON'], rows);
}
