import { randomUUID } from 'node:crypto';
import type { JobContext } from '../../shared/adapters/queue/worker-runner.ts';
import { readWriteBackConfig } from '../../shared/domain/annotations/index.ts';
import { evaluateApp, type AppEvaluation } from '../../shared/domain/plan/evaluate-app.ts';
import { trackedImages } from '../../shared/domain/plan/tracked-images.ts';
import { planWriteBack } from '../../shared/domain/plan/plan-write-back.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/index.ts';
import { commitGroup, enqueueCommit, enqueuePatch, patchGroup } from '../../shared/jobs/enqueue.ts';
import { appKey, type SelectJob } from '../../shared/jobs/payloads.ts';
import type { AppIndex } from '../../shared/ports/app-index.ts';
import type { AuditLog, AuditRecord } from '../../shared/ports/audit-log.ts';
import type { CycleTracker } from '../../shared/ports/cycle-tracker.ts';
import type { JobSink } from '../../shared/ports/job-sink.ts';
import type { PlanStore } from '../../shared/ports/plan-store.ts';
import type { TagSnapshotStore } from '../../shared/ports/tag-snapshots.ts';
import type { CycleReporter } from '../../shared/jobs/cycle-report.ts';

export interface SelectDeps {
  apps: AppIndex;
  snapshots: TagSnapshotStore;
  endpoints: () => readonly RegistryEndpoint[];
  audit: AuditLog;
  cycles: CycleTracker;
  plans: PlanStore;
  sink: JobSink;
  report: CycleReporter;
  settings: { dryRun: boolean; defaultPlatforms: readonly string[] };
}

/**
 * Decides, for one app, which tag each image should run, records why, and hands a non-empty
 * plan to the write-back queue of the app's method. Never writes anything itself.
 */
export function handleSelect(deps: SelectDeps) {
  return async (job: SelectJob, ctx: JobContext) => {
    const key = appKey(job.app);
    const log = ctx.log.child({ application: job.app.name, namespace: job.app.namespace });
    const application = await deps.apps.get(key);
    if (!application) {
      await deps.report(log, await deps.cycles.appDone(await deps.cycles.takeAppWaiters(key), {}));
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

    const cycles = await deps.cycles.takeAppWaiters(key);
    const counters = { ...ev.counters, errors: ev.counters.errors + wb.problems.filter((p) => p.severity === 'error').length };
    const plan = ev.changes.length > 0 && wb.config ? planWriteBack(application, job.app, ev, wb.config) : null;
    if (ev.changes.length > 0 && !plan) counters.errors++;
    if (!plan || deps.settings.dryRun) {
      const updated = plan && deps.settings.dryRun ? ev.changes.length : 0;
      await deps.report(log, await deps.cycles.appDone(cycles, { ...counters, images_updated: updated }));
      return { outcome: plan ? 'dry-run' : 'no-change', changes: ev.changes.length };
    }
    await deps.cycles.add(cycles, counters);
    const group = plan.method === 'git' ? commitGroup(plan.git!.repoUrl, plan.git!.branch) : patchGroup(job.app);
    await deps.plans.put(group, { id: randomUUID(), app: key, cycles, plan });
    if (plan.method === 'git') await enqueueCommit(deps.sink, plan.git!.repoUrl, plan.git!.branch);
    else await enqueuePatch(deps.sink, job.app);
    return { outcome: 'planned', method: plan.method, changes: ev.changes.length };
  };
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
