/**
 * Registry access at fleet scale: what each strategy costs per repository in the first and in a
 * steady cycle (a small registry of distinct images, counted through a recording proxy), and how
 * long two tagflow processes take to poll the fleet registry's repositories under `limit: 50`
 * against the theoretical time (repositories / 50 s), with the busiest 1-second window.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { BullmqSink } from '../shared/adapters/queue/bullmq-sink.ts';
import { createRedis } from '../shared/adapters/redis/connection.ts';
import { RedisCycleLedger } from '../shared/adapters/redis/cycle-ledger.ts';
import { Keys } from '../shared/adapters/redis/keys.ts';
import { pushTags } from '../test/fixtures/images.ts';
import { spawnTagflow, type TagflowProcess } from '../test/helpers/cli.ts';
import { dropPrefix } from '../test/helpers/pipeline.ts';
import { maxInWindow } from '../test/helpers/windows.ts';
import { startFaultProxy, type FaultProxy } from '../test/services/fault-proxy.ts';
import type { KubeObject } from '../test/services/kube-api-server.ts';
import { startKubeFixtureProcess } from '../test/services/kube-fixture-client.ts';
import { startRegistry } from '../test/services/registry.ts';
import { repoName, startBenchRegistry, tagName } from './fleet-registry.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const P = 'argocd-image-updater.argoproj.io/';
const CACHE = fileURLToPath(new URL('./.cache/strategies-10x10', import.meta.url));
const LIMIT = 50;

export interface StrategyRow {
  strategy: string;
  tags: number;
  filterPassing: number;
  firstTwoCyclesPerRepo: number;
  steadyPerRepo: number;
  steadyHeads: number;
  steadyManifestGets: number;
}

export interface BudgetRow {
  repositories: number;
  processes: number;
  limit: string;
  theoreticalMs: number;
  wallMs: number;
  ratio: number;
  busiestSecond: number;
  requests: number;
}

const STRATEGIES = [
  { name: 'semver', conf: 'open', annotations: {} },
  { name: 'alphabetical', conf: 'open', annotations: { 'update-strategy': 'alphabetical' } },
  {
    name: 'newest-build (3 of 10 tags pass)',
    conf: 'open',
    annotations: { 'update-strategy': 'newest-build', 'allow-tags': 'regexp:^v1\\.[0-2]$' },
  },
  {
    name: 'newest-build, tagsortmode latest-last',
    conf: 'sorted',
    annotations: { 'update-strategy': 'newest-build', 'allow-tags': 'regexp:^v1\\.[0-2]$' },
  },
  { name: 'digest (follows v1.5)', conf: 'open', annotations: { 'update-strategy': 'digest' }, tag: 'v1.5' },
] as const;
const REPOS_PER_STRATEGY = 10;
const TAGS = Array.from({ length: 10 }, (_, i) => `v1.${i}`);

function app(name: string, image: string, running: string, settings: Record<string, string>) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: 'argocd',
      annotations: {
        [`${P}image-list`]: `svc=${image}`,
        [`${P}write-back-method`]: 'argocd',
        ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [`${P}svc.${k}`, v])),
      },
    },
    spec: { source: { repoURL: 'https://git.example/fleet.git', path: name, targetRevision: 'main', helm: {} } },
    status: { sourceType: 'Helm', summary: { images: [`${image}:${running}`] } },
  };
}

/** Runs `n` tagflow processes against one control plane and gives a way to run cycles. */
async function fleet(objects: KubeObject[], processes: number, log: (s: string) => void) {
  const fx = await startKubeFixtureProcess({ clusters: [{ name: 'main' }] });
  await fx.cluster('main').bulkPut(objects);
  const redis: Redis = createRedis(REDIS_URL, 'bench-budget');
  const prefix = `tagflow-bench-budget-${Date.now()}`;
  const keys = new Keys(prefix);
  const sink = new BullmqSink(REDIS_URL, prefix);
  const ledger = new RedisCycleLedger(redis, keys, () => createRedis(REDIS_URL, 'bench-budget-sub'));
  const procs: TagflowProcess[] = [];
  const spawnedAt = Date.now();
  for (let i = 0; i < processes; i++)
    procs.push(
      spawnTagflow(
        ['run', '--dry-run', '--kubeconfig', fx.kubeconfigPath, '--interval', '24h', '--health-port', '0'],
        { TAGFLOW_PREFIX: prefix, KUBECONFIG: undefined, REDIS_URL },
        ['--max-old-space-size=192'],
      ),
    );
  await Promise.all(procs.map((p) => p.waitForLog((l) => l.msg === 'tagflow started', 60_000)));
  const apps = objects.filter((o) => (o as { kind: string }).kind === 'Application').length;
  for (const deadline = Date.now() + 120_000; (await redis.scard(keys.idxApps)) < apps;) {
    if (Date.now() > deadline) throw new Error('the apps never reached the index');
    await new Promise((r) => setTimeout(r, 100));
  }
  const idle = async () => {
    while ((await redis.zcard(keys.cyclesActive)) > 0) await new Promise((r) => setTimeout(r, 100));
  };
  /** Until every app has been checked once (the cycle discovery started) and no cycle runs. */
  const firstChecked = async () => {
    for (const deadline = Date.now() + 300_000; ; await new Promise((r) => setTimeout(r, 100))) {
      if ((await redis.hlen(keys.results)) >= apps && (await redis.zcard(keys.cyclesActive)) === 0) return;
      if (Date.now() > deadline) throw new Error('the first check of every app did not end');
    }
  };
  const cycle = async () => {
    await idle();
    const id = `bench-${Date.now()}`;
    const started = Date.now();
    await sink.add('cycle', 'manual', { cycleId: id, trigger: 'manual' });
    const s = await ledger.waitFor(id, 10 * 60_000);
    log(`cycle ${id}: ${s.applications} apps, errors=${s.errors}, ${Date.now() - started} ms`);
    if (s.errors > 0) throw new Error(`cycle ${id} had ${s.errors} error(s)`);
    return { started, finished: Date.now() };
  };
  const stop = async () => {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await sink.close();
    await dropPrefix(prefix, redis);
    redis.disconnect();
    await fx.stop();
  };
  return { cycle, firstChecked, stop, spawnedAt };
}

/** The strategies' registry: REPOS_PER_STRATEGY repositories per strategy, 10 distinct images each (cached). */
async function strategyRegistry(log: (s: string) => void) {
  const fresh = !existsSync(`${CACHE}/.complete`);
  await mkdir(CACHE, { recursive: true });
  const registry = await startRegistry({ auth: 'none', dir: CACHE });
  if (fresh) {
    for (const [s] of STRATEGIES.entries())
      for (let r = 0; r < REPOS_PER_STRATEGY; r++) await pushTags(registry, `strategy-${s}/repo-${r}`, TAGS);
    await writeFile(`${CACHE}/.complete`, new Date().toISOString());
    log(`strategies registry built (${STRATEGIES.length * REPOS_PER_STRATEGY} repositories × ${TAGS.length} images)`);
  }
  return registry;
}

/** Until the proxy has seen no request for a second. */
async function quiet(proxy: FaultProxy) {
  while (Date.now() - (proxy.arrivals.at(-1) ?? 0) < 1000) await new Promise((r) => setTimeout(r, 100));
}

export async function benchStrategyCosts(log: (s: string) => void): Promise<StrategyRow[]> {
  const registry = await strategyRegistry(log);
  const proxy: FaultProxy = await startFaultProxy(registry.url);
  const conf =
    `registries:\n- name: open\n  api_url: ${proxy.url}\n  prefix: open.example\n` +
    `- name: sorted\n  api_url: ${proxy.url}\n  prefix: sorted.example\n  tagsortmode: latest-last\n`;
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-image-updater-config', namespace: 'argocd' },
      data: { 'registries.conf': conf },
    },
  ];
  for (const [s, st] of STRATEGIES.entries())
    for (let r = 0; r < REPOS_PER_STRATEGY; r++) {
      const tag = 'tag' in st ? `:${st.tag}` : '';
      objects.push(app(`s${s}-r${r}`, `${st.conf}.example/strategy-${s}/repo-${r}${tag}`, 'v1.0', st.annotations));
    }
  const f = await fleet(objects, 1, log);
  try {
    const perStrategy = (from: number, to: number) =>
      STRATEGIES.map((_, s) => {
        const hits = proxy.requests.filter(
          (r, i) => proxy.arrivals[i]! >= from && proxy.arrivals[i]! <= to && r.includes(`/v2/strategy-${s}/`),
        );
        return {
          all: hits.length / REPOS_PER_STRATEGY,
          heads: hits.filter((r) => r.startsWith('HEAD ')).length / REPOS_PER_STRATEGY,
          gets: hits.filter((r) => r.startsWith('GET ') && /\/(manifests|blobs)\//.test(r)).length / REPOS_PER_STRATEGY,
        };
      });
    // the first cycle is the one discovery starts (every app new); then a steady one by hand
    await f.firstChecked();
    await quiet(proxy);
    const a = perStrategy(f.spawnedAt, Date.now());
    const steady = await f.cycle();
    await quiet(proxy);
    const b = perStrategy(steady.started, Date.now());
    return STRATEGIES.map((st, s) => ({
      strategy: st.name,
      tags: TAGS.length,
      filterPassing: 'allow-tags' in st.annotations ? 3 : 'tag' in st ? 1 : TAGS.length,
      firstTwoCyclesPerRepo: a[s]!.all,
      steadyPerRepo: b[s]!.all,
      steadyHeads: b[s]!.heads,
      steadyManifestGets: b[s]!.gets,
    }));
  } finally {
    await f.stop();
    await proxy.stop();
    await registry.stop();
  }
}

export async function benchBudget(
  scale: { repos: number; tags: number },
  processes: number,
  log: (s: string) => void,
): Promise<BudgetRow> {
  const registry = await startBenchRegistry(scale, log);
  const proxy = await startFaultProxy(registry.url);
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-image-updater-config', namespace: 'argocd' },
      data: {
        'registries.conf': `registries:\n- name: bench\n  api_url: ${proxy.url}\n  prefix: limited.example\n  limit: ${LIMIT}\n`,
      },
    },
    ...Array.from({ length: scale.repos }, (_, i) => app(`app-${i}`, `limited.example/${repoName(i)}`, tagName(0), {})),
  ];
  const f = await fleet(objects, processes, log);
  try {
    await f.cycle(); // the apps' first check
    const c = await f.cycle();
    const times = proxy.arrivals.filter((t) => t >= c.started && t <= c.finished).sort((x, y) => x - y);
    const busiest = maxInWindow(times, 1000);
    const theoreticalMs = (scale.repos / LIMIT) * 1000;
    const wallMs = c.finished - c.started;
    return {
      repositories: scale.repos,
      processes,
      limit: `${LIMIT}/s`,
      theoreticalMs,
      wallMs,
      ratio: +(wallMs / theoreticalMs).toFixed(2),
      busiestSecond: busiest,
      requests: times.length,
    };
  } finally {
    await f.stop();
    await proxy.stop();
    await registry.stop();
  }
}
