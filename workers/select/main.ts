import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { JOB_SCHEMAS } from '../../shared/jobs/payloads.ts';
import { poolOptions, type Pool, type PoolBase } from '../../shared/jobs/pool.ts';
import type { ControlPlanes } from '../../shared/ports/control-plane.ts';
import { handleSelect, type SelectDeps } from './handle-select.ts';

/** Composition root of the select pool (queue "select"). */
export function startSelectPool(
  s: PoolBase & Omit<SelectDeps, 'events' | 'settings'> & { controlPlanes: ControlPlanes },
): Pool {
  const { config } = s.settings;
  const handler = handleSelect({
    ...s,
    events: (cp) => (s.controlPlanes.names.includes(cp) ? s.controlPlanes.get(cp).events : undefined),
    settings: { dryRun: config.dryRun, defaultPlatforms: config.defaultPlatforms },
  });
  return startWorker('select', JOB_SCHEMAS.select, handler, poolOptions(s, config.concurrency.select));
}
