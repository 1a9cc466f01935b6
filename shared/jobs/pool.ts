import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../ports/metrics.ts';

/** What every worker pool's composition root gets besides its ports. */
export interface PoolBase {
  log: Logger;
  settings: { config: Config; owner?: string };
  /** Job durations and failures per queue (none: not recorded). */
  metrics?: Metrics;
}

/** A started worker pool. */
export interface Pool {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/** The runner options of a pool, from the configuration. */
export function poolOptions(s: PoolBase, concurrency: number) {
  return {
    redisUrl: s.settings.config.redisUrl,
    prefix: s.settings.config.queuePrefix,
    log: s.log,
    concurrency,
    ...(s.settings.owner ? { name: s.settings.owner } : {}),
    ...(s.metrics ? { metrics: s.metrics } : {}),
  };
}
