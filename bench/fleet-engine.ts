/**
 * The fleet engine under a real fleet: `apps` Applications over `repos` repositories in
 * `controlPlanes` control planes (test API servers in their own process), a real docker-registry
 * behind a recording proxy, and `tagflow run --dry-run` in its own process(es): the figures are
 * tagflow's alone. Three cycles are measured against a bare tags/list sweep of the same
 * repositories in the same run: the first (every app checked), a steady one (nothing changed) and
 * one where 1 % of the repositories got a new tag.
 */
import { Redis } from 'ioredis';
import { BullmqSink } from '../shared/adapters/queue/bullmq-sink.ts';
import { createRedis } from '../shared/adapters/redis/connection.ts';
import { RedisCycleLedger } from '../shared/adapters/redis/cycle-ledger.ts';
import { Keys } from '../shared/adapters/redis/keys.ts';
import { spawnTagflow, type TagflowProcess } from '../test/helpers/cli.ts';
import { dropPrefix } from '../test/helpers/pipeline.ts';
import { startFaultProxy } from '../test/services/fault-proxy.ts';
import { startKubeFixtureProcess, type KubeFixtureProcess } from '../test/services/kube-fixture-client.ts';
import { counterReader, cpuMs, median, rssMb, type Counters, type CycleRow } from './fleet-counters.ts';
import { bareSweep, pushNewTag, removeNewTag, repoName, startBenchRegistry, tagName } from './fleet-registry.ts';

export interface FleetScale {
  apps: number;
  repos: number;
  tags: number;
  controlPlanes: number;
  /** Processes running every role. */
  processes: number;
}

const HOST = 'bench.registry.example';
const CONCURRENCY = 8;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const P = 'argocd-image-updater.argoproj.io/';

function application(i: number, repos: number) {
  const image = `${HOST}/${repoName(i % repos)}`;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `app-${i}`,
      namespace: 'argocd',
      annotations: {
        [`${P}image-list`]: `svc=${image}:~${i % 2}`,
        [`${P}svc.allow-tags`]: 'regexp:^[0-9]+\\.[0-9]+\\.0$',
        [`${P}write-back-method`]: 'argocd',
      },
    },
    spec: {
      source: { repoURL: 'https://git.example/fleet.git', path: `apps/app-${i}`, targetRevision: 'main', helm: {} },
    },
    status: { sourceType: 'Helm', summary: { images: [`${image}:${tagName(0)}`] } },
  };
}

export async function benchFleetEngine(
  scale: FleetScale,
  log: (s: string) => void,
): Promise<{ rows: CycleRow[]; discoveryMs: number; rss: number[] }> {
  const registry = await startBenchRegistry(scale, log);
  const proxy = await startFaultProxy(registry.url);
  const names = Array.from({ length: scale.controlPlanes }, (_, i) => `cp${i + 1}`);
  const fx: KubeFixtureProcess = await startKubeFixtureProcess({ clusters: names.map((name) => ({ name })) });
  const redis: Redis = createRedis(REDIS_URL, 'bench');
  const prefix = `tagflow-bench-${Date.now()}`;
  const keys = new Keys(prefix);
  const sink = new BullmqSink(REDIS_URL, prefix);
  const ledger = new RedisCycleLedger(redis, keys, () => createRedis(REDIS_URL, 'bench-sub'));
  const procs: TagflowProcess[] = [];
  let cleanup = async () => {};
  try {
    const perCp = Math.ceil(scale.apps / scale.controlPlanes);
    for (const [c, name] of names.entries()) {
      const apps = Array.from({ length: Math.min(perCp, scale.apps - c * perCp) }, (_, j) =>
        application(c * perCp + j, scale.repos),
      );
      await fx.cluster(name).bulkPut([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'argocd-image-updater-config', namespace: 'argocd' },
          data: { 'registries.conf': `registries:\n- name: bench\n  api_url: ${proxy.url}\n  prefix: ${HOST}\n` },
        },
        ...apps,
      ]);
    }
    log(`fleet: ${scale.apps} applications in ${names.length} control planes over ${scale.repos} repositories`);
    const repos = Array.from({ length: scale.repos }, (_, i) => repoName(i));
    await bareSweep(proxy.url, repos, CONCURRENCY); // warm the registry's caches
    let sweepCpu = { registry: 0, bench: 0, n: 0 };
    const sweep = () =>
      median(3, async () => {
        const [r, c, t] = [cpuMs(registry.pid), process.cpuUsage(), performance.now()];
        await bareSweep(proxy.url, repos, CONCURRENCY);
        const ms = performance.now() - t;
        const used = process.cpuUsage(c);
        sweepCpu = {
          registry: sweepCpu.registry + cpuMs(registry.pid) - r,
          bench: sweepCpu.bench + (used.user + used.system) / 1000,
          n: sweepCpu.n + 1,
        };
        return ms;
      });

    const { read: counters, row } = counterReader({ redis, keys, prefix, fx, proxy, procs, registryPid: registry.pid });

    // First cycle: start tagflow; the watchers list every control plane, every app is new.
    const rows: CycleRow[] = [];
    const sweepFirst = await sweep();
    const before = await counters();
    const spawned = performance.now();
    const contexts = names.flatMap((n) => ['--context', n]);
    for (let i = 0; i < scale.processes; i++) {
      procs.push(
        spawnTagflow(
          [
            'run',
            '--dry-run',
            '--kubeconfig',
            fx.kubeconfigPath,
            ...contexts,
            '--interval',
            '24h',
            '--health-port',
            '0',
            '--roles',
            'scheduler,registry,select,patch,git',
            '--redis-url',
            REDIS_URL,
          ],
          { TAGFLOW_PREFIX: prefix, TAGFLOW_CONCURRENCY: `registry=${CONCURRENCY}`, KUBECONFIG: undefined },
          // as the image runs it (Dockerfile: NODE_OPTIONS=--max-old-space-size=192), plus what the caller adds
          ['--max-old-space-size=192', ...(process.env.BENCH_TAGFLOW_NODE_ARGS ?? '').split(' ').filter(Boolean)],
        ),
      );
    }
    let discoveryMs = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const logs = procs.flatMap((p) => p.logs());
      const fatal = logs.find(
        (l) => l.level === 'fatal' || (typeof l.raw === 'string' && l.raw.startsWith('tagflow:')),
      );
      if (fatal) throw new Error(`tagflow failed: ${JSON.stringify(fatal)}`);
      const gone = procs.find((p) => p.exitCode() !== null);
      if (gone)
        throw new Error(
          `tagflow exited (${gone.exitCode()}): ${logs
            .slice(-40)
            .map((l) => JSON.stringify(l))
            .join('\n')}`,
        );
      if (
        !discoveryMs &&
        logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('watching ')).length >= names.length
      )
        discoveryMs = performance.now() - spawned;
      const checked = await redis.hlen(keys.results);
      if (checked >= scale.apps && (await redis.zcard(keys.cyclesActive)) === 0) break;
      if (performance.now() - spawned > 15 * 60_000)
        throw new Error(`first cycle did not end (${checked} apps checked)`);
    }
    const done = await redis.zrange(keys.cyclesDone, '0', '-1');
    const spans = await Promise.all(done.map((id) => ledger.get(id)));
    const first = Math.min(...spans.map((s) => s!.startedAt));
    const last = Math.max(...spans.map((s) => s!.finishedAt ?? 0));
    const afterFirst = await counters();
    const sweepAfter = await sweep();
    rows.push({
      ...row(
        `first (${done.length} cycle(s) after discovery)`,
        '≤ 3 ×',
        last - first,
        (sweepFirst + sweepAfter) / 2,
        before,
        afterFirst,
      ),
      ratios: `${((last - first) / sweepFirst).toFixed(2)} / ${((last - first) / sweepAfter).toFixed(2)} (sweep before / after)`,
    });
    log(
      `first cycle: ${last - first} ms of cycles, discovery ${Math.round(discoveryMs)} ms after the processes started`,
    );
    for (const c of spans)
      log(
        `  cycle ${c!.cycleId} (${c!.trigger}): +${c!.startedAt - first} ms, ran ${(c!.finishedAt ?? 0) - c!.startedAt} ms over ${c!.applications} apps`,
      );

    const manual = async () => {
      const id = `bench-${Date.now()}`;
      const t = performance.now();
      const enqueued = Date.now();
      await sink.add('cycle', 'manual', { cycleId: id, trigger: 'manual' });
      const s = await ledger.waitFor(id, 10 * 60_000);
      log(`cycle ${id}: picked up after ${s.startedAt - enqueued} ms, ran ${(s.finishedAt ?? 0) - s.startedAt} ms`);
      return { ms: performance.now() - t, s };
    };

    // The machine is shared and noisy: each measured cycle runs REPEAT times, each between two
    // sweeps, and the row reports the median of (cycle / mean of its two sweeps), with its figures.
    const measure = async (
      label: string,
      target: string,
      before: () => Promise<void>,
      check: (s: { applications: number }) => void,
    ) => {
      const runs: { ms: number; sweepMs: number; a: Counters; b: Counters }[] = [];
      for (let i = 0; i < REPEAT; i++) {
        await before();
        const s1 = await sweep();
        const a = await counters();
        const cycle = await manual();
        const b = await counters();
        const s2 = await sweep();
        check(cycle.s);
        runs.push({ ms: cycle.ms, sweepMs: (s1 + s2) / 2, a, b });
      }
      const mid = [...runs].sort((x, y) => x.ms / x.sweepMs - y.ms / y.sweepMs)[Math.floor(REPEAT / 2)]!;
      rows.push({
        ...row(label, target, mid.ms, mid.sweepMs, mid.a, mid.b),
        ratios: runs.map((r) => +(r.ms / r.sweepMs).toFixed(2)).join(' '),
      });
    };

    // Steady: nothing changed.
    await measure(
      'steady (no new tags)',
      '≤ 1.25 ×, 0 selects, 0 lists',
      async () => {},
      (s) => {
        if (s.applications !== scale.apps) throw new Error(`steady cycle covered ${s.applications} apps`);
      },
    );

    // 1 %: a new tag in 1 % of the repositories (a different 1 % each time).
    const onePercent = Math.max(1, Math.round(scale.repos / 100));
    let round = 0;
    const pushed: string[] = [];
    cleanup = async () => {
      for (const r of pushed) await removeNewTag(registry, r, tagName(scale.tags)).catch(() => undefined);
    };
    await measure(
      `1 % (${onePercent} repositories with a new tag)`,
      '≤ 1.5 ×, selects for their apps only',
      async () => {
        const changed = repos.slice(round * onePercent, ++round * onePercent);
        for (const r of changed) {
          await pushNewTag(registry, r, tagName(scale.tags));
          pushed.push(r);
        }
      },
      () => {},
    );
    log(
      `a bare sweep costs the registry ${Math.round(sweepCpu.registry / sweepCpu.n)} ms of CPU and the sweeping process (proxy included) ${Math.round(sweepCpu.bench / sweepCpu.n)} ms (mean of ${sweepCpu.n})`,
    );
    return { rows, discoveryMs, rss: procs.map((p) => rssMb(p.pid)) };
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await cleanup();
    await sink.close();
    await dropPrefix(prefix, redis);
    redis.disconnect();
    await Promise.allSettled([fx.stop(), proxy.stop(), registry.stop()]);
  }
}
