/** A job that failed for good, as an operator sees it (payloads carry identities only, never secrets). */
export interface FailedJob {
  /** One of shared/jobs/queues.ts QUEUE. */
  queue: string;
  id: string;
  name: string;
  attemptsMade: number;
  failedReason: string;
  /** When it was added and when it failed (ms since the epoch). */
  addedAt: number;
  failedAt?: number;
  data: unknown;
}

export type JobStateName = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'failed' | 'completed' | 'unknown';

/** Inspecting the queues and acting on failed jobs (the dashboard, `tagflow queues`). */
export interface QueueAdmin {
  /** Job counts per state, per queue. */
  counts(): Promise<Record<string, Record<string, number>>>;
  /** Failed jobs of one queue, newest first. */
  failed(queue: string, o: { offset: number; limit: number }): Promise<FailedJob[]>;
  /** A job's state, or null when there is no such job. */
  state(queue: string, id: string): Promise<JobStateName | null>;
  /** Puts a failed job back in its queue (attempts reset). False: no such failed job. */
  retry(queue: string, id: string): Promise<boolean>;
  /** Removes a failed job. False: no such failed job. */
  remove(queue: string, id: string): Promise<boolean>;
}
