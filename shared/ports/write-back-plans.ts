import type { WriteBackPlan } from '../domain/plan/write-back-plan.ts';
import type { CycleSummary } from './cycle-ledger.ts';

/**
 * A pending write-back plan. Plans are grouped by where they are written (one Application for the
 * argocd method, one repository branch for git); a newer plan for an app replaces the older one
 * (desired state, latest check wins) and inherits the cycles waiting on it.
 */
export interface PendingPlan {
  id: string;
  app: string;
  /** The check that made it (later checks win). */
  seq: number;
  plan: WriteBackPlan;
  /**
   * Set once the plan was written (commit SHA, resourceVersion) but not yet settled: a job retried
   * after a crash in between reports the write instead of a no-op.
   */
  written?: string;
}

/** Plans are put by the check that makes them (`CycleLedger.checksDone`) and taken here. */
export interface WriteBackPlans {
  list(group: string): Promise<PendingPlan[]>;
  /** Records that this plan (if still the app's current one) was written as `ref`. */
  markWritten(group: string, app: string, id: string, ref: string): Promise<void>;
  /**
   * The write-back of this plan ended: removes it unless a newer plan replaced it meanwhile
   * (`acked: false`; that one stays pending), and settles the app in the cycles waiting on it.
   */
  settle(
    group: string,
    app: string,
    id: string,
    outcome: { updated: number; errors: number },
  ): Promise<{ acked: boolean; cycles: string[]; finished: CycleSummary[] }>;
}
