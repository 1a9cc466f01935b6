/** Queue names: one queue per worker pool. */
export const QUEUE = {
  cycle: 'cycle',
  poll: 'poll',
  select: 'select',
  patch: 'patch',
  commit: 'commit',
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export interface JobDefaults {
  attempts: number;
  backoff: { type: 'exponential'; delay: number; jitter?: number };
  removeOnComplete: { age: number; count: number };
  removeOnFail: { age: number; count: number };
}

const keep = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 7 * 86400, count: 5000 } };

/** Retries and backoff, per queue: the queues' defaultJobOptions, so every producer gets them. */
export const JOB_DEFAULTS: Record<QueueName, JobDefaults> = {
  cycle: { attempts: 4, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keep },
  poll: { attempts: 4, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keep },
  select: { attempts: 3, backoff: { type: 'exponential', delay: 500, jitter: 0.2 }, ...keep },
  patch: { attempts: 5, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keep },
  commit: { attempts: 5, backoff: { type: 'exponential', delay: 2000, jitter: 0.2 }, ...keep },
};

/**
 * How workers hold jobs: a job's lock lasts `lockMs` and is renewed while it runs; a job whose
 * worker died is found by another worker's stall check (every `stalledIntervalMs`) once its lock
 * expired, and resumed: within lockMs + stalledIntervalMs (10 s + 4 s). A job is resumed after up
 * to `maxStalled` deaths of its workers before it counts as failed.
 */
export const WORKER_LOCKS = { lockMs: 10_000, stalledIntervalMs: 4_000, maxStalled: 20 } as const;

/**
 * Testing aid: `TAGFLOW_JOB_LOCK_MS` and `TAGFLOW_JOB_STALLED_MS` (milliseconds) shorten the lock and
 * the stall check, so a crash test sees a killed worker's job resumed within a few seconds instead of
 * 14 s. Production leaves them unset; a value that is not a whole number in range is ignored.
 */
export function workerLocks(env: Record<string, string | undefined>): { lockMs: number; stalledIntervalMs: number } {
  const ms = (v: string | undefined, min: number, fallback: number) =>
    v !== undefined && /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= 600_000 ? Number(v) : fallback;
  return {
    lockMs: ms(env.TAGFLOW_JOB_LOCK_MS, 500, WORKER_LOCKS.lockMs),
    stalledIntervalMs: ms(env.TAGFLOW_JOB_STALLED_MS, 200, WORKER_LOCKS.stalledIntervalMs),
  };
}

/** Overrides for tests (shorter backoff); production never passes any. */
export interface JobDefaultsOverride {
  backoffDelayMs?: number;
}

/** The defaults of `queue`, with a test's override applied. */
export function jobDefaults(queue: QueueName, override: JobDefaultsOverride = {}): JobDefaults {
  const d = JOB_DEFAULTS[queue];
  return override.backoffDelayMs === undefined
    ? d
    : { ...d, backoff: { ...d.backoff, delay: override.backoffDelayMs } };
}
