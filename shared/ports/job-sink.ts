import type { JobData } from '../jobs/payloads.ts';
import type { QueueName } from '../jobs/queues.ts';

export interface EnqueueOptions {
  /**
   * Deduplication identity: while a job with this id waits, further adds are dropped; while one is
   * active, one follow-up job is kept (the latest), so work for one identity never runs twice at once.
   */
  dedupId?: string;
  priority?: number;
  delayMs?: number;
}

/** Where producers put jobs. Implemented over BullMQ in `shared/adapters/queue/`. */
export interface JobSink {
  add<Q extends QueueName>(queue: Q, name: string, data: JobData[Q], options?: EnqueueOptions): Promise<void>;
  addBulk<Q extends QueueName>(queue: Q, jobs: readonly { name: string; data: JobData[Q]; options?: EnqueueOptions }[]): Promise<void>;
}
