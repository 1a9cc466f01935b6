import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { JOB_SCHEMAS } from '../../shared/jobs/payloads.ts';
import { poolOptions, type Pool, type PoolBase } from '../../shared/jobs/pool.ts';
import { handlePoll, type PollDeps } from './handle-poll.ts';

/** Composition root of the registry pool (queue "poll"). */
export function startRegistryPool(s: PoolBase & PollDeps): Pool {
  return startWorker('poll', JOB_SCHEMAS.poll, handlePoll(s), poolOptions(s, s.settings.config.concurrency.registry));
}
