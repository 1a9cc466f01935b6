/**
 * The check of one app from its index entry and the snapshots of its repositories: pure, so a batch
 * of apps is checked without a round trip per app. Returns what the ledger records, the audit
 * records, the log lines and the Warning Events to send.
 */
import { randomUUID } from 'node:crypto';
import type { IndexEntry } from '../../shared/domain/fleet/index-entry.ts';
import type { TagSnapshot } from '../../shared/domain/model/tags.ts';
import { evaluateApp, type AppEvaluation } from '../../shared/domain/plan/evaluate-app.ts';
import { planWriteBack } from '../../shared/domain/plan/plan-write-back.ts';
import type { WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { commitGroup, commitJobOf, patchGroup } from '../../shared/jobs/enqueue.ts';
import type { AuditRecord, PlannedWriteBack } from '../../shared/ports/audit-log.ts';
import type { CheckResult } from '../../shared/ports/cycle-ledger.ts';

export interface CheckSettings {
  dryRun: boolean;
  defaultPlatforms: readonly string[];
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

export interface AppCheck {
  result: CheckResult;
  plan: WriteBackPlan | null;
  audit: Omit<AuditRecord, 'at' | 'app' | 'jobId' | 'queue' | 'attempt'>[];
  logs: LogLine[];
  warnings: string[];
}

export function checkApp(
  entry: IndexEntry,
  snapshots: ReadonlyMap<string, TagSnapshot>,
  seq: number,
  s: CheckSettings,
): AppCheck {
  const ev = evaluateApp({
    application: entry.app,
    images: entry.tracked,
    problems: entry.problems,
    snapshots,
    defaultPlatforms: s.defaultPlatforms,
  });
  const wb = entry.writeBack;
  const plan =
    ev.changes.length > 0 && wb.config
      ? planWriteBack(entry.app, entry.ref, ev, wb.config, entry.updater, wb.pullRequest)
      : null;
  // a dry run records where each change would be written (what `tagflow plan` reports)
  const where = s.dryRun && plan ? writeBackOf(plan) : undefined;
  const notes = [...entry.problems.filter((p) => p.severity === 'warning'), ...wb.problems];
  const logs: LogLine[] = [
    ...notes.map((p) => ({
      level: p.severity === 'error' ? ('error' as const) : ('warn' as const),
      fields: { annotation: p.annotation, value: p.value },
      msg: p.message,
    })),
    // as the anchor: a change or an error at info/error, an image that stays where it is at debug
    ...ev.decisions.map((d) => ({
      level:
        d.outcome === 'error' ? ('error' as const) : d.outcome === 'update' ? ('info' as const) : ('debug' as const),
      fields: { alias: d.alias, image: d.image, reason: d.reason },
      msg: d.message,
    })),
  ];
  const audit = [
    ...notes.map((p) => ({
      kind: 'config' as const,
      alias: p.alias,
      outcome: p.severity === 'error' ? ('invalid' as const) : ('warning' as const),
      reason: 'annotation',
      message: p.message,
    })),
    ...ev.decisions.map((d) => decisionRecord(d, s.dryRun, where)),
  ];
  const warnings = [...entry.problems, ...wb.problems].filter((p) => p.severity === 'error').map((p) => p.message);
  const counters = {
    ...ev.counters,
    errors: ev.counters.errors + wb.problems.filter((p) => p.severity === 'error').length,
  };
  if (ev.changes.length > 0 && !plan) counters.errors++;
  const result: CheckResult = {
    app: entry.key,
    considered: counters.images_considered,
    skipped: counters.images_skipped,
    errors: counters.errors,
    dryUpdates: plan && s.dryRun ? ev.changes.length : 0,
    failed: counters.errors > 0,
  };
  if (plan && !s.dryRun) {
    const id = randomUUID();
    const json = JSON.stringify({ id, app: entry.key, seq, plan });
    if (plan.method === 'git') {
      const job = commitJobOf(plan.git);
      result.plan = { group: commitGroup(job), id, json, batch: JSON.stringify(job) };
    } else {
      result.plan = { group: patchGroup(entry.ref), id, json };
    }
  }
  return { result, plan: s.dryRun ? null : plan, audit, logs, warnings };
}

/** Where a plan writes, without its credentials reference: the method, and the repository, branch, path and target of git. */
export function writeBackOf(plan: WriteBackPlan): PlannedWriteBack {
  if (plan.method === 'argocd') return { method: 'argocd' };
  const { credentials: _, pullRequest, ...at } = plan.git;
  return { method: 'git', ...at, ...(pullRequest ? { pullRequest: pullRequest.provider } : {}) };
}

function decisionRecord(
  d: AppEvaluation['decisions'][number],
  dryRun: boolean,
  writeBack?: PlannedWriteBack,
): AppCheck['audit'][number] {
  const outcome: AuditRecord['outcome'] =
    d.outcome === 'update'
      ? dryRun
        ? 'dry-run'
        : 'planned'
      : d.outcome === 'error'
        ? d.reason === 'invalid-input'
          ? 'invalid'
          : 'failed'
        : d.outcome === 'skipped'
          ? 'skipped'
          : 'noop';
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
    detail:
      s || (writeBack && d.outcome === 'update')
        ? {
            ...(s
              ? {
                  tagsFound: s.tagsFound,
                  afterFilters: s.afterFilters,
                  afterPlatforms: s.afterPlatforms,
                  ranking: s.ranking,
                  warnings: s.warnings,
                }
              : {}),
            ...(writeBack && d.outcome === 'update' ? { writeBack } : {}),
          }
        : undefined,
  };
}
