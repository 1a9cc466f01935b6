import type { TagSnapshot } from '../domain/model/tags.ts';

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
  /** Outstanding polls and apps (0 once finished). */
  pending: number;
  trigger?: string;
  /** `all`: every tracked app was covered; `changes`: only the apps that changed. */
  scope?: CycleScope;
}

/**
 * `all`: an interval cycle: every repository is polled; the apps that changed, failed last time or
 * use a repository whose snapshot changed are checked; the results line covers every app.
 * `changes`: the apps whose Application or configuration changed, now (watch-driven).
 */
export type CycleScope = 'all' | 'changes';

export interface CycleStartOptions {
  scope: CycleScope;
  /** Check every app, changed or not (`--once`, the `--full-resync` period). */
  full: boolean;
  dryRun: boolean;
  trigger: string;
}

export interface CycleStart {
  /** Repositories to poll (keys of the fleet index's poll targets). */
  polls: string[];
  /** Apps to check now (they wait for nothing). */
  released: string[];
  finished: CycleSummary[];
}

export interface PollOutcome {
  changed: boolean;
  /** Apps to check now. */
  released: string[];
  /** Commit batches to enqueue now (a cycle whose apps were all checked before its last poll ended). */
  batches: string[];
  finished: CycleSummary[];
}

/** What the check of one app found, as the ledger records it. */
export interface CheckResult {
  app: string;
  considered: number;
  skipped: number;
  errors: number;
  /** Images a dry run would have updated. */
  dryUpdates: number;
  /** Checked again next cycle (errors, or a write-back that failed). */
  failed: boolean;
  plan?: {
    group: string;
    id: string;
    /** The plan as stored (JSON). */
    json: string;
    /** A batched write-back job (git) released once every app of its cycles was checked. */
    batch?: string;
  };
}

/**
 * Follows update cycles across queues and processes, with every step atomic and idempotent (a job
 * retried after a crash gets the first attempt's answer): which repositories a cycle polls, which
 * apps it checks and which of them wait for a write-back, and the `Processing results` counters.
 */
export interface CycleLedger {
  start(cycleId: string, options: CycleStartOptions): Promise<CycleStart>;
  /** A poll of `repoKey` ended with `snapshot` (null: nothing new was fetched). */
  pollDone(step: string, repoKey: string, snapshot: TagSnapshot | null): Promise<PollOutcome>;
  /** Several polls ended, recorded in one step (`changed`: the repositories whose snapshot changed). */
  pollsDone(
    step: string,
    polls: readonly { repoKey: string; snapshot: TagSnapshot | null }[],
  ): Promise<Omit<PollOutcome, 'changed'> & { changed: string[] }>;
  /** Orders checks: a later check's results win over an earlier one that finishes after it. */
  nextCheckSeq(): Promise<number>;
  /** `patches`: apps whose argocd write-back the caller enqueues (kept with the step for a retry). */
  checksDone(
    step: string,
    seq: number,
    dryRun: boolean,
    results: readonly CheckResult[],
    patches?: readonly string[],
  ): Promise<{ batches: string[]; finished: CycleSummary[] }>;
  /** The stored answer of a step that already ran (a retried job), or null. */
  stepResult<T>(step: string): Promise<T | null>;
  /** Ends a cycle now with `errors` (it could not run, or it is stuck). */
  abort(cycleId: string, o: { errors: number; trigger: string }): Promise<CycleSummary[]>;
  get(cycleId: string): Promise<CycleSummary | null>;
  /**
   * Whether a full re-evaluation is due (the last one is `periodMs` old); claims it when it is, so
   * one cycle does it. The first call ever only starts the clock (new apps are checked anyway).
   */
  claimFullResync(periodMs: number): Promise<boolean>;
  /** Unfinished cycles started before `before` (ms since the epoch). */
  stale(before: number): Promise<string[]>;
  waitFor(cycleId: string, timeoutMs: number): Promise<CycleSummary>;
  /** Calls `listener` with every cycle that finishes from now on (in any process) until closed. */
  onFinished(listener: (s: CycleSummary) => void): Promise<{ close(): void }>;
  /** The last check's counters of these apps. */
  results(apps: readonly string[]): Promise<Map<string, { considered: number; skipped: number; errors: number }>>;
}
