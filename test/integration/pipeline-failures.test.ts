/**
 * Failures through the whole pipeline with real services. Permanent ones (wrong git password, an
 * Application deleted before its patch, a registry answering 401) settle the cycle with one error
 * per app, recorded in the audit trail with its code, while the other apps still update, and make
 * `run --once` exit non-zero. Transient ones (registry 500, git server down, kube 503/429) are
 * retried by BullMQ and the cycle converges without errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchGroup } from '../../shared/jobs/enqueue.ts';
import { DENIED_PREFIX, FLAKY_PREFIX, SEED_PREFIX, writebackSuite } from '../fixtures/writeback-environment.ts';
import { GIT_PASSWORD, GIT_USER } from '../fixtures/seed-environment.ts';
import { HELM_FILES, SEED_REPOSITORY } from '../fixtures/gitops-demo.ts';
import { runCli } from '../helpers/cli.ts';
import { startPipeline, until, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, testRedis } from '../helpers/redis.ts';
import { startGitServer } from '../services/git-server.ts';

const REPO = 'gitops-demo';
const GOOD = 'git:secret:argocd/git-creds';
const BAD = 'git:secret:argocd/git-bad';
const key = (name: string) => `tagflow-test/argocd/${name}`;

const suite = writebackSuite();

const writeBacks = async (p: Pipeline, name: string) =>
  (await p.rt.audit.query({ app: key(name) })).filter((r) => r.kind === 'write-back');

describe('permanent failures settle the cycle with errors, the other apps still update', () => {
  it('wrong git password, Application deleted before its patch, registry 401: errors=3, the healthy app updates', async () => {
    suite.env.app({ name: 'perm-ok', path: 'apps/perm-ok', writeBack: GOOD });
    suite.env.app({ name: 'perm-gitauth', path: 'apps/perm-gitauth', writeBack: BAD });
    suite.env.app({ name: 'perm-deleted', writeBack: 'argocd' });
    suite.env.app({ name: 'perm-denied', image: `${DENIED_PREFIX}/${SEED_REPOSITORY}`, writeBack: 'argocd' });
    const before = await suite.env.git.log(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      roles: ['scheduler', 'registry', 'select', 'git'],
    });

    const cycle = await suite.pipeline.startCycle();
    await until(
      async () =>
        (
          await suite.pipeline!.rt.plans.list(
            patchGroup({ cluster: 'tagflow-test', namespace: 'argocd', name: 'perm-deleted' }),
          )
        ).length === 1,
      15_000,
      'the patch plan',
    );
    suite.env.kube.delete('argoproj.io/v1alpha1', 'applications', 'argocd', 'perm-deleted');
    await suite.pipeline.startMoreRoles(['patch']);
    const summary = await suite.pipeline.waitCycle(cycle);

    expect(summary).toMatchObject({ applications: 4, images_considered: 4, images_updated: 1, errors: 3 });
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message).toBe(
      "build: automatic update of perm-ok\n\nupdates image haoshuwei24/echo-server tag 'v1.0' to 'v2.0'",
    );
    expect(await suite.env.git.readFile(REPO, 'apps/perm-gitauth/.argocd-source-perm-gitauth.yaml')).toBeNull();
    expect(await writeBacks(suite.pipeline, 'perm-ok')).toEqual([
      expect.objectContaining({ outcome: 'updated', commitSha: after[0]!.sha }),
    ]);
    expect(await writeBacks(suite.pipeline, 'perm-gitauth')).toEqual([
      expect.objectContaining({ outcome: 'failed', reason: 'git.auth' }),
    ]);
    expect(await writeBacks(suite.pipeline, 'perm-deleted')).toEqual([
      expect.objectContaining({ outcome: 'failed', reason: 'k8s.not-found' }),
    ]);
    const denied = await suite.pipeline.rt.audit.query({ app: key('perm-denied') });
    expect(denied).toEqual([
      expect.objectContaining({ kind: 'select', outcome: 'failed', reason: 'registry.unauthorized' }),
    ]);
    // permanent: no BullMQ retries (the patch job of the deleted app fails once, for good)
    const failedJobs = suite.pipeline.logs().filter((l) => l.msg?.startsWith('job failed'));
    expect(failedJobs).toEqual([expect.objectContaining({ queue: 'patch', level: 'error', code: 'k8s.not-found' })]);
  });

  it('`run --once` exits non-zero when an app failed, after updating the others', async () => {
    suite.env.app({ name: 'cli-ok', path: 'apps/cli-ok', writeBack: GOOD });
    suite.env.app({ name: 'cli-gitauth', path: 'apps/cli-gitauth', writeBack: BAD });
    const redis = await testRedis('wb-cli');
    try {
      const run = await runCli(
        ['run', '--once', '--kubeconfig', suite.env.kubeconfigPath, '--redis-url', TEST_REDIS_URL],
        { TAGFLOW_PREFIX: redis.prefix, KUBECONFIG: undefined },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        'Processing results: applications=2 images_considered=2 images_skipped=0 images_updated=1 errors=1',
      );
      expect(run.stdout).toMatch(/level=error msg="could not write back to git: .*" .*code=git.auth/);
      expect(await suite.env.git.readFile(REPO, 'apps/cli-ok/.argocd-source-cli-ok.yaml')).toContain('value: v2.0');
      const audit = await runCli(['audit', '--app', 'cli-gitauth', '--output', 'json', '--redis-url', TEST_REDIS_URL], {
        TAGFLOW_PREFIX: redis.prefix,
      });
      expect(JSON.parse(audit.stdout)).toContainEqual(
        expect.objectContaining({ kind: 'write-back', outcome: 'failed', reason: 'git.auth' }),
      );
    } finally {
      await redis.cleanup();
    }
  }, 60_000);
});

describe('transient failures are retried and the cycle converges without errors', () => {
  it('registry 500 on the tag list, then OK', async () => {
    const name = suite.env.app({
      name: 'flaky-registry',
      image: `${FLAKY_PREFIX}/${SEED_REPOSITORY}`,
      writeBack: 'argocd',
    });
    suite.env.proxy.failNext({ pathRegex: /\/tags\/list$/, status: 500 });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    // 500 injected, then the real registry (its 401 token challenge, then 200)
    const statuses = suite.env.proxy.requests
      .filter((r) => r.startsWith(`GET /v2/${SEED_REPOSITORY}/tags/list`))
      .map((r) => r.split(' ')[2]);
    expect(statuses[0]).toBe('500');
    expect(statuses.filter((s) => s === '500')).toHaveLength(1);
    expect(statuses.at(-1)).toBe('200');
    expect(suite.pipeline.logs().filter((l) => l.msg?.startsWith('job failed'))).toEqual([
      expect.objectContaining({ queue: 'poll', code: 'registry.unavailable', level: 'warn' }),
    ]);
    expect((await writeBacks(suite.pipeline, name))[0]).toMatchObject({ outcome: 'updated' });
  });

  it('git server down, then up again on the same address', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tagflow-git-down-'));
    let git = await startGitServer({ root, users: { [GIT_USER]: GIT_PASSWORD } });
    const port = Number(new URL(git.url).port);
    const repoURL = await git.createRepo('down-up', HELM_FILES);
    await git.close();
    try {
      const name = suite.env.app({ name: 'git-down', repoURL, writeBack: GOOD });
      suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { backoffDelayMs: 400 });
      const cycle = await suite.pipeline.startCycle();
      await until(
        () => suite.pipeline!.logs().some((l) => l.queue === 'commit' && l.msg?.startsWith('job failed')),
        15_000,
        'a failed commit attempt',
      );
      git = await startGitServer({ root, port, users: { [GIT_USER]: GIT_PASSWORD } });

      expect(await suite.pipeline.waitCycle(cycle)).toMatchObject({ images_updated: 1, errors: 0 });
      // the branch is HEAD, so the first git command is ls-remote (resolve the default branch)
      expect(suite.pipeline.logs().find((l) => l.queue === 'commit' && l.msg?.startsWith('job failed'))).toMatchObject({
        code: 'git.resolve-branch',
        level: 'warn',
      });
      const log = await git.log('down-up');
      expect(log).toHaveLength(2);
      expect(log[0]!.message).toContain(`build: automatic update of ${name}`);
      expect(await git.readFile('down-up', `manifests/helm/.argocd-source-${name}.yaml`)).toContain('value: v2.0');
    } finally {
      await git.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it.each([
    ['503 on the PATCH', { method: 'PATCH', status: 503 }, 'k8s.server', 'job failed', 2],
    ['503 on the GET before the patch', { method: 'GET', status: 503 }, 'k8s.server', 'job failed', 2],
    // a 429 delays the job for Retry-After without spending an attempt
    ['429 on the PATCH', { method: 'PATCH', status: 429, retryAfter: 0 }, 'k8s.rate-limited', 'rate limited', 1],
  ])('kube %s', async (_what, fault, code, failure, attempt) => {
    const name = suite.env.app({ name: `kube-${fault.method.toLowerCase()}-${fault.status}`, writeBack: 'argocd' });
    suite.env.kube.failNext({ ...fault, pathRegex: `/applications/${name}$` });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const tag = (suite.env.application(name)!.spec.source.helm.parameters as { name: string; value: string }[]).find(
      (p) => p.name === 'image.tag',
    );
    expect(tag?.value).toBe('v2.0');
    expect(suite.pipeline.logs().filter((l) => l.msg?.startsWith(failure))).toEqual([
      expect.objectContaining({ queue: 'patch', code, level: 'warn' }),
    ]);
    expect(await writeBacks(suite.pipeline, name)).toEqual([expect.objectContaining({ outcome: 'updated', attempt })]);
  });

  it('kube 503 on the Application list when the cycle starts', async () => {
    suite.env.app({ name: 'kube-list', writeBack: 'argocd' });
    suite.env.kube.failNext({ method: 'GET', pathRegex: '/namespaces/argocd/applications$', status: 503 });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    expect(await suite.pipeline.runOnce(20_000)).toMatchObject({ applications: 1, images_updated: 1, errors: 0 });
    expect(suite.pipeline.logs().filter((l) => l.msg?.includes('retrying'))).toEqual([
      expect.objectContaining({ queue: 'cycle', code: 'k8s.server', level: 'warn', controlPlane: 'tagflow-test' }),
    ]);
  });
});

describe('an app whose check fails still settles, alone', () => {
  it('errors=1 for that app; the commit of the other app of its branch is still released', async () => {
    await suite.env.pushTags('team/sel-fail', ['v1.0', 'v2.0']);
    suite.env.app({ name: 'sel-ok', path: 'apps/sel-ok', writeBack: GOOD });
    suite.env.app({ name: 'sel-fail', path: 'apps/sel-fail', image: `${SEED_PREFIX}/team/sel-fail`, writeBack: GOOD });
    const before = await suite.env.git.log(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      // the index entry of sel-fail cannot be read back (corrupt state)
      prepare: (s) => ({
        ...s,
        index: Object.assign(Object.create(s.index) as typeof s.index, {
          async getMany(keys: readonly string[]) {
            const found = await s.index.getMany(keys);
            if (found.has(key('sel-fail')))
              found.set(key('sel-fail'), { key: key('sel-fail'), corrupt: 'corrupt state in Redis at index entry' });
            return found;
          },
        }),
      }),
    });

    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 2, images_updated: 1, errors: 1 });
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message).toContain('build: automatic update of sel-ok');
    const failed = await suite.pipeline.rt.audit.query({ app: key('sel-fail') });
    expect(failed).toEqual([
      expect.objectContaining({
        kind: 'select',
        outcome: 'failed',
        reason: 'internal',
        message: expect.stringContaining('corrupt state'),
      }),
    ]);
    // the batch it was checked in was not retried: the other apps of the batch went on
    expect(suite.pipeline.logs().filter((l) => l.queue === 'select' && l.msg?.startsWith('job failed'))).toEqual([]);
  });
});

describe('a cycle that cannot start still ends', () => {
  it('the Application list failing for good (403) ends the cycle with errors=1 instead of hanging', async () => {
    suite.env.app({ name: 'kube-forbidden', writeBack: 'argocd' });
    suite.env.kube.failNext({ method: 'GET', pathRegex: '/namespaces/argocd/applications$', status: 403 });
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    expect(await suite.pipeline.runOnce(10_000)).toMatchObject({ applications: 0, images_updated: 0, errors: 1 });
    expect(suite.pipeline.logText()).toContain('"code":"k8s.forbidden"');
  });
});
