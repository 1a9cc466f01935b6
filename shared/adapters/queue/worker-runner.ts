import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { ZodType } from 'zod';
import type { Logger } from '../../logging/logger.ts';
import { describeError, RateLimitedError } from '../../errors.ts';
import { WORKER_LOCKS, workerLocks, type QueueName } from '../../jobs/queues.ts';
import { connectionOptions } from '../redis/connection.ts';
import type { JobContext, JobHandler } from '../../jobs/job-context.ts';
import type { Metrics } from '../../ports/metrics.ts';

export type { JobContext, JobHandler };

/** The lock and stall-check durations, with the crash tests' environment override (read once). */
const LOCKS = workerLocks(process.env);

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  log: Logger;
  lockMs?: number;
  stalledIntervalMs?: number;
  /** This process's identity, recorded on every job it processes (`processedBy`). */
  name?: string;
  /** Job durations and failures per queue (none: not recorded). */
  metrics?: Pick<Metrics, 'jobFinished'>;
}

/**
 * Runs one pool: validates each payload at the boundary, gives the handler a per-job logger, and
 * maps tagflow's error classes to BullMQ behaviour in this one place:
 * permanent → no retry; transient and conflict → retry with the queue's backoff;
 * rate-limited → retry no sooner than the remote asked, without spending an attempt.
 * When a job fails for good (permanent error or last attempt), the handler's `onFinalFailure` runs
 * once before the job is marked failed, so the handler settles what the job owed (its apps, its
 * cycle) without catching errors itself.
 */
export function startWorker<T>(queue: QueueName, schema: ZodType<T>, handler: JobHandler<T>, o: WorkerOptions): Worker {
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
        resumed:
          attempt > 1 ||
          (job.attemptsStarted ?? 0) > 1 ||
          Number((job.data as { rateLimitDelays?: number }).rateLimitDelays ?? 0) > 0 ||
          Number((job.data as { budgetDelays?: number }).budgetDelays ?? 0) > 0,
        log: o.log.child({ queue, jobId: job.id, attempt }),
      };
      const started = Date.now();
      const took = () => Date.now() - started;
      try {
        const out = await handler.run(parsed.data, ctx);
        o.metrics?.jobFinished(queue, took(), 'completed');
        return out;
      } catch (e) {
        if (e instanceof RateLimitedError && token && (await postpone(job, token, e, ctx))) {
          o.metrics?.jobFinished(queue, took(), 'delayed', 'rate-limited');
          throw new DelayedError();
        }
        const d = describeError(e);
        const final = ctx.finalAttempt || d.kind === 'permanent' || e instanceof RateLimitedError;
        if (final && handler.onFinalFailure) await settleFinal(handler, parsed.data, ctx, d);
        o.metrics?.jobFinished(queue, took(), final ? 'failed' : 'retried', d.kind);
        throw toBullmqError(e, ctx, final);
      }
    },
    {
      connection: connectionOptions(o.redisUrl),
      prefix: o.prefix,
      concurrency: o.concurrency,
      ...(o.name ? { name: o.name } : {}),
      lockDuration: o.lockMs ?? LOCKS.lockMs,
      stalledInterval: o.stalledIntervalMs ?? LOCKS.stalledIntervalMs,
      maxStalledCount: WORKER_LOCKS.maxStalled,
    },
  );
  worker.on('error', (err) => o.log.error({ queue, err: describeError(err) }, 'worker error'));
  worker.on('failed', (job) => void settleStalled(queue, schema, handler, o, job));
  return worker;
}

/**
 * A job whose processes died more than `maxStalled` times is failed by BullMQ itself (the worker
 * that picks it up next fails it with the stall script's deferred failure) without running the
 * handler: that worker settles what the job owed, as for any other final failure, so its apps and
 * cycles do not wait for the cycle timeout.
 */
async function settleStalled<T>(
  queue: QueueName,
  schema: ZodType<T>,
  handler: JobHandler<T>,
  o: WorkerOptions,
  job: Job | undefined,
): Promise<void> {
  if (!job?.deferredFailure || !handler.onFinalFailure) return;
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) return;
  // the failure that was just recorded counts as an attempt already
  const attempt = Math.max(1, job.attemptsMade);
  const ctx: JobContext = {
    jobId: job.id ?? '?',
    queue,
    attempt,
    finalAttempt: true,
    resumed: true,
    log: o.log.child({ queue, jobId: job.id, attempt }),
  };
  const error = {
    code: 'job.stalled',
    kind: 'permanent' as const,
    message: `its worker process died ${WORKER_LOCKS.maxStalled} times while running it (${job.deferredFailure})`,
  };
  ctx.log.error({ code: error.code }, `job failed: ${error.message}`);
  o.metrics?.jobFinished(queue, 0, 'failed', 'permanent');
  await settleFinal(handler, parsed.data, ctx, error);
}

/** onFinalFailure, retried a few times: a failure to settle would leave a cycle without its results line. */
async function settleFinal<T>(
  handler: JobHandler<T>,
  data: T,
  ctx: JobContext,
  error: ReturnType<typeof describeError>,
): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await handler.onFinalFailure!(data, ctx, error);
    } catch (e) {
      if (i >= 4)
        return void ctx.log.error(
          { code: describeError(e).code },
          `could not settle the failed job: ${describeError(e).message}`,
        );
      await new Promise((r) => setTimeout(r, 200 * 2 ** i));
    }
  }
}

/** How often one job may be put off by a registry's 429 before it counts as a failed attempt. */
export const MAX_RATE_LIMIT_DELAYS = 20;
/**
 * A job stepping aside for its registry's request budget (code `registry.budget`) is not the
 * registry refusing it: counted apart, with a bound only against a budget that never frees up.
 */
export const MAX_BUDGET_DELAYS = 10_000;
const MAX_DELAY_MS = 10 * 60_000;

/**
 * A rate-limited job waits as long as the remote asked, without spending an attempt and without
 * holding up the pool (other registries' jobs go on). Bounded, so a registry that answers 429
 * forever still ends in a failure the cycle can report.
 */
async function postpone(job: Job, token: string, e: RateLimitedError, ctx: JobContext): Promise<boolean> {
  const budget = e.code === 'registry.budget';
  const field = budget ? 'budgetDelays' : 'rateLimitDelays';
  const delays = Number((job.data as Record<string, unknown>)[field] ?? 0) + 1;
  if (delays > (budget ? MAX_BUDGET_DELAYS : MAX_RATE_LIMIT_DELAYS)) return false;
  const wait = Math.min(Math.max(e.retryAfterMs, 50), MAX_DELAY_MS);
  if (budget) ctx.log.debug({ code: e.code, retryAfterMs: wait, delays }, e.message);
  else ctx.log.warn({ code: e.code, retryAfterMs: wait, delays }, `rate limited, retrying in ${wait} ms: ${e.message}`);
  await job.updateData({ ...(job.data as object), [field]: delays });
  await job.moveToDelayed(Date.now() + wait, token);
  return true;
}

function toBullmqError(e: unknown, ctx: JobContext, final: boolean): Error {
  const d = describeError(e);
  ctx.log[final ? 'error' : 'warn']({ code: d.code, kind: d.kind }, `job failed: ${d.message}`);
  // settled (onFinalFailure ran): never retried, whatever BullMQ's attempt count says
  if (final) return new UnrecoverableError(`${d.code}: ${d.message}`);
  return e instanceof Error ? e : new Error(d.message);
}
