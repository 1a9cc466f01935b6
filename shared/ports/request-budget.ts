/**
 * One request budget per registry, shared by every process: a token bucket at the registry's
 * `limit` (requests per second), a cap on requests in flight per process, and the registry's own
 * throttling signals (429 + Retry-After, RateLimit-* headers) shrinking the budget for everyone
 * until their window passes.
 */

/** Which budget a registry client draws from. */
export interface BudgetSpec {
  /** Identity of the budget: the registry host, plus the credential where the registry limits per account. */
  key: string;
  /** Requests per second; undefined = unlimited (only the registry's signals and the in-flight cap apply). */
  ratePerSec?: number;
  /** Requests in flight at once in this process. */
  maxInFlight: number;
}

/** What a registry session asks before each request, and tells after each answer. */
export interface RequestGate {
  /**
   * Waits for a slot and a token; resolves to the release of the slot. Throws a RateLimitedError
   * (code `registry.budget`) when `job` should step aside rather than wait here (without a job,
   * the caller always waits).
   */
  acquire(job?: string): Promise<() => void>;
  /** Reads the answer's throttling signals (status and headers). */
  observe(status: number, headers: { get(name: string): string | null }): void;
}

/** A registry's budget as every process sees it. */
export interface BudgetState {
  key: string;
  /** Configured requests per second (null = unlimited). */
  configuredRate: number | null;
  /** Requests granted in the last full second, all processes together. */
  currentRate: number;
  /** Tokens in the bucket now (null when unlimited). */
  tokens: number | null;
  /** How long every request to it is held back by the registry's 429/Retry-After or a spent RateLimit window. */
  blockedForMs: number;
  /** The rate the registry's RateLimit headers allow, while it is below the configured one. */
  signalledRate: number | null;
  signalledForMs: number;
  /** Jobs waiting for this registry's budget, all processes together. */
  waitingJobs: number;
}

export interface RequestBudgets {
  gate(spec: BudgetSpec): RequestGate;
  /** Every registry that was asked for lately. */
  states(): Promise<BudgetState[]>;
}
