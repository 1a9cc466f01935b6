import type { CycleSummary } from './cycle-ledger.ts';

/** Label values of one series. */
export type Labels<K extends string> = Readonly<Record<K, string>>;

export interface CounterHandle<K extends string> {
  inc(labels: Labels<K>, by?: number): void;
}

/** How a job attempt ended, as the worker runner maps it to BullMQ. */
export type JobOutcome = 'completed' | 'retried' | 'delayed' | 'failed';

/** How a request's wait for its registry's budget ended. */
export type BudgetWaitOutcome = 'granted' | 'stepped_aside' | 'failed';

/** What a webhook request came to (the webhook receiver's own words; a small fixed set). */
export type WebhookOutcome =
  'enqueued' | 'untracked' | 'unauthorized' | 'bad_request' | 'too_large' | 'rate_limited' | 'ignored';

/**
 * The metrics of one process (Prometheus: counters and histograms per process, so sum them
 * across replicas; the fleet-wide gauges are read from Redis at scrape time and are the same in
 * every process, so take their max). Every method is cheap and never throws.
 */
export interface Metrics {
  /** Webhook requests by registry type (`docker.io`, `ghcr.io`, …, `unknown`) and outcome. */
  readonly webhookEvents: CounterHandle<'type' | 'outcome'>;
  /** One registry request (tags, manifest, blob, token) ended; `status` null: no HTTP answer. */
  registryRequest(registry: string, e: { kind: string; status: number | null; durationMs: number }): void;
  /** A registry request waited for its registry's budget (`waitedMs` before it was granted or not). */
  budgetWait(registry: string, waitedMs: number, outcome: BudgetWaitOutcome): void;
  /** One attempt of a job ended; `errorKind`: the error class when it did not complete. */
  jobFinished(queue: string, durationMs: number, outcome: JobOutcome, errorKind?: string): void;
  /** A cycle ended in this process (its results line was logged here). */
  cycleFinished(summary: CycleSummary): void;
  /** The Prometheus text exposition of everything, with the fleet-wide gauges read now. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const noCounter: CounterHandle<never> = { inc: () => undefined };

/** Metrics that record nothing (tests and tools that do not serve /metrics). */
export const NO_METRICS: Metrics = {
  webhookEvents: noCounter as CounterHandle<'type' | 'outcome'>,
  registryRequest: () => undefined,
  budgetWait: () => undefined,
  jobFinished: () => undefined,
  cycleFinished: () => undefined,
  scrape: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
};
