import type { Runtime } from '../../apps/cli/runtime.ts';
import { handleSelect } from './handle-select.ts';

/** Composition root of the select pool (queue "select"). */
export function selectHandler(rt: Runtime) {
  return handleSelect({
    apps: rt.apps,
    snapshots: rt.snapshots,
    endpoints: rt.endpoints,
    audit: rt.audit,
    cycles: rt.cycles,
    plans: rt.plans,
    sink: rt.sink,
    report: rt.report,
    events: rt.events,
    settings: { dryRun: rt.config.dryRun, defaultPlatforms: rt.config.defaultPlatforms },
  });
}
