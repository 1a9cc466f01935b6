import type { JobContext, JobHandler } from '../../shared/jobs/job-context.ts';
import { describeError } from '../../shared/errors.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import { enqueueCommit, enqueuePatch } from '../../shared/jobs/enqueue.ts';
import { CommitJobSchema, parseAppKey, type SelectJob } from '../../shared/jobs/payloads.ts';
import type { AuditLog, AuditRecord } from '../../shared/ports/audit-log.ts';
import type { CheckResult, CycleLedger } from '../../shared/ports/cycle-ledger.ts';
import type { EventSink } from '../../shared/ports/event-sink.ts';
import type { FleetIndex } from '../../shared/ports/fleet-index.ts';
import type { JobSink } from '../../shared/jobs/job-sink.ts';
import type { TagSnapshotStore } from '../../shared/ports/tag-snapshots.ts';
import { checkApp, type CheckSettings } from './check-app.ts';

export interface SelectDeps {
  index: Pick<FleetIndex, 'getMany'>;
  snapshots: Pick<TagSnapshotStore, 'getMany'>;
  ledger: Pick<CycleLedger, 'nextCheckSeq' | 'checksDone' | 'stepResult'>;
  audit: AuditLog;
  sink: JobSink;
  report: CycleReporter;
  /** The Event sink of a control plane (undefined: events disabled or unknown here). */
  events(controlPlane: string): EventSink | undefined;
  settings: CheckSettings;
}

type Stored = { batches?: unknown; patches?: unknown };

/**
 * Checks a batch of apps: which tag each image should run, and why, from the fleet index and the
 * tag snapshots (no Kubernetes or registry request). Every app's result, its write-back plan and
 * its cycles are recorded in one ledger step; then the write-back jobs are enqueued (a git batch
 * once every app of its cycles was checked). A retried job whose step was recorded only enqueues.
 * Never writes anything back itself.
 */
export function handleSelect(deps: SelectDeps): JobHandler<SelectJob> {
  const step = (ctx: JobContext) => `check:${ctx.jobId}`;

  async function followUps(stored: Stored) {
    const patches = Array.isArray(stored.patches) ? (stored.patches as string[]) : [];
    const batches = Array.isArray(stored.batches) ? (stored.batches as string[]) : [];
    for (const app of patches) await enqueuePatch(deps.sink, parseAppKey(app));
    for (const raw of batches) await enqueueCommit(deps.sink, CommitJobSchema.parse(JSON.parse(raw)));
  }

  return {
    async run(job, ctx) {
      const done = ctx.resumed ? await deps.ledger.stepResult<Stored>(step(ctx)) : null;
      if (done) return void (await followUps(done));
      const seq = await deps.ledger.nextCheckSeq();
      const entries = await deps.index.getMany(job.apps);
      const repos = [
        ...new Set([...entries.values()].flatMap((e) => ('tracked' in e ? e.tracked.map((t) => t.repoKey) : []))),
      ];
      const snapshots = await deps.snapshots.getMany(repos);
      const results: CheckResult[] = [];
      const audit: AuditRecord[] = [];
      const patches: string[] = [];
      const stamp = (app: string) => ({
        at: Date.now(),
        app,
        jobId: ctx.jobId,
        queue: ctx.queue,
        attempt: ctx.attempt,
        trigger: job.trigger,
      });
      for (const app of job.apps) {
        const entry = entries.get(app);
        if (!entry) {
          // deleted or no longer tracked: its cycles are settled with nothing to count
          results.push({ app, considered: 0, skipped: 0, errors: 0, dryUpdates: 0, failed: false });
          continue;
        }
        if ('corrupt' in entry) {
          results.push(failedCheck(app, new Error(entry.corrupt), ctx.log.child({ app }), audit, stamp(app)));
          continue;
        }
        const log = ctx.log.child({
          application: entry.ref.name,
          namespace: entry.ref.namespace,
          controlPlane: entry.ref.cluster,
        });
        try {
          const c = checkApp(entry, snapshots, seq, deps.settings);
          for (const l of c.logs) log[l.level](l.fields, l.msg);
          audit.push(...c.audit.map((r) => ({ ...stamp(app), ...r })));
          for (const w of c.warnings)
            await deps
              .events(entry.ref.cluster)
              ?.warning({ ...entry.ref, uid: entry.app.metadata.uid }, 'InvalidConfiguration', w);
          results.push(c.result);
          if (c.plan?.method === 'argocd') patches.push(app);
        } catch (e) {
          results.push(failedCheck(app, e, log, audit, stamp(app)));
        }
      }
      await deps.audit.appendMany(audit);
      const out = await deps.ledger.checksDone(step(ctx), seq, deps.settings.dryRun, results, patches);
      await followUps({ batches: out.batches, patches });
      await deps.report(ctx.log, out.finished);
      return { checked: job.apps.length, planned: results.filter((r) => r.plan).length };
    },

    async onFinalFailure(job, ctx, error) {
      if (await deps.ledger.stepResult(step(ctx))) return;
      ctx.log.error(
        { code: error.code, applications: job.apps.length },
        `could not check the applications: ${error.message}`,
      );
      const results = job.apps.map((app) => ({
        app,
        considered: 0,
        skipped: 0,
        errors: 1,
        dryUpdates: 0,
        failed: true,
      }));
      await deps.audit.appendMany(
        job.apps.map((app) => ({
          at: Date.now(),
          app,
          kind: 'select' as const,
          jobId: ctx.jobId,
          queue: ctx.queue,
          attempt: ctx.attempt,
          outcome: 'failed' as const,
          reason: error.code,
          message: error.message,
        })),
      );
      const out = await deps.ledger.checksDone(
        step(ctx),
        await deps.ledger.nextCheckSeq(),
        deps.settings.dryRun,
        results,
      );
      await followUps({ batches: out.batches });
      await deps.report(ctx.log, out.finished);
    },
  };
}

/** One app whose check threw (a bug or corrupt state): an error for it alone, the batch goes on. */
function failedCheck(
  app: string,
  e: unknown,
  log: JobContext['log'],
  audit: AuditRecord[],
  stamp: Omit<AuditRecord, 'kind' | 'outcome' | 'reason' | 'message'>,
): CheckResult {
  const err = describeError(e);
  log.error({ code: err.code }, `could not evaluate the application: ${err.message}`);
  audit.push({ ...stamp, kind: 'select', outcome: 'failed', reason: err.code, message: err.message });
  return { app, considered: 0, skipped: 0, errors: 1, dryUpdates: 0, failed: true };
}
