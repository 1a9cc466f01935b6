import { randomBytes } from 'node:crypto';
import type { Worker } from 'bullmq';
import { startWorker, type WorkerOptions } from '../../shared/adapters/queue/worker-runner.ts';
import { JOB_SCHEMAS } from '../../shared/jobs/payloads.ts';
import type { CycleSummary } from '../../shared/ports/cycle-tracker.ts';
import type { Runtime } from './runtime.ts';
import { schedulerHandler, scheduleTicks } from '../scheduler/main.ts';
import { registryHandler } from '../../workers/registry/main.ts';
import { selectHandler } from '../../workers/select/main.ts';
import { patchHandler } from '../../workers/patch/main.ts';
import { gitHandler } from '../../workers/git/main.ts';
import { startApi, type ApiServer } from '../api/main.ts';

export interface RunningRoles {
  /** Runs one full cycle now and resolves with its results once every job of it settled. */
  runOnce(timeoutMs?: number): Promise<CycleSummary>;
  reportedLocally(cycleId: string): boolean;
  close(): Promise<void>;
}

/** Starts the roles the configuration asks for, each as its own BullMQ worker pool. */
export async function startRoles(rt: Runtime): Promise<RunningRoles> {
  const { config } = rt;
  const has = (r: (typeof config.roles)[number]) => config.roles.includes(r);
  const base: Omit<WorkerOptions, 'concurrency'> = { redisUrl: config.redisUrl, prefix: config.queuePrefix, log: rt.log };
  const workers: Worker[] = [];
  const reported = new Set<string>();
  rt.report.listeners.add((s) => reported.add(s.cycleId));

  if (has('scheduler')) workers.push(startWorker('cycle', JOB_SCHEMAS.cycle, schedulerHandler(rt), { ...base, concurrency: 1 }));
  if (has('registry')) workers.push(startWorker('poll', JOB_SCHEMAS.poll, registryHandler(rt), { ...base, concurrency: config.concurrency.registry }));
  if (has('select')) workers.push(startWorker('select', JOB_SCHEMAS.select, selectHandler(rt), { ...base, concurrency: config.concurrency.select }));
  if (has('patch')) workers.push(startWorker('patch', JOB_SCHEMAS.patch, patchHandler(rt), { ...base, concurrency: config.concurrency.patch }));
  if (has('git')) workers.push(startWorker('commit', JOB_SCHEMAS.commit, gitHandler(rt), { ...base, concurrency: config.concurrency.git }));
  const periodic = has('scheduler') && !config.once && config.intervalMs > 0;
  if (periodic) await scheduleTicks(rt);
  const api: ApiServer | undefined = has('api') && !config.once ? await startApi(rt) : undefined;
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  rt.log.info({ roles: config.roles, interval: config.intervalMs, dryRun: config.dryRun }, 'tagflow started');

  return {
    async runOnce(timeoutMs = 15 * 60_000) {
      const cycleId = `once-${Date.now()}-${randomBytes(3).toString('hex')}`;
      await rt.sink.add('cycle', 'once', { cycleId, trigger: 'once' });
      return rt.cycles.waitFor(cycleId, timeoutMs);
    },
    reportedLocally: (id) => reported.has(id),
    async close() {
      await api?.close();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
