import type { Runtime } from '../../apps/cli/runtime.ts';
import { handlePoll } from './handle-poll.ts';

/** Composition root of the registry pool (queue "poll"). */
export function registryHandler(rt: Runtime) {
  return handlePoll({
    clientFor: rt.registryClient,
    withMetadata: rt.withMetadata,
    snapshots: rt.snapshots,
    cycles: rt.cycles,
    apps: rt.apps,
    sink: rt.sink,
  });
}
