/**
 * The composition root of a tagflow process: builds every adapter once, from the configuration,
 * and hands them to the roles as ports (plus plain settings). Nothing below this file constructs
 * an adapter or reads the environment.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { loadControlPlanes } from '../../../shared/adapters/k8s/control-planes.ts';
import { KubeControlPlanes } from '../../../shared/adapters/k8s/kube-control-plane.ts';
import { SimpleGitWorkspaceFactory } from '../../../shared/adapters/git/simple-git-workspace.ts';
import { createForges } from '../../../shared/adapters/forge/index.ts';
import { createMetrics } from '../../../shared/adapters/metrics/index.ts';
import { BullmqSink } from '../../../shared/adapters/queue/bullmq-sink.ts';
import { BullmqQueueAdmin } from '../../../shared/adapters/queue/bullmq-queue-admin.ts';
import { RedisAuditLog } from '../../../shared/adapters/redis/audit-log.ts';
import { createRedis } from '../../../shared/adapters/redis/connection.ts';
import { RedisCycleLedger } from '../../../shared/adapters/redis/cycle-ledger.ts';
import { RedisFleetIndex } from '../../../shared/adapters/redis/fleet-index.ts';
import { Keys } from '../../../shared/adapters/redis/keys.ts';
import { RedisLeases } from '../../../shared/adapters/redis/leases.ts';
import { RedisMetadataCache } from '../../../shared/adapters/redis/metadata-cache.ts';
import { RedisRequestBudgets } from '../../../shared/adapters/redis/request-budgets.ts';
import { RedisTagSnapshotStore } from '../../../shared/adapters/redis/tag-snapshot-store.ts';
import { RedisWriteBackPlans } from '../../../shared/adapters/redis/write-back-plans.ts';
import { createRegistryAccess } from '../../../shared/adapters/registry/registry-access.ts';
import type { Config } from '../../../shared/config/schema.ts';
import { DEFAULT_COMMIT_TEMPLATE, parseCommitTemplate } from '../../../shared/domain/writeback/commit-message.ts';
import { createCycleReporter } from '../../../shared/jobs/cycle-report.ts';
import { createLogger, type Logger } from '../../../shared/logging/logger.ts';
import type { AuditLog } from '../../../shared/ports/audit-log.ts';
import type { ControlPlanes } from '../../../shared/ports/control-plane.ts';
import type { CycleLedger } from '../../../shared/ports/cycle-ledger.ts';
import type { FleetIndex } from '../../../shared/ports/fleet-index.ts';
import type { GitWorkspaceFactory } from '../../../shared/ports/git-workspace.ts';
import type { Forges } from '../../../shared/ports/pull-requests.ts';
import type { JobSink } from '../../../shared/jobs/job-sink.ts';
import type { Leases } from '../../../shared/ports/leases.ts';
import type { QueueAdmin } from '../../../shared/ports/queue-admin.ts';
import type { Metrics } from '../../../shared/ports/metrics.ts';
import type { RegistryAccess } from '../../../shared/ports/registry-access.ts';
import type { RequestBudgets } from '../../../shared/ports/request-budget.ts';
import type { TagSnapshotStore } from '../../../shared/ports/tag-snapshots.ts';
import type { WriteBackPlans } from '../../../shared/ports/write-back-plans.ts';
import { nameMatcher } from '../../scheduler/name-match.ts';

/** What the roles need besides ports: plain values, fixed for the process's life. */
export interface Settings {
  config: Config;
  /** This process's identity (leases, logs). */
  owner: string;
  commitTemplate: string;
  nameMatches(name: string): boolean;
}

export interface Services {
  settings: Settings;
  log: Logger;
  sink: JobSink;
  /** Queue counts and failed jobs (retry/remove): the dashboard. */
  queueAdmin: QueueAdmin;
  index: FleetIndex;
  ledger: CycleLedger;
  plans: WriteBackPlans;
  snapshots: TagSnapshotStore;
  audit: AuditLog;
  leases: Leases;
  registry: RegistryAccess;
  budgets: RequestBudgets;
  git: GitWorkspaceFactory;
  /** GitHub/GitLab pull requests and GitHub App tokens (the git pool). */
  forges: Forges;
  controlPlanes: ControlPlanes;
  report: ReturnType<typeof createCycleReporter>;
  /** This process's Prometheus metrics (/metrics). */
  metrics: Metrics;
  /** Resolves when Redis answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ServicesOptions {
  log?: Logger;
  /**
   * The prefix of what is shared with the fleet's other processes even when this one works under a
   * private prefix (`tagflow plan`): registry request budgets and the manifest metadata cache, so a
   * plan spends the same budget as the running tagflow and reuses what it already read.
   */
  sharedPrefix?: string;
  /** Tests: a shorter BullMQ backoff. */
  backoffDelayMs?: number;
}

export function createServices(
  config: Config,
  env: Record<string, string | undefined>,
  o: ServicesOptions = {},
): Services {
  const log = o.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const redis = createRedis(config.redisUrl, 'store');
  const keys = new Keys(config.queuePrefix);
  const planes = loadControlPlanes({ kubeconfigs: config.kubeconfigs, contexts: config.contexts, env });
  const controlPlanes = new KubeControlPlanes(
    planes,
    {
      argocdNamespace: config.argocdNamespace,
      watchNamespaces: config.watchNamespaces,
      registriesConfPath: config.registriesConfPath,
      kubeEvents: config.kubeEvents,
      redis,
      keys,
      log,
    },
    config.credentialsContext,
  );
  const commitTemplate = config.gitCommitMessagePath
    ? readFileSync(config.gitCommitMessagePath, 'utf8')
    : DEFAULT_COMMIT_TEMPLATE;
  parseCommitTemplate(commitTemplate);
  const sink = new BullmqSink(
    config.redisUrl,
    config.queuePrefix,
    o.backoffDelayMs !== undefined ? { backoffDelayMs: o.backoffDelayMs } : undefined,
  );
  const known = (cp: string) => (controlPlanes.names.includes(cp) ? controlPlanes.get(cp).config : undefined);
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const shared = o.sharedPrefix !== undefined ? new Keys(o.sharedPrefix) : keys;
  const budgets = new RedisRequestBudgets(redis, shared, { owner, log });
  const metrics = createMetrics({ redis, keys, sink, log });
  const report = createCycleReporter();
  report.listeners.add((summary) => metrics.cycleFinished(summary));
  const registry = createRegistryAccess({
    reader: known,
    fallback: controlPlanes.credentials?.config,
    env,
    metadata: new RedisMetadataCache(redis, shared),
    log,
    budgets,
    maxInFlight: config.registryMaxInFlight,
    metrics,
  });
  const git = new SimpleGitWorkspaceFactory({
    env,
    cloneCache: { maxEntries: config.gitCloneCache, idleMs: config.gitCloneIdleMs },
    signing: {
      key: config.gitCommitSigningKey,
      method: config.gitCommitSigningMethod,
      signOff: config.gitCommitSignOff,
    },
  });
  return {
    settings: {
      config,
      owner,
      commitTemplate,
      nameMatches: nameMatcher(config.matchApplicationName),
    },
    log,
    sink,
    queueAdmin: new BullmqQueueAdmin(sink.queues),
    index: new RedisFleetIndex(redis, keys),
    ledger: new RedisCycleLedger(redis, keys, () => createRedis(config.redisUrl, 'subscriber')),
    plans: new RedisWriteBackPlans(redis, keys),
    snapshots: new RedisTagSnapshotStore(redis, keys),
    audit: new RedisAuditLog(redis, keys),
    leases: new RedisLeases(redis, keys),
    registry,
    budgets,
    git,
    forges: createForges({ overrides: forgeApiOverrides(env) }),
    controlPlanes,
    report,
    metrics,
    ping: async () => void (await redis.ping()),
    async close() {
      await sink.close();
      await git.close();
      redis.disconnect();
    },
  };
}

/** TAGFLOW_GITHUB_API_URL / TAGFLOW_GITLAB_API_URL: every GitHub / GitLab API call goes there (GitHub Enterprise, tests). */
function forgeApiOverrides(env: Record<string, string | undefined>): { github?: string; gitlab?: string } {
  const read = (name: string) => {
    const v = env[name]?.trim();
    if (!v) return undefined;
    if (!/^https?:\/\/[^/\s]+/i.test(v)) throw new Error(`${name} must be an http(s) URL, not "${v}"`);
    return v;
  };
  const github = read('TAGFLOW_GITHUB_API_URL');
  const gitlab = read('TAGFLOW_GITLAB_API_URL');
  return { ...(github ? { github } : {}), ...(gitlab ? { gitlab } : {}) };
}
