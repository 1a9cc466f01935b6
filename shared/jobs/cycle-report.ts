import type { Logger } from '../logging/logger.ts';
import type { CycleSummary } from '../ports/cycle-ledger.ts';

/** argocd-image-updater's per-cycle line, verbatim. */
export function processingResultsLine(s: CycleSummary): string {
  return `Processing results: applications=${s.applications} images_considered=${s.images_considered} images_skipped=${s.images_skipped} images_updated=${s.images_updated} errors=${s.errors}`;
}

export type CycleReporter = (log: Logger, finished: readonly CycleSummary[]) => Promise<void>;

/**
 * Logs the results line of each cycle that finished in this process (exactly one process finishes
 * a cycle: the one whose job settled its last app) and tells local listeners.
 */
export function createCycleReporter(
  listeners: Set<(s: CycleSummary) => void> = new Set(),
): CycleReporter & { listeners: typeof listeners } {
  const report = async (log: Logger, finished: readonly CycleSummary[]) => {
    for (const s of finished) {
      // a change cycle that found nothing changed (a burst already covered by the previous one) is not worth a line
      const quiet = s.scope === 'changes' && s.applications === 0;
      log[quiet ? 'debug' : 'info'](
        { cycle: s.cycleId, trigger: s.trigger, durationMs: (s.finishedAt ?? Date.now()) - s.startedAt },
        processingResultsLine(s),
      );
      for (const l of listeners) l(s);
    }
  };
  return Object.assign(report, { listeners });
}
