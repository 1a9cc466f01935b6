import { Queue, type JobsOptions } from 'bullmq';
import type { EnqueueOptions, JobSink } from '../../jobs/job-sink.ts';
import { jobDefaults, QUEUE, type JobDefaultsOverride, type QueueName } from '../../jobs/queues.ts';
import type { JobData } from '../../jobs/payloads.ts';
import { connectionOptions } from '../redis/connection.ts';

function jobOptions(o: EnqueueOptions = {}): JobsOptions {
  return {
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.delayMs !== undefined ? { delay: o.delayMs } : {}),
    ...(o.dedupId ? { deduplication: { id: o.dedupId, keepLastIfActive: true } } : {}),
  };
}

/** Producer side of every queue; retries and retention come from the queues' defaultJobOptions. */
export class BullmqSink implements JobSink {
  readonly queues: Record<QueueName, Queue>;

  /** `override` is for tests (e.g. a short backoff); production uses the queue defaults as declared. */
  constructor(redisUrl: string, prefix: string, override?: JobDefaultsOverride) {
    const connection = { ...connectionOptions(redisUrl), enableOfflineQueue: false };
    this.queues = Object.fromEntries(
      Object.values(QUEUE).map((name) => [
        name,
        new Queue(name, { connection, prefix, defaultJobOptions: jobDefaults(name, override) }),
      ]),
    ) as Record<QueueName, Queue>;
  }

  async add<Q extends QueueName>(queue: Q, name: string, data: JobData[Q], options?: EnqueueOptions): Promise<void> {
    await this.queues[queue].add(name, data, jobOptions(options));
  }

  async addBulk<Q extends QueueName>(
    queue: Q,
    jobs: readonly { name: string; data: JobData[Q]; options?: EnqueueOptions }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queues[queue].addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: jobOptions(j.options) })));
  }

  async repeat<Q extends QueueName>(
    queue: Q,
    id: string,
    everyMs: number,
    name: string,
    data: JobData[Q],
  ): Promise<void> {
    const q = this.queues[queue];
    const defaults = q.defaultJobOptions;
    await q.upsertJobScheduler(
      id,
      { every: everyMs },
      { name, data, opts: { ...defaults, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    );
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      Object.entries(this.queues).map(
        async ([name, q]) =>
          [name, await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed')] as const,
      ),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
