import type { JobContext, JobHandler } from '../../shared/jobs/job-context.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import { enqueueChecks, enqueueCommit, enqueuePolls } from '../../shared/jobs/enqueue.ts';
import { CommitJobSchema, type CycleJob } from '../../shared/jobs/payloads.ts';
import type { CycleLedger, CycleScope } from '../../shared/ports/cycle-ledger.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { JobSink } from '../../shared/jobs/job-sink.ts';

export interface CycleDeps {
  index: Pick<FleetIndex, 'targets'>;
  ledger: CycleLedger;
  sink: JobSink;
  report: CycleReporter;
  /** `--once`: list every control plane now and store the result in the fleet index. */
  discoverNow(log: JobContext['log']): Promise<void>;
  settings: { dryRun: boolean; fullResyncMs: number; cycleTimeoutMs: number };
}

/**
 * One update cycle, as the scheduler runs it. Discovery is not part of it: the control plane
 * watchers keep the fleet index current (`--once` lists once, here). An interval cycle polls every
 * tracked repository and checks only the apps that changed, failed last time, or use a repository
 * whose snapshot changed (every app on the `--full-resync` period); a change cycle checks the
 * changed apps now. The scheduler itself never polls or checks: it enqueues, and the ledger lets
 * the registry and select workers release the rest.
 */
export function handleCycle(deps: CycleDeps): JobHandler<CycleJob> {
  return {
    async run(job, ctx) {
      const cycleId = job.cycleId ?? ctx.jobId;
      const scope: CycleScope = job.trigger === 'app-changed' ? 'changes' : 'all';
      if (job.trigger === 'once') await deps.discoverNow(ctx.log);
      const full =
        job.trigger === 'once' ||
        job.full === true ||
        (scope === 'all' && (await deps.ledger.claimFullResync(deps.settings.fullResyncMs)));
      const start = await deps.ledger.start(cycleId, {
        scope,
        full,
        dryRun: deps.settings.dryRun,
        trigger: job.trigger,
      });
      const summary = await deps.ledger.get(cycleId);
      const noun = scope === 'all' ? 'annotated application(s)' : 'changed application(s)';
      const quiet = scope === 'changes' && !summary?.applications;
      ctx.log[quiet ? 'debug' : 'info'](
        { cycle: cycleId, trigger: job.trigger, repositories: start.polls.length, full },
        `Starting image update cycle, considering ${summary?.applications ?? 0} ${noun} for update`,
      );
      const targets = await deps.index.targets(start.polls);
      await enqueuePolls(deps.sink, [...targets.values()], job.trigger);
      // a repository dropped from the index since the cycle started: nothing to poll, release its waiters
      for (const repo of start.polls.filter((r) => !targets.has(r))) {
        const out = await deps.ledger.pollDone(`untracked:${cycleId}:${repo}`, repo, null);
        await enqueueChecks(deps.sink, out.released, job.trigger);
        for (const raw of out.batches) await enqueueCommit(deps.sink, CommitJobSchema.parse(JSON.parse(raw)));
        await deps.report(ctx.log, out.finished);
      }
      await enqueueChecks(deps.sink, start.released, job.trigger);
      await deps.report(ctx.log, start.finished);
      await abortStuckCycles(deps, ctx.log);
      return { repositories: start.polls.length, released: start.released.length, full };
    },

    async onFinalFailure(job, ctx, error) {
      const cycleId = job.cycleId ?? ctx.jobId;
      ctx.log.error({ cycle: cycleId, code: error.code }, `could not run the update cycle: ${error.message}`);
      await deps.report(ctx.log, await deps.ledger.abort(cycleId, { errors: 1, trigger: job.trigger }));
    },
  };
}

/** A cycle still open long after it started lost a job for good (e.g. Redis data loss): end it with an error. */
async function abortStuckCycles(deps: CycleDeps, log: Parameters<CycleReporter>[0]) {
  for (const id of await deps.ledger.stale(Date.now() - deps.settings.cycleTimeoutMs)) {
    log.error(
      { cycle: id },
      `cycle ${id} did not finish within ${Math.round(deps.settings.cycleTimeoutMs / 60_000)} minutes; ending it with an error`,
    );
    await deps.report(log, await deps.ledger.abort(id, { errors: 1, trigger: 'interval' }));
  }
}
