/**
 * What the fleet benchmark reads around each cycle: Redis' command count and CPU, job ids, audit
 * records, registry requests, Kubernetes requests, and the CPU and peak RSS of each process.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Keys } from '../shared/adapters/redis/keys.ts';
import type { TagflowProcess } from '../test/helpers/cli.ts';
import type { FaultProxy } from '../test/services/fault-proxy.ts';
import { countOf } from '../test/services/kube-accounting.ts';
import type { KubeFixtureProcess } from '../test/services/kube-fixture-client.ts';

export interface CycleRow {
  cycle: string;
  wallMs: number;
  sweepMs: number;
  ratio: number;
  target: string;
  appsChecked: number;
  selectJobs: number;
  pollJobs: number;
  registryRequests: number;
  redisCommands: number;
  kubeRequests: number;
  kubeAppLists: number;
  /** CPU time the tagflow process(es) and Redis spent during the cycle. */
  tagflowCpuMs: number;
  redisCpuMs: number;
  registryCpuMs: number;
  peakRssMb: string;
  /** Every run's ratio (the row shows the median run). */
  ratios?: string;
}

export const rssMb = (pid: number) => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
};

/** CPU time (user + system) a process has used so far, in ms. */
export const cpuMs = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
};

export async function median(n: number, fn: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await fn());
  return xs.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

export interface Counters {
  redis: number;
  selectId: number;
  pollId: number;
  audit: number;
  registry: number;
  kube: number;
  kubeLists: number;
  tagflowCpu: number;
  redisCpu: number;
  registryCpu: number;
}

export interface CounterDeps {
  redis: Redis;
  keys: Keys;
  prefix: string;
  fx: KubeFixtureProcess;
  proxy: FaultProxy;
  /** The tagflow processes (filled in as they start). */
  procs: readonly TagflowProcess[];
  registryPid: number;
}

/** Reads the counters, and turns two readings around a cycle into its table row. */
export function counterReader(d: CounterDeps) {
  const { redis, keys, prefix, fx, proxy, procs, registryPid } = d;
  const read = async (): Promise<Counters> => {
    const info = await redis.info('stats');
    const cpu = await redis.info('cpu');
    const redisCpu = ['used_cpu_user', 'used_cpu_sys']
      .map((f) => Number(new RegExp(`${f}:([0-9.]+)`).exec(cpu)?.[1] ?? 0) * 1000)
      .reduce((a, b) => a + b, 0);
    const kube = await fx.counts();
    return {
      redis: Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0),
      selectId: Number((await redis.get(`${prefix}:select:id`)) ?? 0),
      pollId: Number((await redis.get(`${prefix}:poll:id`)) ?? 0),
      audit: await redis.xlen(keys.audit),
      registry: proxy.requests.length,
      kube: Object.values(kube).reduce((n, c) => n + c.total, 0),
      kubeLists: Object.values(kube).reduce((n, c) => n + countOf(c, 'list', 'applications.argoproj.io'), 0),
      tagflowCpu: procs.reduce((n, p) => n + cpuMs(p.pid), 0),
      redisCpu,
      registryCpu: cpuMs(registryPid),
    };
  };
  const row = (cycle: string, target: string, wallMs: number, sweepMs: number, a: Counters, b: Counters): CycleRow => ({
    cycle,
    wallMs: Math.round(wallMs),
    sweepMs: Math.round(sweepMs),
    ratio: +(wallMs / sweepMs).toFixed(2),
    target,
    appsChecked: b.audit - a.audit,
    selectJobs: b.selectId - a.selectId,
    pollJobs: b.pollId - a.pollId,
    registryRequests: b.registry - a.registry,
    redisCommands: b.redis - a.redis,
    kubeRequests: b.kube - a.kube,
    kubeAppLists: b.kubeLists - a.kubeLists,
    tagflowCpuMs: Math.round(b.tagflowCpu - a.tagflowCpu),
    redisCpuMs: Math.round(b.redisCpu - a.redisCpu),
    registryCpuMs: Math.round(b.registryCpu - a.registryCpu),
    peakRssMb: procs.map((p) => rssMb(p.pid)).join(' / '),
  });
  return { read, row };
}
