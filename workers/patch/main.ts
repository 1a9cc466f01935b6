import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { JOB_SCHEMAS } from '../../shared/jobs/payloads.ts';
import { poolOptions, type Pool, type PoolBase } from '../../shared/jobs/pool.ts';
import type { SettleDeps } from '../../shared/jobs/settle-write-back.ts';
import type { ControlPlanes } from '../../shared/ports/control-plane.ts';
import { handlePatch } from './handle-patch.ts';

/** Composition root of the patch pool (queue "patch", the argocd write-back method). */
export function startPatchPool(s: PoolBase & Omit<SettleDeps, 'events'> & { controlPlanes: ControlPlanes }): Pool {
  const handler = handlePatch({
    plans: s.plans,
    audit: s.audit,
    report: s.report,
    events: (cp) => s.controlPlanes.get(cp).events,
    store: (cp) => s.controlPlanes.get(cp).applications,
  });
  return startWorker('patch', JOB_SCHEMAS.patch, handler, poolOptions(s, s.settings.config.concurrency.patch));
}
