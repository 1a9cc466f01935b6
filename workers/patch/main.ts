import type { Runtime } from '../../apps/cli/runtime.ts';
import { handlePatch } from './handle-patch.ts';

/** Composition root of the patch pool (queue "patch", the argocd write-back method). */
export function patchHandler(rt: Runtime) {
  return handlePatch({ store: rt.applications, plans: rt.plans, cycles: rt.cycles, audit: rt.audit, report: rt.report, events: rt.events });
}
