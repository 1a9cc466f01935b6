/**
 * The failed jobs of tagflow's queues, through BullMQ's Queue API: list them, retry one or all of a
 * queue, remove one. What `tagflow queues failed|retry|remove` and the dashboard act on. Payloads
 * carry identities only (app and repository keys), so listing them shows no secret.
 */
import type { Job, Queue } from 'bullmq';
import { QUEUE, type QueueName } from '../../jobs/queues.ts';

export interface FailedJob {
  id: string;
  queue: QueueName;
  name: string;
  /** Attempts made before it failed for good. */
  attempts: number;
  failedReason: string;
  /** When it failed (ms since the epoch); null when BullMQ did not record it. */
  failedAt: number | null;
  /** When it was added (ms since the epoch). */
  addedAt: number;
  data: unknown;
}

/** A queue or job the caller named does not exist, or the job is not failed. */
export class QueueAdminError extends Error {}

const NAMES = Object.values(QUEUE) as QueueName[];

export function isQueueName(name: string): name is QueueName {
  return (NAMES as string[]).includes(name);
}

export class FailedJobs {
  constructor(private readonly queues: Readonly<Record<QueueName, Queue>>) {}

  /** The failed jobs of one queue (or of every queue), newest failure first, at most `limit` per queue. */
  async list(o: { queue?: string; limit?: number } = {}): Promise<FailedJob[]> {
    const names = o.queue === undefined ? NAMES : [this.name(o.queue)];
    const limit = Math.max(1, o.limit ?? 100);
    const lists = await Promise.all(
      names.map(async (name) => {
        const jobs = await this.queues[name].getFailed(0, limit - 1);
        return jobs.filter((j): j is Job => Boolean(j)).map((j) => describe(name, j));
      }),
    );
    return lists.flat().sort((a, b) => (b.failedAt ?? b.addedAt) - (a.failedAt ?? a.addedAt));
  }

  /** Moves one failed job back to waiting, with its attempts counted from zero again. */
  async retry(queue: string, jobId: string): Promise<FailedJob> {
    const job = await this.failedJob(queue, jobId, 'retried');
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return describe(this.name(queue), job);
  }

  /** Moves every failed job of `queue` back to waiting; resolves with how many there were. */
  async retryAll(queue: string): Promise<number> {
    const q = this.queues[this.name(queue)];
    const count = await q.getFailedCount();
    if (count > 0) await q.retryJobs({ state: 'failed', count: 1000 });
    return count;
  }

  /** Deletes one failed job (its payload and logs). */
  async remove(queue: string, jobId: string): Promise<FailedJob> {
    const job = await this.failedJob(queue, jobId, 'removed');
    await job.remove();
    return describe(this.name(queue), job);
  }

  private name(queue: string): QueueName {
    if (isQueueName(queue)) return queue;
    throw new QueueAdminError(`unknown queue "${queue}" (queues: ${NAMES.join(', ')})`);
  }

  private async failedJob(queue: string, jobId: string, verb: string): Promise<Job> {
    const name = this.name(queue);
    const job = (await this.queues[name].getJob(jobId)) as Job | undefined;
    if (!job) throw new QueueAdminError(`no job "${jobId}" in queue ${name}`);
    const state = await job.getState();
    if (state !== 'failed')
      throw new QueueAdminError(
        `job "${jobId}" of queue ${name} is ${state}, not failed: only failed jobs can be ${verb}`,
      );
    return job;
  }
}

function describe(queue: QueueName, j: Job): FailedJob {
  return {
    id: String(j.id),
    queue,
    name: j.name,
    attempts: j.attemptsMade,
    failedReason: j.failedReason ?? '',
    failedAt: j.finishedOn ?? null,
    addedAt: j.timestamp,
    data: j.data,
  };
}
