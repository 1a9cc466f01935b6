import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { requestChangeCycle } from '../../shared/jobs/enqueue.ts';
import { JOB_SCHEMAS } from '../../shared/jobs/payloads.ts';
import { poolOptions, type Pool, type PoolBase } from '../../shared/jobs/pool.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import type { ControlPlanes } from '../../shared/ports/control-plane.ts';
import type { CycleLedger } from '../../shared/ports/cycle-ledger.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { AuditLog } from '../../shared/ports/audit-log.ts';
import type { JobSink } from '../../shared/jobs/job-sink.ts';
import type { Leases } from '../../shared/ports/leases.ts';
import { ControlPlaneWatcher } from './control-plane-watcher.ts';
import { discoverOnce } from './discover-once.ts';
import { handleCycle } from './run-cycle.ts';
import { coordinateWatchers, type Coordinator } from './watch-coordinator.ts';

export { writeStatusesOnce } from './updater-status.ts';

export interface SchedulerDeps extends PoolBase {
  index: FleetIndex;
  audit: AuditLog;
  ledger: CycleLedger;
  sink: JobSink;
  report: CycleReporter;
  leases: Leases;
  controlPlanes: ControlPlanes;
  settings: PoolBase['settings'] & { owner: string; nameMatches(name: string): boolean };
}

export interface SchedulerRole {
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Composition root of the scheduler role: the cycle pool (one cycle at a time per process), the
 * watchers of the control planes whose leases this process holds, and the periodic tick (one
 * schedule per Redis, whichever replica upserts it), set once discovery has settled so the first
 * interval cycle sees the whole fleet.
 */
export async function startScheduler(s: SchedulerDeps): Promise<SchedulerRole> {
  const { config } = s.settings;
  const filters = { nameMatches: s.settings.nameMatches };
  const labelSelector = config.matchApplicationLabel;
  const pool = startWorker(
    'cycle',
    JOB_SCHEMAS.cycle,
    handleCycle({
      index: s.index,
      ledger: s.ledger,
      sink: s.sink,
      report: s.report,
      discoverNow: (log) =>
        discoverOnce({ controlPlanes: s.controlPlanes, index: s.index, log, filters, labelSelector }),
      settings: { dryRun: config.dryRun, fullResyncMs: config.fullResyncMs, cycleTimeoutMs: config.cycleTimeoutMs },
    }),
    poolOptions(s, 1),
  );
  let coordinator: Coordinator | undefined;
  if (!config.once) {
    coordinator = coordinateWatchers({
      controlPlanes: s.controlPlanes,
      leases: s.leases,
      owner: s.settings.owner,
      leaseMs: config.leaseMs,
      log: s.log,
      makeWatcher: (cp) =>
        new ControlPlaneWatcher(cp, {
          index: s.index,
          ledger: s.ledger,
          audit: s.audit,
          requestChangeCycle: () => requestChangeCycle(s.sink),
          log: s.log,
          filters,
          labelSelector,
        }),
    });
    if (config.intervalMs > 0) {
      void coordinator
        .settled(30_000)
        .then(() => s.sink.repeat('cycle', 'tick', config.intervalMs, 'tick', { trigger: 'interval' }))
        .catch((e: unknown) => s.log.error({ err: String(e) }, 'could not schedule the update cycles'));
    }
  }
  return {
    pool,
    async close() {
      await coordinator?.stop();
      await pool.close();
    },
  };
}
