import type { JobData } from './payloads.ts';
import type { QueueName } from './queues.ts';

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
  addBulk<Q extends QueueName>(
    queue: Q,
    jobs: readonly { name: string; data: JobData[Q]; options?: EnqueueOptions }[],
  ): Promise<void>;
  /**
   * A job added every `everyMs` (the first one now), identified by `id`: every replica may call this,
   * there is still one schedule.
   */
  repeat<Q extends QueueName>(queue: Q, id: string, everyMs: number, name: string, data: JobData[Q]): Promise<void>;
  /** Job counts per state, per queue. */
  counts(): Promise<Record<QueueName, Record<string, number>>>;
}
