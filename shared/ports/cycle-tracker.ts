/** The counters of argocd-image-updater's `Processing results` line. */
export interface CycleCounters {
  applications: number;
  images_considered: number;
  images_skipped: number;
  images_updated: number;
  errors: number;
}

export interface CycleSummary extends CycleCounters {
  cycleId: string;
  startedAt: number;
  finishedAt?: number;
  pending: number;
}

/**
 * Follows one update cycle across queues and processes: which apps wait for which repository
 * polls, which cycles wait for which app, and the running counters. Every method is atomic.
 */
export interface CycleTracker {
  /**
   * Registers a cycle over `apps`, each waiting for the listed repositories (deduplicated).
   * Returns the apps that wait for nothing (they are registered as waiting on their select).
   */
  start(cycleId: string, apps: readonly { app: string; repos: readonly string[] }[]): Promise<string[]>;
  /** A poll of `repoKey` finished: returns the apps (with their cycles) that now have every snapshot they wait for. */
  repoPolled(repoKey: string): Promise<{ app: string; cycles: string[] }[]>;
  /** Cycles waiting on the select of `app`, removed from the waiting set. */
  takeAppWaiters(app: string): Promise<string[]>;
  /**
   * The select of one app of these cycles is over; `batch` (opaque, e.g. a commit job) is the batched
   * write-back it queued, if any. Batches wait until every app of a cycle was selected, so that all
   * of a cycle's changes to one repository branch go into one commit. Returns the distinct batches
   * released now (an app outside any cycle releases its own batch at once).
   */
  selected(cycles: readonly string[], batch?: string): Promise<string[]>;
  /** Adds to the counters of cycles without finishing an app (the app goes on to a write-back). */
  add(cycles: readonly string[], counters: Partial<CycleCounters>): Promise<void>;
  /** One app of these cycles is finished; returns the summaries of cycles that completed now. */
  appDone(cycles: readonly string[], counters: Partial<CycleCounters>): Promise<CycleSummary[]>;
  /** The cycle could not run (e.g. listing Applications failed for good): it ends now with these counters. */
  abort(cycleId: string, counters: Partial<CycleCounters>): Promise<CycleSummary>;
  get(cycleId: string): Promise<CycleSummary | null>;
  /** Resolves when the cycle completes (or rejects on timeout). */
  waitFor(cycleId: string, timeoutMs: number): Promise<CycleSummary>;
}
