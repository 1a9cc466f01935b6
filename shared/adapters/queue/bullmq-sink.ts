import { Queue, type JobsOptions } from 'bullmq';
import type { EnqueueOptions, JobSink } from '../../ports/job-sink.ts';
import { jobDefaults, QUEUE, type JobDefaultsOverride, type QueueName } from '../../jobs/queues.ts';
import type { JobData } from '../../jobs/payloads.ts';
import { connectionOptions } from '../redis/connection.ts';

function jobOptions(queue: QueueName, o: EnqueueOptions = {}, override?: JobDefaultsOverride): JobsOptions {
  return {
    ...jobDefaults(queue, override),
    priority: o.priority,
    delay: o.delayMs,
    deduplication: o.dedupId ? { id: o.dedupId, keepLastIfActive: true } : undefined,
  };
}

/** Producer side of every queue. */
export class BullmqSink implements JobSink {
  readonly queues: Record<QueueName, Queue>;

  /** `override` is for tests (e.g. a short backoff); production uses the queue defaults as declared. */
  constructor(
    redisUrl: string,
    prefix: string,
    private readonly override?: JobDefaultsOverride,
  ) {
    const connection = { ...connectionOptions(redisUrl), enableOfflineQueue: false };
    this.queues = Object.fromEntries(
      Object.values(QUEUE).map((name) => [name, new Queue(name, { connection, prefix })]),
    ) as Record<QueueName, Queue>;
  }

  async add<Q extends QueueName>(queue: Q, name: string, data: JobData[Q], options?: EnqueueOptions): Promise<void> {
    await this.queues[queue].add(name, data, jobOptions(queue, options, this.override));
  }

  async addBulk<Q extends QueueName>(queue: Q, jobs: readonly { name: string; data: JobData[Q]; options?: EnqueueOptions }[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queues[queue].addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: jobOptions(queue, j.options, this.override) })));
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
