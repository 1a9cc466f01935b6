import type { JobContext } from './job-context.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { EventSink } from '../ports/event-sink.ts';
import type { PendingPlan, WriteBackPlans } from '../ports/write-back-plans.ts';
import type { CycleReporter } from './cycle-report.ts';

export interface SettleDeps {
  plans: WriteBackPlans;
  audit: AuditLog;
  report: CycleReporter;
  events(controlPlane: string): EventSink | undefined;
}

/** The pull/merge request a git write-back proposed its change in. */
export interface ProposedIn {
  number: number;
  url: string;
}

/** How one plan's write-back ended: written (with where), nothing to write, or failed. */
export type WriteBackResult =
  | { kind: 'written'; commitSha?: string; resourceVersion?: string; pullRequest?: ProposedIn }
  | { kind: 'unchanged'; resourceVersion?: string; pullRequest?: ProposedIn }
  | { kind: 'failed'; code: string; message: string };

const WORDS = {
  git: { written: 'committed', unchanged: 'already-in-git', unchangedText: 'git already holds this change' },
  argocd: { written: 'patched', unchanged: 'already-set', unchangedText: 'already set in the live spec' },
} as const;

/**
 * The one place a write-back ends: settle the plan (unless a newer one replaced it: that one is
 * written by the next job) and the app in every cycle waiting on it, audit each change, send the
 * ImagesUpdated event, and log the results line of cycles that ended with it.
 */
export async function settleWriteBack(
  deps: SettleDeps,
  ctx: JobContext,
  group: string,
  p: PendingPlan,
  r: WriteBackResult,
): Promise<void> {
  const counters =
    r.kind === 'failed'
      ? { updated: 0, errors: 1 }
      : { updated: r.kind === 'written' ? p.plan.changes.length : 0, errors: 0 };
  const settled = await deps.plans.settle(group, p.app, p.id, counters);
  if (!settled.acked) return;
  const words = WORDS[p.plan.method];
  const where =
    r.kind === 'written' ? (r.commitSha ? ` as ${r.commitSha}` : ` (resourceVersion ${r.resourceVersion})`) : '';
  const proposed = r.kind !== 'failed' ? r.pullRequest : undefined;
  const inPr = proposed ? ` in pull request #${proposed.number} ${proposed.url}` : '';
  await deps.audit.appendMany(
    p.plan.changes.map((c) => ({
      at: Date.now(),
      kind: 'write-back' as const,
      app: p.app,
      jobId: ctx.jobId,
      queue: ctx.queue,
      attempt: ctx.attempt,
      cycles: settled.cycles,
      image: c.fullName,
      alias: c.alias,
      current: c.oldTag,
      selected: c.newTag,
      outcome:
        r.kind === 'failed' ? ('failed' as const) : r.kind === 'written' ? ('updated' as const) : ('noop' as const),
      reason: r.kind === 'failed' ? r.code : r.kind === 'written' ? words.written : words.unchanged,
      message:
        r.kind === 'failed'
          ? r.message
          : r.kind === 'written'
            ? `${words.written} ${c.fullName}:${c.newTag}${where}${inPr}`
            : `${words.unchangedText}${inPr}`,
      commitSha: r.kind === 'written' ? r.commitSha : undefined,
      resourceVersion: r.kind === 'failed' ? undefined : r.resourceVersion,
      ...(proposed ? { pullRequest: proposed } : {}),
      ...(p.plan.updater ? { detail: { updater: `${p.plan.updater.namespace}/${p.plan.updater.name}` } } : {}),
    })),
  );
  const events = deps.events(p.plan.app.cluster);
  if (r.kind === 'written' && events) {
    await events.imagesUpdated(
      { ...p.plan.app, uid: p.plan.appUid },
      p.plan.changes.map((c) => ({
        fullImageName: c.fullName,
        imageName: c.image,
        oldTag: c.oldTag,
        newTag: c.newTag,
      })),
    );
  }
  await deps.report(ctx.log, settled.finished);
}
