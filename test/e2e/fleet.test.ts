/**
 * The fleet engine end to end: two `tagflow run` processes (every role) serving two control planes
 * (`east`, `west`) with apps in three namespaces, git and argocd write-back, `--interval 10m`, so
 * everything that happens here is driven by watches, changes and cycles enqueued by hand.
 * Real registry, real git, the test API servers through the real client.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { BullmqSink } from '../../shared/adapters/queue/bullmq-sink.ts';
import { connectionOptions, createRedis } from '../../shared/adapters/redis/connection.ts';
import { RedisCycleLedger } from '../../shared/adapters/redis/cycle-ledger.ts';
import { Keys } from '../../shared/adapters/redis/keys.ts';
import {
  GIT_CREDS,
  startFleetEnvironment,
  type ControlPlaneName,
  type FleetEnvironment,
} from '../fixtures/fleet-environment.ts';
import { runCli, spawnTagflow, type TagflowProcess } from '../helpers/cli.ts';
import { dropPrefix, until } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const P = 'argocd-image-updater.argoproj.io/';
let env: FleetEnvironment;
let prefix: string;
let procs: TagflowProcess[] = [];
const everyProc: TagflowProcess[] = [];
let sink: BullmqSink;
let ledger: RedisCycleLedger;
const redis = createRedis(TEST_REDIS_URL, 'fleet-e2e');

interface FleetApp {
  cp: ControlPlaneName;
  namespace: string;
  name: string;
  repo: string;
  git: boolean;
}
const FLEET: FleetApp[] = [
  { cp: 'east', namespace: 'argocd', name: 'shop', repo: 'fleet/svc-1', git: false },
  { cp: 'east', namespace: 'team-a', name: 'cart', repo: 'fleet/svc-1', git: true },
  { cp: 'east', namespace: 'team-b', name: 'search', repo: 'fleet/svc-2', git: false },
  { cp: 'west', namespace: 'argocd', name: 'shop', repo: 'fleet/svc-1', git: true },
  { cp: 'west', namespace: 'team-a', name: 'cart', repo: 'fleet/svc-2', git: false },
  { cp: 'west', namespace: 'team-b', name: 'search', repo: 'fleet/svc-2', git: true },
];
const tagOf = (a: FleetApp) =>
  a.git ? env.committedTag(a.cp, a.namespace, a.name) : Promise.resolve(env.patchedTag(a.cp, a.namespace, a.name));
const onTag = async (apps: readonly FleetApp[], tag: string) =>
  (await Promise.all(apps.map(tagOf))).every((t) => t === tag);

/** Flags that watch every namespace of both control planes of the kubeconfig. */
const bothControlPlanes = () => [
  '--kubeconfig',
  env.kubeconfigPath,
  '--context',
  'east',
  '--context',
  'west',
  '--watch-namespaces',
  '*',
];

function start(): TagflowProcess {
  const p = spawnTagflow(
    ['run', ...bothControlPlanes(), '--interval', '10m', '--health-port', '0', '--redis-url', TEST_REDIS_URL],
    { TAGFLOW_PREFIX: prefix, KUBECONFIG: undefined },
  );
  procs.push(p);
  everyProc.push(p);
  return p;
}

/** Enqueues an interval-like cycle by hand and waits for its results. */
async function cycle(timeoutMs = 40_000) {
  const cycleId = `manual-${Date.now()}-${randomBytes(3).toString('hex')}`;
  await sink.add('cycle', 'manual', { cycleId, trigger: 'manual' });
  return { cycleId, summary: await ledger.waitFor(cycleId, timeoutMs) };
}

const allLogs = () => everyProc.flatMap((p) => p.logs());
/** Where each process's log is now; `since(mark)` gives the lines logged after it. */
const mark = () => procs.map((p) => p.logs().length);
const since = (m: number[]) => procs.flatMap((p, i) => p.logs().slice(m[i] ?? 0));

beforeAll(async () => {
  env = await startFleetEnvironment();
  prefix = uniquePrefix('fleet');
  await env.pushTags('fleet/svc-1', ['v1.0', 'v2.0']);
  await env.pushTags('fleet/svc-2', ['v1.0', 'v2.0']);
  await env.pushTags('fleet/svc-3', ['v1.0', 'v2.0']);
  await env.pushTags('fleet/web', ['1.0.0', '1.1.0']);
  for (const a of FLEET)
    env.app(a.cp, { name: a.name, namespace: a.namespace, repo: a.repo, writeBack: a.git ? GIT_CREDS : 'argocd' });
  sink = new BullmqSink(TEST_REDIS_URL, prefix);
  ledger = new RedisCycleLedger(redis, new Keys(prefix), () => createRedis(TEST_REDIS_URL, 'fleet-sub'));
  start();
  start();
  await Promise.all(procs.map((p) => p.waitForLog((l) => l.msg === 'tagflow started', 60_000)));
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  if (process.env.TAGFLOW_TEST_LOGS) {
    const { writeFileSync } = await import('node:fs');
    everyProc.forEach((p, i) =>
      writeFileSync(
        `${process.env.TAGFLOW_TEST_LOGS}/fleet-${i}.log`,
        p
          .logs()
          .map((l) => JSON.stringify(l))
          .join('\n'),
      ),
    );
  }
  await sink?.close();
  await dropPrefix(prefix, redis);
  redis.disconnect();
  await env?.stop();
});

describe('two control planes, three namespaces, two processes', () => {
  it('discovers every app by watching and converges without waiting for the interval; keys carry the control plane', async () => {
    await until(() => onTag(FLEET, 'v2.0'), 60_000, 'every app on v2.0');
    // the <namespace>_<app> override file outside the Argo CD namespace
    expect(await env.git.readFile('fleet-gitops', 'apps/east/team-a/cart/.argocd-source-team-a_cart.yaml')).toContain(
      'value: v2.0',
    );
    const audit = await runCli(['audit', '--app', 'west/team-b/search', '-o', 'json', '--redis-url', TEST_REDIS_URL], {
      TAGFLOW_PREFIX: prefix,
    });
    const records = JSON.parse(audit.stdout) as { app: string; kind: string; outcome: string }[];
    expect(
      records.some((r) => r.app === 'west/team-b/search' && r.kind === 'write-back' && r.outcome === 'updated'),
    ).toBe(true);
    const started = allLogs().filter(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('took the lease of control plane'),
    );
    expect(started.map((l) => l.controlPlane).sort()).toEqual(['east', 'west']);
    expect(allLogs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('Processing results: '))).toBe(true);
  }, 90_000);

  it('an annotation edit is acted on within 5 s while --interval is 10 minutes', async () => {
    env.app('east', {
      name: 'edit-me',
      namespace: 'team-a',
      repo: 'fleet/svc-3',
      annotations: { [`${P}svc.allow-tags`]: 'regexp:^v1\\.' },
    });
    await until(
      async () => {
        const logs = allLogs().filter(
          (l) =>
            l.msg ===
              'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=0 errors=0' &&
            l.trigger === 'app-changed',
        );
        return logs.length > 0 || env.patchedTag('east', 'team-a', 'edit-me') !== undefined;
      },
      30_000,
      'the new app to be checked',
    );
    expect(env.patchedTag('east', 'team-a', 'edit-me')).toBeUndefined(); // v1.0 is the newest allowed: nothing to do
    const app = env.application('east', 'team-a', 'edit-me')!;
    app.metadata.annotations![`${P}svc.allow-tags`] = 'regexp:^v[0-9]+\\.';
    const edited = Date.now();
    env.clusters.get('east').server.put(app);
    await until(() => env.patchedTag('east', 'team-a', 'edit-me') === 'v2.0', 5_000, 'the edit to be acted on');
    expect(Date.now() - edited).toBeLessThan(5_000);
  }, 60_000);

  it('an ImageUpdater selects apps by label; its status tells what it manages and what it updated', async () => {
    const kube = env.clusters.get('east').server;
    env.app('east', {
      name: 'web-1',
      namespace: 'team-b',
      repo: 'fleet/web',
      annotate: false,
      labels: { tier: 'web' },
      running: '1.0.0',
    });
    env.app('east', {
      name: 'batch-1',
      namespace: 'team-b',
      repo: 'fleet/web',
      annotate: false,
      labels: { tier: 'batch' },
      running: '1.0.0',
    });
    kube.put({
      apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1',
      kind: 'ImageUpdater',
      metadata: { name: 'web-updater', namespace: 'team-b' },
      spec: {
        writeBackConfig: { method: 'argocd' },
        applicationRefs: [
          {
            namePattern: '*',
            labelSelectors: { matchLabels: { tier: 'web' } },
            images: [
              {
                alias: 'web',
                imageName: 'fleet.example/fleet/web',
                manifestTargets: { helm: { name: 'image.name', tag: 'image.tag' } },
              },
            ],
          },
        ],
      },
    });
    await until(
      () => env.patchedTag('east', 'team-b', 'web-1') === '1.1.0',
      20_000,
      'web-1 updated through the ImageUpdater',
    );
    expect(env.patchedTag('east', 'team-b', 'batch-1')).toBeUndefined();
    await cycle();
    const status = await until(
      () => {
        const s = kube.get('argocd-image-updater.argoproj.io/v1alpha1', 'imageupdaters', 'team-b', 'web-updater')
          ?.status as Record<string, any> | undefined;
        return s?.lastCheckedAt ? s : undefined;
      },
      15_000,
      'the ImageUpdater status',
    );
    expect(status).toMatchObject({
      applicationsMatched: 1,
      imagesManaged: 1,
      recentUpdates: [expect.objectContaining({ alias: 'web', newVersion: '1.1.0', applicationsUpdated: 1 })],
    });
    expect(status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded' }),
      ]),
    );
  }, 60_000);

  it('one control plane answering 500 for a minute: one clear error naming it, the other converges meanwhile', async () => {
    const west = env.clusters.get('west').server;
    const logsBefore = mark();
    await west.outageStart({ mode: 'status' });
    const outage = Date.now();
    try {
      await env.pushTags('fleet/svc-1', ['v3.0']);
      // west's write-backs are retried until they fail for good; the cycle is not awaited here
      await sink.add('cycle', 'manual', { cycleId: `manual-outage-${Date.now()}`, trigger: 'manual' });
      const eastOnSvc1 = FLEET.filter((a) => a.cp === 'east' && a.repo === 'fleet/svc-1');
      await until(() => onTag(eastOnSvc1, 'v3.0'), 20_000, 'east to converge during the outage');
      const errors = since(logsBefore).filter(
        (l) =>
          l.level === 'error' &&
          l.controlPlane === 'west' &&
          typeof l.msg === 'string' &&
          l.msg.startsWith('cannot watch: control plane west'),
      );
      expect(errors).toHaveLength(1); // one report for the outage, not one per feed or retry
      expect(
        errors.some((l) =>
          /cannot watch: control plane west: (Applications|ImageUpdaters) in all namespaces: (list|watch): HTTP 500/.test(
            l.msg,
          ),
        ),
      ).toBe(true);
      await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - outage))));
    } finally {
      await west.outageEnd();
    }
    await until(
      () => since(logsBefore).some((l) => l.msg === 'control plane west is reachable again'),
      40_000,
      'west to be watched again',
    );
    await cycle();
    await until(
      () =>
        onTag(
          FLEET.filter((a) => a.repo === 'fleet/svc-1'),
          'v3.0',
        ),
      40_000,
      'west to converge after the outage',
    );
  }, 180_000);

  it('run --once with one control plane refusing tagflow (401): one error naming it, the verb and the resource; the other is checked', async () => {
    const west = env.clusters.get('west').server;
    west.revokeToken();
    try {
      const once = uniquePrefix('fleet-once');
      const run = await runCli(['run', '--once', '--dry-run', ...bothControlPlanes(), '--redis-url', TEST_REDIS_URL], {
        TAGFLOW_PREFIX: once,
        KUBECONFIG: undefined,
      });
      await dropPrefix(once, redis);
      expect(run.code).toBe(1);
      const errors = run.stdout
        .split('\n')
        .filter((l) => l.includes('level=error') && l.includes('control plane west'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/control plane west: list Applications in all namespaces: HTTP 401/);
      const results = /Processing results: applications=(\d+) images_considered=(\d+) .* errors=(\d+)/.exec(run.stdout);
      // east: its three fleet apps, edit-me, and web-1 (selected by the ImageUpdater)
      expect(results?.slice(1).map(Number)).toEqual([5, 5, 1]);
    } finally {
      west.restoreToken();
    }
  }, 60_000);

  it('each app is checked once per cycle, not once per process', async () => {
    await env.pushTags('fleet/svc-2', ['v4.0']);
    const since = Date.now();
    const { summary } = await cycle();
    expect(summary.applications).toBeGreaterThanOrEqual(FLEET.length);
    const audit = JSON.parse(
      (
        await runCli(['audit', '-o', 'json', '--limit', '2000', '--redis-url', TEST_REDIS_URL], {
          TAGFLOW_PREFIX: prefix,
        })
      ).stdout,
    ) as { app: string; kind: string; at: number; image?: string; trigger?: string }[];
    // checks of this cycle (an argocd write-back changes the Application, which is checked again as a change)
    const checks = audit.filter(
      (r) => r.kind === 'select' && r.at >= since && r.image === 'fleet.example/fleet/svc-2' && r.trigger === 'manual',
    );
    const perApp = new Map<string, number>();
    for (const r of checks) perApp.set(r.app, (perApp.get(r.app) ?? 0) + 1);
    expect([...perApp.keys()].sort()).toEqual(
      FLEET.filter((a) => a.repo === 'fleet/svc-2')
        .map((a) => `${a.cp}/${a.namespace}/${a.name}`)
        .sort(),
    );
    expect([...perApp.values()].every((n) => n === 1)).toBe(true);
    const results = () =>
      allLogs().filter(
        (l) => l.cycle === summary.cycleId && typeof l.msg === 'string' && l.msg.startsWith('Processing results: '),
      );
    await until(() => results().length > 0, 5_000, 'the results line');
    await new Promise((r) => setTimeout(r, 500));
    expect(results()).toHaveLength(1);
  }, 60_000);

  it("a process SIGKILLed while it runs a cycle's poll: the other resumes the job and the cycle ends within one lease period", async () => {
    const polls = new Queue('poll', { connection: connectionOptions(TEST_REDIS_URL), prefix });
    const normal = env.proxy.slowDown({ pathRegex: /\/tags\/list$/, ms: 3000 });
    try {
      await env.pushTags('fleet/svc-1', ['v5.0']);
      await env.pushTags('fleet/svc-2', ['v5.0']);
      const cycleId = `manual-kill-${Date.now()}`;
      await sink.add('cycle', 'manual', { cycleId, trigger: 'manual' });
      const active = await until(
        async () => (await polls.getJobs(['active']))[0],
        20_000,
        'the poll job to be running',
      );
      const victim = procs.find((p) => active.processedBy?.includes(`:${p.pid}:`));
      expect(victim, `the process running poll job ${active.id} (${active.processedBy})`).toBeDefined();
      await victim!.kill('SIGKILL');
      procs = procs.filter((p) => p !== victim);
      const killed = Date.now();
      normal(); // the resumed poll answers at normal speed
      const summary = await ledger.waitFor(cycleId, 60_000);
      expect(summary.finishedAt! - killed).toBeLessThan(20_000); // job locks 10 s + 4 s stall check, plus a busy machine's slack
      await until(
        () =>
          allLogs().some(
            (l) =>
              l.cycle === cycleId && typeof l.msg === 'string' && l.msg.startsWith('Processing results: applications='),
          ),
        5_000,
        'the results line of the cycle',
      );
      await until(() => onTag(FLEET, 'v5.0'), 30_000, 'every app on v5.0 after the kill');
    } finally {
      normal();
      await polls.close();
    }
  }, 120_000);

  it('the process holding the control planes SIGKILLed: another takes them over within one lease period and acts on changes', async () => {
    const third = start();
    await third.waitForLog((l) => l.msg === 'tagflow started', 60_000);
    // the holder is whichever process took the leases (the third too, when the earlier holder was the
    // process the previous test killed); the survivors must take them over
    const holder = await until(() => redis.get(`${prefix}:lease:watch:east`), 20_000, 'a holder of east');
    const victim = procs.find((p) => holder.includes(`:${p.pid}:`))!;
    expect(victim, `the holder ${holder}`).toBeDefined();
    await victim.kill('SIGKILL');
    procs = procs.filter((p) => p !== victim);
    const killed = Date.now();
    const from = new Map(procs.map((p) => [p, p.logs().length]));
    const tookOver = (cp: string) =>
      Promise.any(
        procs.map((p) =>
          p.waitForLog(
            (l) => typeof l.msg === 'string' && l.msg.startsWith(`took the lease of control plane ${cp}`),
            30_000,
            from.get(p),
          ),
        ),
      );
    await tookOver('east');
    await tookOver('west');
    expect(Date.now() - killed).toBeLessThan(17_000); // one lease period (15 s) and the next try
    const edited = Date.now();
    const app = env.application('east', 'team-a', 'edit-me')!;
    app.metadata.annotations![`${P}svc.allow-tags`] = 'regexp:^v1\\.';
    app.status.summary.images = ['fleet.example/fleet/svc-3:v1.0'];
    env.clusters.get('east').server.put(app);
    await until(
      async () => {
        const audit = JSON.parse(
          (
            await runCli(['audit', '--app', 'east/team-a/edit-me', '-o', 'json', '--redis-url', TEST_REDIS_URL], {
              TAGFLOW_PREFIX: prefix,
            })
          ).stdout,
        ) as { at: number; reason: string }[];
        return audit.some((r) => r.at >= edited && r.reason === 'already-newest');
      },
      10_000,
      'the edit to be acted on by the new holder',
    );
  }, 120_000);
});
