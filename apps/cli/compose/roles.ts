import { randomBytes } from 'node:crypto';
import type { CycleSummary } from '../../../shared/ports/cycle-ledger.ts';
import type { Pool } from '../../../shared/jobs/pool.ts';
import type { Role } from '../../../shared/config/schema.ts';
import type { Services } from './services.ts';
import { startScheduler, writeStatusesOnce, type SchedulerRole } from '../../scheduler/main.ts';
import { startApi, type ApiServer } from '../../api/main.ts';
import { createApiAuth, protectApi } from '../../api/auth/guard.ts';
import { resolveApiToken } from '../../api/auth/token.ts';
import { dashboardRoutes } from '../../api/dashboard/index.ts';
import { metricsRoutes, readinessCheck } from '../../api/metrics/index.ts';
import { webhookLimiter, webhookRoutes } from '../../api/webhooks/routes.ts';
import { startWebhookListener } from '../../api/webhooks/listener.ts';
import { startRegistryPool } from '../../../workers/registry/main.ts';
import { startSelectPool } from '../../../workers/select/main.ts';
import { startPatchPool } from '../../../workers/patch/main.ts';
import { startGitPool } from '../../../workers/git/main.ts';

export interface RunningRoles {
  /** Runs one full cycle now (listing every control plane) and resolves with its results once every job of it settled. */
  runOnce(timeoutMs?: number): Promise<CycleSummary>;
  reportedLocally(cycleId: string): boolean;
  /** The port the api role listens on (when it runs). */
  apiPort?: number;
  close(): Promise<void>;
}

/**
 * Starts the roles a process runs: each worker pool through its own composition root
 * (`workers/<pool>/main.ts`), the scheduler and the api role through theirs. This is the only place
 * that knows every role.
 */
export async function startRoles(s: Services, roles: readonly Role[] = s.settings.config.roles): Promise<RunningRoles> {
  const { config } = s.settings;
  const has = (r: Role) => roles.includes(r);
  const reported = new Set<string>();
  s.report.listeners.add((summary) => reported.add(summary.cycleId));

  // read first: a bad --api-token-file stops start-up before any pool runs
  const auth = createApiAuth(has('api') && !config.once ? resolveApiToken(config) : undefined);
  const pools: Pool[] = [];
  let scheduler: SchedulerRole | undefined;
  if (has('scheduler')) {
    scheduler = await startScheduler(s);
    pools.push(scheduler.pool);
  }
  if (has('registry')) pools.push(startRegistryPool(s));
  if (has('select')) pools.push(startSelectPool(s));
  if (has('patch')) pools.push(startPatchPool(s));
  if (has('git')) pools.push(startGitPool(s));
  const limiter = webhookLimiter(s); // one --webhook-ratelimit-allowed budget for both ports
  const hooks: ApiServer | undefined =
    config.enableWebhook && !config.once
      ? await startWebhookListener(s, { host: config.apiHost, port: config.webhookPort }, { limiter })
      : undefined;
  const dashboard = {
    index: s.index,
    ledger: s.ledger,
    audit: s.audit,
    queues: s.queueAdmin,
    budgets: () => s.budgets.states(),
    controlPlanes: s.controlPlanes.names,
  };
  const api: ApiServer | undefined =
    has('api') && !config.once
      ? await startApi({
          log: s.log,
          ping: s.ping,
          ready: readinessCheck(s),
          budgets: () => s.budgets.states(),
          guard: (r) => protectApi(auth, r),
          routes: [...metricsRoutes(s.metrics), ...webhookRoutes(s, { limiter }), ...dashboardRoutes(dashboard, auth)],
          host: config.apiHost,
          port: config.apiPort,
        })
      : undefined;
  await Promise.all(pools.map((p) => p.waitUntilReady()));
  s.log.info(
    { roles, interval: config.intervalMs, dryRun: config.dryRun, controlPlanes: s.controlPlanes.names },
    'tagflow started',
  );

  return {
    async runOnce(timeoutMs = 15 * 60_000) {
      const since = Date.now();
      const cycleId = `once-${since}-${randomBytes(3).toString('hex')}`;
      await s.sink.add('cycle', 'once', { cycleId, trigger: 'once' });
      const summary = await s.ledger.waitFor(cycleId, timeoutMs);
      if (has('scheduler')) await writeStatusesOnce(s, since);
      return summary;
    },
    reportedLocally: (id) => reported.has(id),
    ...(api ? { apiPort: api.port } : {}),
    async close() {
      await api?.close();
      await hooks?.close();
      await scheduler?.close();
      await Promise.all(pools.filter((p) => p !== scheduler?.pool).map((p) => p.close()));
    },
  };
}
