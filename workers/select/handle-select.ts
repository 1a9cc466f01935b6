import { randomUUID } from 'node:crypto';
import type { JobContext } from '../../shared/adapters/queue/worker-runner.ts';
import { readWriteBackConfig } from '../../shared/domain/annotations/index.ts';
import { evaluateApp, type AppEvaluation } from '../../shared/domain/plan/evaluate-app.ts';
import { trackedImages } from '../../shared/domain/plan/tracked-images.ts';
import { planWriteBack } from '../../shared/domain/plan/plan-write-back.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/index.ts';
import { commitGroup, enqueueCommit, enqueuePatch, patchGroup } from '../../shared/jobs/enqueue.ts';
import { appKey, type CommitJob, type SelectJob } from '../../shared/jobs/payloads.ts';
import type { AppIndex } from '../../shared/ports/app-index.ts';
import type { AuditLog, AuditRecord } from '../../shared/ports/audit-log.ts';
import type { CycleTracker } from '../../shared/ports/cycle-tracker.ts';
import type { JobSink } from '../../shared/ports/job-sink.ts';
import type { EventSink } from '../../shared/ports/event-sink.ts';
import type { PlanStore } from '../../shared/ports/plan-store.ts';
import type { TagSnapshotStore } from '../../shared/ports/tag-snapshots.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';
import { describeError } from '../../shared/errors.ts';

export interface SelectDeps {
  apps: AppIndex;
  snapshots: TagSnapshotStore;
  endpoints: () => readonly RegistryEndpoint[];
  audit: AuditLog;
  cycles: CycleTracker;
  plans: PlanStore;
  sink: JobSink;
  report: CycleReporter;
  events?: EventSink;
  settings: { dryRun: boolean; defaultPlatforms: readonly string[] };
}

/**
 * Decides, for one app, which tag each image should run, records why, and hands a non-empty
 * plan to the write-back queue of the app's method. Never writes anything itself.
 * A failure on the last attempt (or once the app's cycles were taken) settles the app with an error
 * so that its cycles still end.
 */
export function handleSelect(deps: SelectDeps) {
  return async (job: SelectJob, ctx: JobContext) => {
    const key = appKey(job.app);
    const log = ctx.log.child({ application: job.app.name, namespace: job.app.namespace });
    const state: SelectState = { released: false };
    try {
      return await selectApp(deps, job, ctx, log, state);
    } catch (e) {
      const err = describeError(e);
      if (!state.cycles && !ctx.finalAttempt && err.kind !== 'permanent') throw e;
      const cycles = state.cycles ?? (await deps.cycles.takeAppWaiters(key));
      log.error({ code: err.code }, `could not evaluate the application: ${err.message}`);
      await deps.audit.append({ at: Date.now(), app: key, kind: 'select', jobId: ctx.jobId, queue: ctx.queue, attempt: ctx.attempt, outcome: 'failed', reason: err.code, message: err.message, cycles });
      await deps.report(log, await deps.cycles.appDone(cycles, { errors: 1 }));
      if (!state.released) await selectDone(deps, cycles);
      return { outcome: 'failed', code: err.code };
    }
  };
}

interface SelectState {
  /** The cycles taken from the app's waiters: from then on a failure settles them instead of retrying. */
  cycles?: string[];
  released: boolean;
}

async function selectApp(deps: SelectDeps, job: SelectJob, ctx: JobContext, log: JobContext['log'], state: SelectState) {
  const key = appKey(job.app);
  const application = await deps.apps.get(key);
  if (!application) {
    const cycles = (state.cycles = await deps.cycles.takeAppWaiters(key));
    await deps.report(log, await deps.cycles.appDone(cycles, {}));
    await selectDone(deps, cycles, undefined, state);
    return { outcome: 'gone' };
  }
  const annotations = application.metadata.annotations;
  const { images, problems } = trackedImages(annotations, deps.endpoints());
  const snapshots = await deps.snapshots.getMany(images.map((i) => i.repoKey));
  const ev = evaluateApp({ application, images, problems, snapshots, defaultPlatforms: deps.settings.defaultPlatforms });
  const wb = readWriteBackConfig(annotations);
  const audit = (extra: Omit<AuditRecord, 'at' | 'app'>): AuditRecord => ({ at: Date.now(), app: key, jobId: ctx.jobId, queue: ctx.queue, attempt: ctx.attempt, ...extra });
  const notes = [...problems.filter((p) => p.severity === 'warning'), ...wb.problems];
  for (const p of notes) log[p.severity === 'error' ? 'error' : 'warn']({ annotation: p.annotation, value: p.value }, p.message);
  for (const d of ev.decisions) log[d.outcome === 'error' ? 'error' : 'info']({ alias: d.alias, image: d.image, reason: d.reason }, d.message);
  await deps.audit.appendMany([
    ...notes.map((p) => audit({ kind: 'config', alias: p.alias, outcome: p.severity === 'error' ? 'invalid' : 'warning', reason: 'annotation', message: p.message })),
    ...ev.decisions.map((d) => audit(decisionRecord(d, deps.settings.dryRun))),
  ]);
  for (const p of [...problems, ...wb.problems].filter((p) => p.severity === 'error')) {
    await deps.events?.warning({ ...job.app, uid: application.metadata.uid }, 'InvalidConfiguration', p.message);
  }

  const cycles = (state.cycles = await deps.cycles.takeAppWaiters(key));
  const counters = { ...ev.counters, errors: ev.counters.errors + wb.problems.filter((p) => p.severity === 'error').length };
  const plan = ev.changes.length > 0 && wb.config ? planWriteBack(application, job.app, ev, wb.config) : null;
  if (ev.changes.length > 0 && !plan) counters.errors++;
  if (!plan || deps.settings.dryRun) {
    const updated = plan && deps.settings.dryRun ? ev.changes.length : 0;
    await deps.report(log, await deps.cycles.appDone(cycles, { ...counters, images_updated: updated }));
    await selectDone(deps, cycles, undefined, state);
    return { outcome: plan ? 'dry-run' : 'no-change', changes: ev.changes.length };
  }
  await deps.cycles.add(cycles, counters);
  const commit: CommitJob | undefined = plan.method === 'git' ? { repoUrl: plan.git.repoUrl, branch: plan.git.branch, writeBranch: plan.git.writeBranch } : undefined;
  const group = commit ? commitGroup(commit) : patchGroup(job.app);
  await deps.plans.put(group, { id: randomUUID(), app: key, cycles, plan });
  if (commit) {
    await selectDone(deps, cycles, commit, state);
  } else {
    await enqueuePatch(deps.sink, job.app);
    await selectDone(deps, cycles, undefined, state);
  }
  return { outcome: 'planned', method: plan.method, changes: ev.changes.length };
}

/**
 * Tells the cycles this app was selected; enqueues the commit jobs that are released now: a cycle's
 * commits wait for its last select, so apps sharing a repository branch are batched in one commit.
 */
async function selectDone(deps: SelectDeps, cycles: string[], commit?: CommitJob, state?: SelectState) {
  const released = await deps.cycles.selected(cycles, commit ? JSON.stringify(commit) : undefined);
  if (state) state.released = true;
  for (const raw of released) {
    await enqueueCommit(deps.sink, JSON.parse(raw) as CommitJob);
  }
}

function decisionRecord(d: AppEvaluation['decisions'][number], dryRun: boolean): Omit<AuditRecord, 'at' | 'app'> {
  const outcome: AuditRecord['outcome'] = d.outcome === 'update' ? (dryRun ? 'dry-run' : 'planned') : d.outcome === 'error' ? (d.reason === 'invalid-input' ? 'invalid' : 'failed') : d.outcome === 'skipped' ? 'skipped' : 'noop';
  const s = d.selection;
  return {
    kind: 'select',
    image: d.image,
    alias: d.alias,
    current: d.current ?? undefined,
    selected: d.selected ?? undefined,
    outcome,
    reason: d.reason,
    message: d.message,
    detail: s ? { tagsFound: s.tagsFound, afterFilters: s.afterFilters, afterPlatforms: s.afterPlatforms, ranking: s.ranking, warnings: s.warnings } : undefined,
  };
}
