/**
 * The whole tagflow pipeline in the test process: the real runtime (Redis stores, BullMQ queues,
 * kube client, git workspaces, registry clients) and the real worker pools, with a captured JSON
 * log and a short BullMQ backoff so retries take milliseconds.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { startRoles, type RunningRoles } from '../../apps/cli/roles.ts';
import { createRuntime, type Runtime } from '../../apps/cli/runtime.ts';
import { BullmqSink } from '../../shared/adapters/queue/bullmq-sink.ts';
import type { Role } from '../../shared/config/schema.ts';
import { loadConfig } from '../../shared/config/load-config.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import type { CycleSummary } from '../../shared/ports/cycle-tracker.ts';
import { TEST_REDIS_URL, uniquePrefix } from './redis.ts';

export interface PipelineOptions {
  prefix?: string;
  roles?: Role[];
  logLevel?: 'trace' | 'debug' | 'info';
  backoffDelayMs?: number;
  /** Swap adapters (wrappers that inject races) before the workers are built. */
  prepare?: (rt: Runtime) => void;
}

export interface Pipeline {
  rt: Runtime;
  prefix: string;
  /** Every log line so far (JSON). */
  logText(): string;
  logs(): Record<string, any>[];
  /** Enqueues a cycle and returns its id without waiting. */
  startCycle(): Promise<string>;
  waitCycle(cycleId: string, timeoutMs?: number): Promise<CycleSummary>;
  runOnce(timeoutMs?: number): Promise<CycleSummary>;
  /** Starts more worker pools on the same runtime (e.g. the git pool after plans were made). */
  startMoreRoles(roles: Role[]): Promise<void>;
  close(): Promise<void>;
}

export async function startPipeline(kubeconfigPath: string, o: PipelineOptions = {}): Promise<Pipeline> {
  const prefix = o.prefix ?? uniquePrefix('wb');
  const config = loadConfig(
    { kubeconfig: kubeconfigPath, redisUrl: TEST_REDIS_URL, once: true, roles: (o.roles ?? ['scheduler', 'registry', 'select', 'patch', 'git']).join(','), loglevel: o.logLevel ?? 'debug', logformat: 'json' },
    { TAGFLOW_PREFIX: prefix },
  );
  const lines: string[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => lines.push(...c.toString('utf8').split('\n').filter(Boolean)));
  const rt = await createRuntime(config, { ...process.env, KUBECONFIG: undefined }, createLogger({ level: config.logLevel, format: 'json', destination: out }));
  const sink = new BullmqSink(TEST_REDIS_URL, prefix, { backoffDelayMs: o.backoffDelayMs ?? 50 });
  rt.sink = sink;
  o.prepare?.(rt);
  const running: RunningRoles[] = [await startRoles(rt)];

  const startCycle = async () => {
    const cycleId = `test-${Date.now()}-${randomBytes(3).toString('hex')}`;
    await rt.sink.add('cycle', 'once', { cycleId, trigger: 'once' });
    return cycleId;
  };
  const waitCycle = (id: string, timeoutMs = 30_000) => rt.cycles.waitFor(id, timeoutMs);
  return {
    rt,
    prefix,
    logText: () => lines.join('\n'),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, any>),
    startCycle,
    waitCycle,
    runOnce: async (timeoutMs) => waitCycle(await startCycle(), timeoutMs),
    async startMoreRoles(roles) {
      running.push(await startRoles({ ...rt, config: { ...rt.config, roles } }));
    },
    async close() {
      for (const r of running) await r.close();
      await dropPrefix(rt, prefix);
      await sink.close();
      await rt.close();
    },
  };
}

/** Polls `check` until it returns a truthy value. */
export async function until<T>(check: () => Promise<T> | T, timeoutMs = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes every Redis key of a prefix. */
export async function dropPrefix(rt: Runtime, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await rt.redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await rt.redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
