/**
 * Git write-back batching and idempotence with the real pipeline: apps sharing one repository
 * branch land in one commit; re-running a cycle or a commit job makes no second commit; a plan
 * replaced by a newer one before the commit job runs writes only the newer tag and settles both
 * cycles.
 */
import { describe, expect, it } from 'vitest';
import { commitGroup } from '../../shared/jobs/enqueue.ts';
import { SEED_PREFIX, writebackSuite } from '../fixtures/writeback-environment.ts';
import { startPipeline, until, settleFailingOnce } from '../helpers/pipeline.ts';

const REPO = 'gitops-demo';
const CREDS = 'git:secret:argocd/git-creds';

const suite = writebackSuite();

describe('git write-back batching', () => {
  it('five apps of one repository branch (a monorepo) land in ONE commit listing every app', async () => {
    const apps = [1, 2, 3, 4, 5].map((i) =>
      suite.env.app({ name: `mono-${i}`, path: `apps/mono-${i}`, writeBack: CREDS }),
    );
    const before = await suite.env.git.log(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    const summary = await suite.pipeline.runOnce();
    expect(summary).toMatchObject({ applications: 5, images_considered: 5, images_updated: 5, errors: 0 });
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    const message = after[0]!.message;
    expect(message.split('\n')[0]).toBe('build: automatic update of 5 applications');
    for (const app of apps) {
      expect(message).toContain(`build: automatic update of ${app}`);
      expect(await suite.env.git.readFile(REPO, `apps/${app}/.argocd-source-${app}.yaml`)).toContain('value: v2.0');
    }
    const writes = (await suite.pipeline.rt.audit.query({})).filter((r) => r.kind === 'write-back');
    expect(writes).toHaveLength(5);
    expect(new Set(writes.map((w) => w.commitSha))).toEqual(new Set([after[0]!.sha]));
  });

  it('five apps in one commit while their selects finish at different times', async () => {
    // one app's image is on a repository whose poll fails once, so its select comes late
    await suite.env.pushTags('team/slow', ['v1.0', 'v2.0']);
    const apps = [1, 2, 3, 4].map((i) =>
      suite.env.app({ name: `spread-${i}`, path: `apps/spread-${i}`, writeBack: CREDS }),
    );
    apps.push(
      suite.env.app({
        name: 'spread-slow',
        path: 'apps/spread-slow',
        image: `flaky.example.com/team/slow`,
        writeBack: CREDS,
      }),
    );
    suite.env.proxy.failNext({ pathRegex: /\/team\/slow\/tags\/list$/, status: 503 });
    const before = await suite.env.git.log(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { backoffDelayMs: 300 });

    expect(await suite.pipeline.runOnce()).toMatchObject({ applications: 5, images_updated: 5, errors: 0 });
    expect(suite.env.proxy.requests).toContain('GET /v2/team/slow/tags/list 503');
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    for (const app of apps) expect(after[0]!.message).toContain(`build: automatic update of ${app}`);
  });
});

describe('git write-back idempotence', () => {
  it('running the same cycle twice makes one commit; the second is a no-op', async () => {
    const app = suite.env.app({ name: 'twice', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(await suite.pipeline.runOnce()).toMatchObject({ images_considered: 1, images_updated: 0, errors: 0 });
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    const writes = (await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${app}` })).filter(
      (r) => r.kind === 'write-back',
    );
    expect(writes.map((w) => w.outcome)).toEqual(['noop', 'updated']);
  });

  it('a commit job retried after it pushed but before it acknowledged the plan makes no second commit', async () => {
    const app = suite.env.app({ name: 'crash-after-push', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    const fault = settleFailingOnce('commit:', 'connection lost after the push');
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { prepare: fault.prepare });

    const summary = await suite.pipeline.runOnce();
    expect(fault.crashed()).toBe(true);
    expect(summary).toMatchObject({ images_updated: 1, errors: 0 });
    expect(await suite.env.git.log(REPO)).toHaveLength(before.length + 1);
    expect(await suite.pipeline.rt.plans.list(commitGroup({ repoUrl: suite.env.repoURL, branch: '' }))).toEqual([]);
    const writes = (await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${app}` })).filter(
      (r) => r.kind === 'write-back',
    );
    expect(writes).toEqual([
      expect.objectContaining({ outcome: 'updated', commitSha: (await suite.env.git.log(REPO))[0]!.sha, attempt: 2 }),
    ]);
  });

  it('a plan replaced by a newer one before the commit job runs: only the newer tag is written, both cycles settle', async () => {
    const image = `${SEED_PREFIX}/team/replaced`;
    await suite.env.pushTags('team/replaced', ['v1.0', 'v2.0']);
    const app = suite.env.app({ name: 'replaced', image, path: 'apps/replaced', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { roles: ['scheduler', 'registry', 'select'] });
    const group = commitGroup({ repoUrl: suite.env.repoURL, branch: '' });
    const planned = async (tag: string) => {
      const plans = await suite.pipeline!.rt.plans.list(group);
      return plans.length === 1 && plans[0]!.plan.changes[0]!.newTag === tag;
    };

    const first = await suite.pipeline.startCycle();
    await until(() => planned('v2.0'), 15_000, 'the first plan');
    await suite.env.pushTags('team/replaced', ['v3.0']);
    const second = await suite.pipeline.startCycle();
    await until(() => planned('v3.0'), 15_000, 'the replacing plan');
    expect((await suite.pipeline.rt.ledger.get(first))?.finishedAt).toBeUndefined();

    await suite.pipeline.startMoreRoles(['git']);
    const [s1, s2] = await Promise.all([suite.pipeline.waitCycle(first), suite.pipeline.waitCycle(second)]);
    expect(s1).toMatchObject({ images_updated: 1, errors: 0 });
    expect(s2).toMatchObject({ images_updated: 1, errors: 0 });
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message).toContain("tag 'v1.0' to 'v3.0'");
    expect(await suite.env.git.readFile(REPO, `apps/replaced/.argocd-source-${app}.yaml`)).toContain('value: v3.0');
    expect(await suite.pipeline.rt.plans.list(group)).toEqual([]);
  });
});
