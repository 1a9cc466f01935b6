import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { SEED_IMAGE } from '../fixtures/gitops-demo.ts';
import { startWritebackEnvironment, type WritebackEnvironment } from '../fixtures/writeback-environment.ts';
import { runCli } from '../helpers/cli.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const P = 'argocd-image-updater.argoproj.io/';
let env: WritebackEnvironment;
const redis = createRedis(TEST_REDIS_URL, 'test');
/** The "production" prefix a tagflow would run on: the plan must leave it as it was. */
const prefix = uniquePrefix('plan');

beforeAll(async () => {
  env = await startWritebackEnvironment();
  env.app({ name: 'by-git', writeBack: 'git:secret:argocd/git-creds' });
  env.app({ name: 'by-argocd', writeBack: 'argocd' });
  env.app({ name: 'up-to-date', writeBack: 'argocd', running: 'v2.0' });
  env.app({ name: 'broken', writeBack: 'argocd' });
  const broken = env.application('broken')!;
  broken.metadata.annotations![`${P}echoserver.allow-tags`] = 'regexp:(';
  env.kube.put(broken);
  // configured by an ImageUpdater (whose status `run --once` writes), not by annotations
  env.app({ name: 'by-updater', writeBack: 'argocd' });
  const byUpdater = env.application('by-updater')!;
  byUpdater.metadata.annotations = {};
  byUpdater.metadata.labels = { tier: 'web' };
  env.kube.put(byUpdater);
  env.kube.put({
    apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1',
    kind: 'ImageUpdater',
    metadata: { name: 'web-updater', namespace: 'argocd' },
    spec: {
      writeBackConfig: { method: 'argocd' },
      applicationRefs: [
        {
          namePattern: '*',
          labelSelectors: { matchLabels: { tier: 'web' } },
          images: [
            {
              alias: 'web',
              imageName: SEED_IMAGE,
              commonUpdateSettings: { allowTags: 'regexp:^v[1-9]\\.[0-9]+$' },
              manifestTargets: { helm: { name: 'image.repository', tag: 'image.tag' } },
            },
          ],
        },
      ],
    },
  });
  await redis.set(`${prefix}:marker`, 'production');
  // what a killed plan left behind (no heartbeat), and a plan still running (its heartbeat is there)
  await redis.hset(`${prefix}-plan-deadbeef:poll:meta`, 'version', 'x');
  await redis.hset(`${prefix}-plan-0badc0de:poll:meta`, 'version', 'x');
  await redis.set(`${prefix}-plan-0badc0de:plan:alive`, '1');
}, 60_000);

afterAll(async () => {
  await redis.del(`${prefix}:marker`, `${prefix}-plan-0badc0de:poll:meta`, `${prefix}-plan-0badc0de:plan:alive`);
  redis.disconnect();
  await env?.stop();
});

const args = () => ['plan', '--kubeconfig', env.kubeconfigPath, '--redis-url', TEST_REDIS_URL];
const target = (app: string) => `${env.repoURL} HEAD:manifests/helm/.argocd-source-${app}.yaml`;

async function keysOf(pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    out.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return out.sort();
}

/** Runs `tagflow plan` and checks it wrote nothing: only reads of Kubernetes, no git push, no keys left. */
async function planWritingNothing(extra: string[]) {
  env.kube.resetRequests();
  const gitRequests = env.git.requests.length;
  const commits = (await env.git.log('gitops-demo')).length;
  const apps = env.kube.list('argoproj.io/v1alpha1', 'applications', 'argocd').map((a) => JSON.stringify(a));
  const run = await runCli([...args(), ...extra], { TAGFLOW_PREFIX: prefix });
  const writes = env.kube.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  expect(writes).toEqual([]);
  expect(env.kube.requests.length).toBeGreaterThan(0);
  expect(env.kube.requests.filter((r) => r.resource === 'events')).toEqual([]);
  expect(env.git.requests.slice(gitRequests).filter((r) => `${r.path}?${r.query}`.includes('receive-pack'))).toEqual(
    [],
  );
  expect(await env.git.log('gitops-demo')).toHaveLength(commits);
  expect(env.kube.list('argoproj.io/v1alpha1', 'applications', 'argocd').map((a) => JSON.stringify(a))).toEqual(apps);
  const updater = env.kube.get('argocd-image-updater.argoproj.io/v1alpha1', 'imageupdaters', 'argocd', 'web-updater');
  expect(updater?.status).toBeUndefined();
  // its private prefix is gone, and the prefix it was given holds what it held (besides the fleet's
  // shared registry budgets and metadata cache, which the plan uses as the running tagflow does); a
  // killed plan's keys are swept
  const shared = (k: string) => /^[^:]+:(budget|digest-meta)/.test(k) && k.startsWith(`${prefix}:`);
  expect((await keysOf(`${prefix}*`)).filter(shared)).toContain(`${prefix}:budgets`);
  expect((await keysOf(`${prefix}*`)).filter((k) => !shared(k))).toEqual([
    `${prefix}-plan-0badc0de:plan:alive`,
    `${prefix}-plan-0badc0de:poll:meta`,
    `${prefix}:marker`,
  ]);
  return run;
}

describe('tagflow plan', () => {
  it('--output json prints exactly one object on stdout, logs on stderr, and writes nothing', async () => {
    const run = await planWritingNothing(['--output', 'json']);
    expect(JSON.parse(run.stdout)).toEqual({
      changes: [
        {
          app: 'tagflow-test/argocd/by-argocd',
          image: SEED_IMAGE,
          current: 'v1.0',
          selected: 'v2.0',
          method: 'argocd',
          target: 'Application spec',
        },
        {
          app: 'tagflow-test/argocd/by-git',
          image: SEED_IMAGE,
          current: 'v1.0',
          selected: 'v2.0',
          method: 'git',
          target: target('by-git'),
        },
        {
          app: 'tagflow-test/argocd/by-updater',
          image: SEED_IMAGE,
          current: 'v1.0',
          selected: 'v2.0',
          method: 'argocd',
          target: 'Application spec',
        },
      ],
      applications: 5,
      errors: 1,
    });
    expect(run.stdout.trim().split('\n')[0]).toBe('{');
    expect(run.stderr).toMatch(/broken/);
    expect(run.code).toBe(1);
  }, 90_000);

  it('shows plain progress lines and a table of the changes when not on a terminal', async () => {
    const run = await planWritingNothing([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^plan: listing the control planes$/m);
    expect(run.stderr).toMatch(/^plan: 5\/5 applications checked$/m);
    expect(run.stderr).not.toMatch(/\x1b\[/);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^CONTROL PLANE +APPLICATION +IMAGE +CURRENT → NEW +METHOD +TARGET$/);
    expect(lines[1]).toMatch(
      new RegExp(`^tagflow-test +argocd/by-argocd +${SEED_IMAGE} +v1\\.0 → v2\\.0 +argocd +Application spec$`),
    );
    expect(lines[2]).toMatch(/^tagflow-test +argocd\/by-git +\S+ +v1\.0 → v2\.0 +git +/);
    expect(lines[2]!.endsWith(target('by-git'))).toBe(true);
    expect(run.stdout).toContain('3 change(s) in 3 of 5 application(s), 1 error(s); nothing was written.');
    expect(run.stdout).toMatch(/Errors:\n {2}tagflow-test\/argocd\/broken .*regexp/);
    expect(lines[3]).toMatch(/^tagflow-test +argocd\/by-updater +\S+ +v1\.0 → v2\.0 +argocd +Application spec$/);
    expect(lines[4]).toBe('');
    expect(run.stdout).not.toContain('up-to-date');
  }, 90_000);
});
