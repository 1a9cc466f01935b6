/**
 * Pending write-back plans, grouped by where they are written (one Application for the argocd
 * method, one repository branch for git). A newer plan for the same app replaces the older one
 * (desired state, latest wins) and inherits the cycles waiting on it.
 */
export interface PendingPlan<P = unknown> {
  id: string;
  app: string;
  /** Cycles waiting for this write-back (filled in by `list`; `put` adds to them). */
  cycles: string[];
  plan: P;
  /**
   * Set once the plan was written (commit SHA, resourceVersion) but not yet acknowledged: a job
   * retried after a crash in between reports the write instead of a no-op (filled in by `list`).
   */
  written?: string;
}

export interface PlanStore {
  put<P>(group: string, pending: PendingPlan<P>): Promise<void>;
  list<P>(group: string): Promise<PendingPlan<P>[]>;
  /** Records that this plan (if still the app's current one) was written as `ref`. */
  markWritten(group: string, app: string, id: string, ref: string): Promise<void>;
  /**
   * Removes the app's plan only if it is still the one with this id. Returns the cycles that
   * waited on it, or null when a newer plan replaced it meanwhile (that one stays pending).
   */
  ack(group: string, app: string, id: string): Promise<string[] | null>;
}
