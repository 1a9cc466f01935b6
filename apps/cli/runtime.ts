import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { loadKubeConfig } from '../../shared/adapters/k8s/kube-config.ts';
import { KubeApplicationStore } from '../../shared/adapters/k8s/kube-application-store.ts';
import { KubeConfigReader } from '../../shared/adapters/k8s/kube-config-reader.ts';
import { KubeEventSink } from '../../shared/adapters/k8s/kube-event-sink.ts';
import { SimpleGitWorkspaceFactory } from '../../shared/adapters/git/simple-git-workspace.ts';
import { BullmqSink } from '../../shared/adapters/queue/bullmq-sink.ts';
import { RedisAppIndex } from '../../shared/adapters/redis/app-index.ts';
import { RedisAuditLog } from '../../shared/adapters/redis/audit-log.ts';
import { createRedis, keyspace, type Keyspace } from '../../shared/adapters/redis/connection.ts';
import { RedisCycleTracker } from '../../shared/adapters/redis/cycle-tracker.ts';
import { RedisPlanStore } from '../../shared/adapters/redis/plan-store.ts';
import { RedisTagSnapshotStore } from '../../shared/adapters/redis/tag-snapshot-store.ts';
import type { Config } from '../../shared/config/schema.ts';
import { DEFAULT_COMMIT_TEMPLATE, parseCommitTemplate } from '../../shared/domain/writeback/commit-message.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/index.ts';
import { createCycleReporter } from '../../shared/jobs/cycle-report.ts';
import { createLogger, type Logger } from '../../shared/logging/logger.ts';
import type { ApplicationStore, ConfigReader } from '../../shared/ports/application-store.ts';
import type { GitWorkspaceFactory } from '../../shared/ports/git-workspace.ts';
import type { EventSink } from '../../shared/ports/event-sink.ts';
import type { RegistryClient } from '../../shared/ports/registry-client.ts';
import type { TagRecord } from '../../shared/ports/tag-snapshots.ts';
import { createRegistryAccess } from './registry-access.ts';
import { loadEndpoints } from './load-endpoints.ts';

/** Everything a role needs, built once per process from the configuration. */
export interface Runtime {
  config: Config;
  log: Logger;
  redis: Redis;
  key: Keyspace;
  sink: BullmqSink;
  snapshots: RedisTagSnapshotStore;
  apps: RedisAppIndex;
  cycles: RedisCycleTracker;
  plans: RedisPlanStore;
  audit: RedisAuditLog;
  report: ReturnType<typeof createCycleReporter>;
  cluster: string;
  argocdNamespace: string;
  applications: (cluster: string) => ApplicationStore;
  reader: ConfigReader;
  endpoints: () => readonly RegistryEndpoint[];
  registryClient: (endpoint: string, repository: string, credentials: string | undefined) => Promise<RegistryClient>;
  withMetadata: (client: RegistryClient, repository: string, tags: TagRecord[]) => Promise<TagRecord[]>;
  git: GitWorkspaceFactory;
  events?: EventSink;
  commitTemplate: string;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, env: Record<string, string | undefined>, log?: Logger): Promise<Runtime> {
  log ??= createLogger({ level: config.logLevel, format: config.logFormat });
  const redis = createRedis(config.redisUrl, 'store');
  const key = keyspace(config.queuePrefix);
  const kc = loadKubeConfig({ kubeconfigPath: config.kubeconfig, context: config.context, env });
  const argocdNamespace = config.argocdNamespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'argocd';
  const store = new KubeApplicationStore(kc, { onInvalid: (e) => log.warn({ code: e.code }, e.message) });
  const reader = new KubeConfigReader(kc);
  const endpoints = await loadEndpoints(config, reader, argocdNamespace, log);
  const commitTemplate = config.gitCommitMessagePath ? readFileSync(config.gitCommitMessagePath, 'utf8') : DEFAULT_COMMIT_TEMPLATE;
  parseCommitTemplate(commitTemplate);
  const access = createRegistryAccess({ endpoints, reader, env, redis, key, log });
  const sink = new BullmqSink(config.redisUrl, config.queuePrefix);
  return {
    config,
    log,
    redis,
    key,
    sink,
    snapshots: new RedisTagSnapshotStore(redis, key),
    apps: new RedisAppIndex(redis, key),
    cycles: new RedisCycleTracker(redis, key, () => createRedis(config.redisUrl, 'subscriber')),
    plans: new RedisPlanStore(redis, key),
    audit: new RedisAuditLog(redis, key),
    report: createCycleReporter(),
    cluster: '',
    argocdNamespace,
    applications: () => store,
    reader,
    endpoints: () => endpoints,
    registryClient: access.clientFor,
    withMetadata: access.withMetadata,
    git: new SimpleGitWorkspaceFactory({ env }),
    events: config.kubeEvents ? new KubeEventSink(kc, redis, key, log) : undefined,
    commitTemplate,
    async close() {
      await sink.close();
      redis.disconnect();
    },
  };
}
