import type { ErrorKind } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { QueueName } from './queues.ts';

/** What a handler knows about the job it runs. */
export interface JobContext {
  jobId: string;
  queue: QueueName;
  /** 1-based attempt number. */
  attempt: number;
  /** True when a failure now will not be retried. */
  finalAttempt: boolean;
  /** The job ran before (a retry, a resumption after its worker died, or after a rate-limit delay): earlier steps may be done. */
  resumed: boolean;
  log: Logger;
}

/** A job handler: `run` may throw; the runner retries or, once the job fails for good, calls `onFinalFailure`. */
export interface JobHandler<T> {
  run(data: T, ctx: JobContext): Promise<unknown>;
  /** Settles what the job owed (apps of a cycle, a cycle itself) when it fails for good. Runs once. */
  onFinalFailure?(data: T, ctx: JobContext, error: { code: string; message: string; kind: ErrorKind }): Promise<void>;
}
