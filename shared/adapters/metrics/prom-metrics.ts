/**
 * The metrics port over prom-client, one registry per process (never prom-client's global one, so
 * several pipelines in one test process do not share series). The anchor's names
 * (`argocd_image_updater_*`, reference §6.4) plus tagflow's (`tagflow_*`). Counters and histograms
 * are this process's; queue depths, the last full cycle's gauges and the per-app check ages are read
 * from BullMQ and Redis when scraped (bounded by a timeout: a slow Redis leaves them out, it does
 * not hold the scrape).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../logging/logger.ts';
import type { CycleSummary } from '../../ports/cycle-ledger.ts';
import type { BudgetWaitOutcome, JobOutcome, Metrics } from '../../ports/metrics.ts';
import type { FleetMetricsState } from './fleet-state.ts';

export interface PromMetricsDeps {
  /** Job counts per state, per queue (BullMQ). */
  queueCounts(): Promise<Record<string, Record<string, number>>>;
  /** The fleet-wide state (Redis). */
  fleet(): Promise<FleetMetricsState>;
  /** Records a finished interval cycle for every process's gauges. */
  recordFullCycle(s: CycleSummary): Promise<void>;
  log: Logger;
  /** Process metrics (CPU, memory, event loop) as `process_*` / `nodejs_*`; default on. */
  processMetrics?: boolean;
  /** How long a scrape waits for BullMQ and Redis (default 5 s). */
  scrapeTimeoutMs?: number;
}

const ANCHOR = 'argocd_image_updater_';
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createPromMetrics(d: PromMetricsDeps): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (d.processMetrics !== false) collectDefaultMetrics({ register: registry });

  // the anchor's names (reference §6.4)
  const appsWatched = new Gauge({
    name: `${ANCHOR}applications_watched_total`,
    help: 'Applications covered by the last interval cycle (its results line: applications)',
    registers,
  });
  const imagesWatched = new Gauge({
    name: `${ANCHOR}images_watched_total`,
    help: 'Images considered by the last interval cycle (its results line: images_considered)',
    registers,
  });
  const imagesUpdated = new Counter({
    name: `${ANCHOR}images_updated_total`,
    help: 'Images updated, by the cycles this process finished (results lines: images_updated)',
    registers,
  });
  const imagesErrors = new Counter({
    name: `${ANCHOR}images_errors_total`,
    help: 'Errors, by the cycles this process finished (results lines: errors)',
    registers,
  });
  const registryRequests = new Counter({
    name: `${ANCHOR}registry_requests_total`,
    help: 'Requests to a registry',
    labelNames: ['registry'],
    registers,
  });
  const registryFailed = new Counter({
    name: `${ANCHOR}registry_requests_failed_total`,
    help: 'Requests to a registry that got no answer or an error status (an auth challenge 401 excluded)',
    labelNames: ['registry'],
    registers,
  });
  // defined as the anchor does (it never increments them either): tagflow's Kubernetes requests are watches
  new Counter({ name: `${ANCHOR}k8s_api_requests_total`, help: 'Requests to the Kubernetes API', registers });
  new Counter({ name: `${ANCHOR}k8s_api_errors_total`, help: 'Kubernetes API requests that failed', registers });

  // tagflow's
  const registryByStatus = new Counter({
    name: 'tagflow_registry_requests_total',
    help: 'Registry requests by registry, kind (tags, manifest, blob, token) and HTTP status (none: no answer)',
    labelNames: ['registry', 'kind', 'status'],
    registers,
  });
  const registrySeconds = new Histogram({
    name: 'tagflow_registry_request_duration_seconds',
    help: 'Registry request durations',
    labelNames: ['registry', 'kind'],
    buckets: SECONDS,
    registers,
  });
  const budgetWaits = new Counter({
    name: 'tagflow_registry_budget_waits_total',
    help: "Registry requests that waited for their registry's request budget, by outcome (granted, stepped_aside, failed)",
    labelNames: ['registry', 'outcome'],
    registers,
  });
  const budgetSeconds = new Histogram({
    name: 'tagflow_registry_budget_wait_seconds',
    help: "Time registry requests waited for their registry's request budget",
    labelNames: ['registry'],
    buckets: SECONDS,
    registers,
  });
  const jobSeconds = new Histogram({
    name: 'tagflow_job_duration_seconds',
    help: 'Job attempt durations by queue and outcome (completed, retried, delayed, failed)',
    labelNames: ['queue', 'outcome'],
    buckets: SECONDS,
    registers,
  });
  const jobFailures = new Counter({
    name: 'tagflow_job_failures_total',
    help: 'Job attempts that failed, by queue, error kind and whether the job failed for good',
    labelNames: ['queue', 'kind', 'final'],
    registers,
  });
  const cycleSeconds = new Histogram({
    name: 'tagflow_cycle_duration_seconds',
    help: 'Cycle durations (start to results line) by scope (all: interval, changes: watch-driven)',
    labelNames: ['scope'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  const webhookEvents = new Counter({
    name: 'tagflow_webhook_events_total',
    help: 'Webhook requests by registry type and outcome',
    labelNames: ['type', 'outcome'],
    registers,
  });
  const queueJobs = new Gauge({
    name: 'tagflow_queue_jobs',
    help: 'Jobs per queue and state (waiting includes prioritized), read from BullMQ when scraped',
    labelNames: ['queue', 'state'],
    registers,
  });
  const lastCycleAge = new Gauge({
    name: 'tagflow_last_full_cycle_age_seconds',
    help: 'Seconds since the last interval cycle ended',
    registers,
  });
  const appCheckAge = new Gauge({
    name: 'tagflow_app_last_check_age_seconds',
    help: 'Seconds since each application was last checked successfully (app: <control plane>/<namespace>/<name>)',
    labelNames: ['app'],
    registers,
  });

  const quietly = (f: () => void) => {
    try {
      f();
    } catch (e) {
      d.log.debug({ err: String(e) }, 'metric not recorded');
    }
  };
  const timeout = d.scrapeTimeoutMs ?? 5000;
  const bounded = <T>(p: Promise<T>, what: string): Promise<T | undefined> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        d.log.warn(`metrics: ${what} did not answer within ${timeout} ms; left out of this scrape`);
        resolve(undefined);
      }, timeout);
      p.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => {
          clearTimeout(timer);
          d.log.warn({ err: String(e) }, `metrics: could not read ${what}; left out of this scrape`);
          resolve(undefined);
        },
      );
    });

  async function refresh(): Promise<void> {
    const [counts, fleet] = await Promise.all([
      bounded(d.queueCounts(), 'the queue depths'),
      bounded(d.fleet(), 'the fleet state'),
    ]);
    queueJobs.reset();
    for (const [queue, c] of Object.entries(counts ?? {}))
      for (const state of QUEUE_STATES)
        queueJobs.set({ queue, state }, (c[state] ?? 0) + (state === 'waiting' ? (c.prioritized ?? 0) : 0));
    appCheckAge.reset();
    lastCycleAge.reset();
    if (!fleet) return;
    if (fleet.last) {
      appsWatched.set(fleet.last.applications);
      imagesWatched.set(fleet.last.images_considered);
      lastCycleAge.set(Math.max(0, (Date.now() - fleet.last.finishedAt) / 1000));
    }
    for (const [app, age] of fleet.ages) appCheckAge.set({ app }, age);
  }

  return {
    webhookEvents: { inc: (labels, by = 1) => quietly(() => webhookEvents.inc({ ...labels }, by)) },
    registryRequest(registry, e) {
      quietly(() => {
        registryRequests.inc({ registry });
        if (e.status === null || (e.status >= 400 && e.status !== 401)) registryFailed.inc({ registry });
        registryByStatus.inc({ registry, kind: e.kind, status: e.status === null ? 'none' : String(e.status) });
        registrySeconds.observe({ registry, kind: e.kind }, e.durationMs / 1000);
      });
    },
    budgetWait(registry: string, waitedMs: number, outcome: BudgetWaitOutcome) {
      quietly(() => {
        budgetWaits.inc({ registry, outcome });
        budgetSeconds.observe({ registry }, waitedMs / 1000);
      });
    },
    jobFinished(queue: string, durationMs: number, outcome: JobOutcome, errorKind?: string) {
      quietly(() => {
        jobSeconds.observe({ queue, outcome }, durationMs / 1000);
        if (outcome === 'retried' || outcome === 'failed')
          jobFailures.inc({ queue, kind: errorKind ?? 'unknown', final: outcome === 'failed' ? 'true' : 'false' });
      });
    },
    cycleFinished(s: CycleSummary) {
      quietly(() => {
        imagesUpdated.inc(s.images_updated);
        imagesErrors.inc(s.errors);
        cycleSeconds.observe(
          { scope: s.scope ?? 'all' },
          Math.max(0, (s.finishedAt ?? Date.now()) - s.startedAt) / 1000,
        );
      });
      if ((s.scope ?? 'all') === 'all')
        d.recordFullCycle(s).catch((e: unknown) =>
          d.log.warn({ cycle: s.cycleId, err: String(e) }, 'metrics: could not record the cycle'),
        );
    },
    async scrape() {
      await refresh();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
