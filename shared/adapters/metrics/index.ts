import type { Redis } from 'ioredis';
import type { JobSink } from '../../jobs/job-sink.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { Keys } from '../redis/keys.ts';
import { RedisFleetMetrics } from './fleet-state.ts';
import { createPromMetrics } from './prom-metrics.ts';

export { RedisFleetMetrics } from './fleet-state.ts';
export { createPromMetrics } from './prom-metrics.ts';

/** The process's metrics: prom-client series, queue depths from the sink, fleet gauges from Redis. */
export function createMetrics(d: {
  redis: Redis;
  keys: Keys;
  sink: Pick<JobSink, 'counts'>;
  log: Logger;
  processMetrics?: boolean;
}): Metrics {
  const fleet = new RedisFleetMetrics(d.redis, d.keys);
  return createPromMetrics({
    queueCounts: () => d.sink.counts(),
    fleet: () => fleet.read(),
    recordFullCycle: (s) => fleet.recordFullCycle(s),
    log: d.log,
    ...(d.processMetrics !== undefined ? { processMetrics: d.processMetrics } : {}),
  });
}
