/**
 * The whole tagflow pipeline in the test process: the real services (Redis stores, BullMQ queues,
 * kube clients, git workspaces, registry clients) and the real worker pools, with a captured JSON
 * log and a short BullMQ backoff so retries take milliseconds.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { startRoles, type RunningRoles } from '../../apps/cli/compose/roles.ts';
import { createServices, type Services } from '../../apps/cli/compose/services.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import type { Role } from '../../shared/config/schema.ts';
import { loadConfig } from '../../shared/config/load-config.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import type { ControlPlane, ControlPlanes } from '../../shared/ports/control-plane.ts';
import type { CycleSummary } from '../../shared/ports/cycle-ledger.ts';
import { TEST_REDIS_URL, uniquePrefix } from './redis.ts';

export interface PipelineOptions {
  prefix?: string;
  roles?: Role[];
  logLevel?: 'trace' | 'debug' | 'info';
  backoffDelayMs?: number;
  /** Wrap ports (to inject races or faults) before the roles start; return the services to use. */
  prepare?: (s: Services) => Services;
  /** More environment: read by loadConfig (e.g. GIT_COMMIT_SIGNING_KEY) and given to the services (e.g. GNUPGHOME). */
  env?: Record<string, string>;
}

export interface Pipeline {
  rt: Services;
  prefix: string;
  /** Every log line so far (JSON). */
  logText(): string;
  logs(): Record<string, any>[];
  /** Enqueues a `--once` cycle (lists every control plane, checks every app) and returns its id without waiting. */
  startCycle(): Promise<string>;
  waitCycle(cycleId: string, timeoutMs?: number): Promise<CycleSummary>;
  runOnce(timeoutMs?: number): Promise<CycleSummary>;
  /** Starts more worker pools on the same services (e.g. the git pool after plans were made). */
  startMoreRoles(roles: Role[]): Promise<void>;
  close(): Promise<void>;
}

export async function startPipeline(kubeconfigPath: string, o: PipelineOptions = {}): Promise<Pipeline> {
  const prefix = o.prefix ?? uniquePrefix('wb');
  const config = loadConfig(
    {
      kubeconfig: [kubeconfigPath],
      redisUrl: TEST_REDIS_URL,
      once: true,
      roles: (o.roles ?? ['scheduler', 'registry', 'select', 'patch', 'git']).join(','),
      loglevel: o.logLevel ?? 'debug',
      logformat: 'json',
    },
    { ...o.env, TAGFLOW_PREFIX: prefix },
  );
  const lines: string[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => lines.push(...c.toString('utf8').split('\n').filter(Boolean)));
  const base = createServices(
    config,
    { ...process.env, KUBECONFIG: undefined, ...o.env },
    {
      log: createLogger({ level: config.logLevel, format: 'json', destination: out }),
      backoffDelayMs: o.backoffDelayMs ?? 50,
    },
  );
  const rt = o.prepare ? o.prepare(base) : base;
  const running: RunningRoles[] = [await startRoles(rt)];

  const startCycle = async () => {
    const cycleId = `test-${Date.now()}-${randomBytes(3).toString('hex')}`;
    await rt.sink.add('cycle', 'once', { cycleId, trigger: 'once' });
    return cycleId;
  };
  const waitCycle = (id: string, timeoutMs = 30_000) => rt.ledger.waitFor(id, timeoutMs);
  return {
    rt,
    prefix,
    logText: () => lines.join('\n'),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, any>),
    startCycle,
    waitCycle,
    runOnce: async (timeoutMs) => waitCycle(await startCycle(), timeoutMs),
    async startMoreRoles(roles) {
      running.push(await startRoles(rt, roles));
    },
    async close() {
      for (const r of running) await r.close();
      await dropPrefix(prefix);
      await base.close();
    },
  };
}

/** A ControlPlanes whose control planes are replaced by `wrap(cp)` (e.g. a store that injects a race). */
export function wrapControlPlanes(
  planes: ControlPlanes,
  wrap: (cp: ControlPlane) => Partial<ControlPlane>,
): ControlPlanes {
  const wrapped = new Map(
    planes.all().map((cp) => [cp.name, Object.assign(Object.create(cp) as ControlPlane, wrap(cp))]),
  );
  return {
    names: planes.names,
    get: (name) => wrapped.get(name) ?? planes.get(name),
    all: () => [...wrapped.values()],
    credentials: planes.credentials && wrapped.get(planes.credentials.name),
  };
}

/**
 * Services whose first `plans.settle` of a group starting with `groupPrefix` throws `message` (a
 * worker losing its connection after the write, before the ack); `crashed()` tells whether it did.
 */
export function settleFailingOnce(groupPrefix: string, message: string) {
  let crashed = false;
  return {
    crashed: () => crashed,
    prepare: (s: Services): Services => ({
      ...s,
      plans: {
        list: (g) => s.plans.list(g),
        markWritten: (g, a, id, ref) => s.plans.markWritten(g, a, id, ref),
        async settle(group, a, id, o) {
          if (!crashed && group.startsWith(groupPrefix)) {
            crashed = true;
            throw new Error(message);
          }
          return s.plans.settle(group, a, id, o);
        },
      },
    }),
  };
}

/** Polls `check` until it returns a truthy value. */
export async function until<T>(
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes every Redis key of a prefix. */
export async function dropPrefix(prefix: string, redis?: Redis): Promise<void> {
  const r = redis ?? createRedis(TEST_REDIS_URL, 'cleanup');
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  if (!redis) r.disconnect();
}
