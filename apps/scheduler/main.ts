import type { Runtime } from '../cli/runtime.ts';
import { handleCycle } from './run-cycle.ts';

/** Composition root of the scheduler role: the cycle handler and the periodic tick. */
export function schedulerHandler(rt: Runtime) {
  return handleCycle({
    store: rt.applications(rt.cluster),
    endpoints: rt.endpoints,
    apps: rt.apps,
    cycles: rt.cycles,
    sink: rt.sink,
    report: rt.report,
    settings: {
      cluster: rt.cluster,
      namespace: rt.argocdNamespace,
      nameGlobs: rt.config.matchApplicationName,
      labelSelector: rt.config.matchApplicationLabel,
    },
  });
}

/** One BullMQ job scheduler per Redis: every scheduler replica upserts the same one, so ticks never double. */
export async function scheduleTicks(rt: Runtime): Promise<void> {
  await rt.sink.queues.cycle.upsertJobScheduler(
    'tick',
    { every: rt.config.intervalMs, immediately: true },
    { name: 'tick', data: { trigger: 'interval' }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  );
}
