import type { JobContext } from './job-context.ts';
import type { WriteBackPlan } from '../domain/plan/write-back-plan.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { CycleTracker } from '../ports/cycle-tracker.ts';
import type { EventSink } from '../ports/event-sink.ts';
import type { PendingPlan, PlanStore } from '../ports/plan-store.ts';
import type { CycleReporter } from './cycle-report.ts';

export interface SettleDeps {
  plans: PlanStore;
  cycles: CycleTracker;
  audit: AuditLog;
  report: CycleReporter;
  events?: EventSink;
}

/** How one plan's write-back ended: written (with where), nothing to write, or failed. */
export type WriteBackResult =
  | { kind: 'written'; commitSha?: string; resourceVersion?: string }
  | { kind: 'unchanged'; resourceVersion?: string }
  | { kind: 'failed'; code: string; message: string };

const WORDS = {
  git: { written: 'committed', unchanged: 'already-in-git', unchangedText: 'git already holds this change' },
  argocd: { written: 'patched', unchanged: 'already-set', unchangedText: 'already set in the live spec' },
} as const;

/**
 * The one place a write-back ends: acknowledge the plan (unless a newer one replaced it), audit each
 * change, send the ImagesUpdated event, and settle the app in every cycle waiting on it.
 */
export async function settleWriteBack(deps: SettleDeps, ctx: JobContext, group: string, p: PendingPlan<WriteBackPlan>, r: WriteBackResult): Promise<void> {
  const cycles = await deps.plans.ack(group, p.app, p.id);
  if (cycles === null) return; // a newer plan replaced this one; the next job applies it
  const words = WORDS[p.plan.method];
  const where = r.kind === 'written' ? (r.commitSha ? ` as ${r.commitSha}` : ` (resourceVersion ${r.resourceVersion})`) : '';
  await deps.audit.appendMany(
    p.plan.changes.map((c) => ({
      at: Date.now(),
      kind: 'write-back' as const,
      app: p.app,
      jobId: ctx.jobId,
      queue: ctx.queue,
      attempt: ctx.attempt,
      cycles,
      image: c.fullName,
      alias: c.alias,
      current: c.oldTag,
      selected: c.newTag,
      outcome: r.kind === 'failed' ? ('failed' as const) : r.kind === 'written' ? ('updated' as const) : ('noop' as const),
      reason: r.kind === 'failed' ? r.code : r.kind === 'written' ? words.written : words.unchanged,
      message: r.kind === 'failed' ? r.message : r.kind === 'written' ? `${words.written} ${c.fullName}:${c.newTag}${where}` : words.unchangedText,
      commitSha: r.kind === 'written' ? r.commitSha : undefined,
      resourceVersion: r.kind === 'failed' ? undefined : r.resourceVersion,
    })),
  );
  if (r.kind === 'written' && deps.events) {
    const app = { ...p.plan.app, uid: p.plan.appUid };
    await deps.events.imagesUpdated(app, p.plan.changes.map((c) => ({ fullImageName: c.fullName, imageName: c.image, oldTag: c.oldTag, newTag: c.newTag })));
  }
  const counters = r.kind === 'failed' ? { errors: 1 } : { images_updated: r.kind === 'written' ? p.plan.changes.length : 0 };
  await deps.report(ctx.log, await deps.cycles.appDone(cycles, counters));
}
