import type { Logger } from '../logging/logger.ts';
import type { QueueName } from './queues.ts';

/** What a handler knows about the job it runs. */
export interface JobContext {
  jobId: string;
  queue: QueueName;
  /** 1-based attempt number. */
  attempt: number;
  /** True when a failure now will not be retried: the handler must settle its bookkeeping. */
  finalAttempt: boolean;
  log: Logger;
}
