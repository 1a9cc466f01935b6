/**
 * `tagflow plan`: one dry-run cycle over the whole fleet, in this process, on a private Redis key
 * prefix (`<TAGFLOW_PREFIX>-plan-<random>`) that is deleted afterwards, so a plan against the
 * production Redis never takes a running tagflow's leases, jobs, dirty set or results. It runs the
 * scheduler, registry and select roles only (no patch, git or api), with Kubernetes Events off and
 * without the ImageUpdater status `run --once` writes: it reads the cluster and the registries and
 * writes nothing but its own temporary Redis keys.
 */
import { randomBytes } from 'node:crypto';
import { anchorFlagWarnings, readAnchorSettings } from '../../../shared/config/anchor-flags.ts';
import { ConfigError, loadConfig } from '../../../shared/config/load-config.ts';
import type { Config, Role } from '../../../shared/config/schema.ts';
import { parseGoDuration } from '../../../shared/domain/registry/go-duration.ts';
import { createLogger } from '../../../shared/logging/logger.ts';
import { createServices, type Services } from '../compose/services.ts';
import { startRoles, type RunningRoles } from '../compose/roles.ts';
import { collectPlan } from './plan-changes.ts';
import { claimPlanKeys, planPrefix } from './plan-keys.ts';
import { planProgress } from './plan-progress.ts';
import { planJson, planText } from './plan-report.ts';
import type { PlanFlags } from './plan.ts';

const PLAN_ROLES: readonly Role[] = ['scheduler', 'registry', 'select'];

export async function planAction(flags: PlanFlags): Promise<void> {
  const output = flags.output ?? 'text';
  const problems: string[] = [];
  if (output !== 'text' && output !== 'json') problems.push(`output: expected text or json, got "${output}"`);
  const timeoutMs = flags.timeout === undefined ? 15 * 60_000 : parseGoDuration(flags.timeout.trim());
  if (timeoutMs === null || timeoutMs <= 0) problems.push(`timeout: invalid duration "${flags.timeout}"`);
  const anchor = readAnchorSettings(flags, process.env);
  problems.push(...anchor.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const quietByDefault =
    flags.loglevel === undefined && !anchor.settings.logLevel && !process.env.IMAGE_UPDATER_LOGLEVEL;
  const base = loadConfig({ ...flags, ...(quietByDefault ? { loglevel: 'warn' } : {}) }, process.env, anchor.settings);
  const config: Config = {
    ...base,
    queuePrefix: planPrefix(base.queuePrefix),
    once: true,
    dryRun: true,
    kubeEvents: false,
    roles: [...PLAN_ROLES],
  };

  const progress = planProgress(process.stderr);
  const log = createLogger({ level: config.logLevel, format: config.logFormat, destination: progress.logs });
  const keys = await claimPlanKeys(config.redisUrl, base.queuePrefix, config.queuePrefix);
  let services: Services;
  try {
    // the registry budgets and metadata cache are the fleet's: a plan does not get a budget of its own
    services = createServices(config, process.env, { log, sharedPrefix: base.queuePrefix });
  } catch (e) {
    await keys.release();
    throw e;
  }
  for (const w of [...anchorFlagWarnings(flags, process.env), ...anchor.warnings]) log.warn(w);
  let roles: RunningRoles | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await roles?.close().catch(() => undefined);
      await services.close().catch(() => undefined);
      await keys.release();
    })());
  const fail = (code: number, message?: string) => {
    if (message) log.fatal(message);
    void cleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => fail(130));
  process.once('SIGTERM', () => fail(143));
  process.on('unhandledRejection', (e) => fail(1, `unexpected error: ${e instanceof Error ? e.message : String(e)}`));

  let text: string;
  let code: number;
  try {
    roles = await startRoles(services, PLAN_ROLES);
    const result = await runPlan(services, config, timeoutMs!, progress);
    code = result.errors > 0 ? 1 : 0;
    text = output === 'json' ? planJson(result) : planText(result, result.errorList);
  } finally {
    await cleanup();
  }
  process.stdout.write(`${text}\n`, () => process.exit(code));
}

async function runPlan(s: Services, config: Config, timeoutMs: number, progress: ReturnType<typeof planProgress>) {
  const since = Date.now();
  const cycleId = `plan-${since}-${randomBytes(3).toString('hex')}`;
  progress.listing();
  await s.sink.add('cycle', 'plan', { cycleId, trigger: 'once' });
  let keys: string[] | undefined;
  let busy = false;
  const tick = setInterval(
    () => {
      if (busy) return;
      busy = true;
      void (async () => {
        const summary = await s.ledger.get(cycleId);
        if (!summary) return;
        keys ??= await s.index.keys();
        progress.checked((await s.ledger.results(keys)).size, summary.applications);
      })()
        .catch(() => undefined)
        .finally(() => (busy = false));
    },
    process.stderr.isTTY ? 200 : 1000,
  );
  let summary;
  try {
    summary = await s.ledger.waitFor(cycleId, timeoutMs);
  } finally {
    clearInterval(tick);
  }
  progress.finish(summary.applications, summary.applications);
  const { changes, errors } = await collectPlan({ audit: s.audit, controlPlanes: s.controlPlanes }, since);
  return { changes, applications: summary.applications, errors: summary.errors, errorList: errors };
}
