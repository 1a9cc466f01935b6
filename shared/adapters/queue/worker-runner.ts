import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { ZodType } from 'zod';
import type { Logger } from '../../logging/logger.ts';
import { describeError, isTagflowError, RateLimitedError } from '../../errors.ts';
import type { QueueName } from '../../jobs/queues.ts';
import { connectionOptions } from '../redis/connection.ts';
import type { JobContext } from '../../jobs/job-context.ts';

export type { JobContext };

export type Handler<T> = (data: T, ctx: JobContext) => Promise<unknown>;

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  log: Logger;
  lockDurationMs?: number;
}

/**
 * Runs one pool: validates each payload at the boundary, gives the handler a per-job logger, and
 * maps tagflow's error classes to BullMQ behaviour in this one place:
 * permanent → no retry; transient and conflict → retry with the queue's backoff;
 * rate-limited → retry no sooner than the registry asked.
 */
export function startWorker<T>(queue: QueueName, schema: ZodType<T>, handler: Handler<T>, o: WorkerOptions): Worker {
  const worker = new Worker(
    queue,
    async (job: Job, token?: string) => {
      const parsed = schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${queue} job payload: ${parsed.error.message}`);
      const attempt = job.attemptsMade + 1;
      const ctx: JobContext = {
        jobId: job.id ?? '?',
        queue,
        attempt,
        finalAttempt: attempt >= (job.opts.attempts ?? 1),
        log: o.log.child({ queue, jobId: job.id, attempt }),
      };
      try {
        return await handler(parsed.data, ctx);
      } catch (e) {
        if (e instanceof RateLimitedError && token && (await postpone(job, token, e, ctx))) throw new DelayedError();
        throw toBullmqError(e, ctx);
      }
    },
    {
      connection: connectionOptions(o.redisUrl),
      prefix: o.prefix,
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs ?? 60_000,
      settings: { backoffStrategy: undefined },
    },
  );
  worker.on('error', (err) => o.log.error({ queue, err: describeError(err) }, 'worker error'));
  return worker;
}

/** How often one job may be put off by a registry's 429 before it counts as a failed attempt. */
export const MAX_RATE_LIMIT_DELAYS = 20;
const MAX_DELAY_MS = 10 * 60_000;

/**
 * A rate-limited job waits as long as the remote asked, without spending an attempt and without
 * holding up the pool (other registries' jobs go on). Bounded, so a registry that answers 429
 * forever still ends in a failure the cycle can report.
 */
async function postpone(job: Job, token: string, e: RateLimitedError, ctx: JobContext): Promise<boolean> {
  const delays = Number((job.data as { rateLimitDelays?: number }).rateLimitDelays ?? 0) + 1;
  if (delays > MAX_RATE_LIMIT_DELAYS) return false;
  const wait = Math.min(Math.max(e.retryAfterMs, 50), MAX_DELAY_MS);
  ctx.log.warn({ code: e.code, retryAfterMs: wait, delays }, `rate limited, retrying in ${wait} ms: ${e.message}`);
  await job.updateData({ ...(job.data as object), rateLimitDelays: delays });
  await job.moveToDelayed(Date.now() + wait, token);
  return true;
}

function toBullmqError(e: unknown, ctx: JobContext): Error {
  const d = describeError(e);
  const level = ctx.finalAttempt || d.kind === 'permanent' ? 'error' : 'warn';
  ctx.log[level]({ code: d.code, kind: d.kind }, `job failed: ${d.message}`);
  if (isTagflowError(e) && e.kind === 'permanent') return new UnrecoverableError(`${d.code}: ${d.message}`);
  if (e instanceof RateLimitedError) return new Error(`${d.code}: ${d.message} (retry after ${e.retryAfterMs} ms)`);
  return e instanceof Error ? e : new Error(d.message);
}
