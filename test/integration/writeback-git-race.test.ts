/**
 * Git write-back under push races, against the real git server: a push refused by the server's
 * pre-receive hook, and another client pushing to the branch between tagflow's clone and push.
 * Either way the worker fetches the new head, re-applies the plan and pushes; exactly one
 * tagflow commit lands on top of the other client's work.
 */
import { describe, expect, it } from 'vitest';
import type { Services } from '../../apps/cli/compose/services.ts';
import type { GitWorkspace } from '../../shared/ports/git-workspace.ts';
import { writebackSuite } from '../fixtures/writeback-environment.ts';
import { startPipeline } from '../helpers/pipeline.ts';

const REPO = 'gitops-demo';
const CREDS = 'git:secret:argocd/git-creds';
const overrideFile = (app: string) => `manifests/helm/.argocd-source-${app}.yaml`;

const suite = writebackSuite();

/** Runs `beforePush` once, right before tagflow's first push (after its clone). */
function hookFirstPush(beforePush: (ws: GitWorkspace) => Promise<void>, afterFailedPush?: () => Promise<void>) {
  return (s: Services): Services => {
    const real = s.git;
    let armed = true;
    return {
      ...s,
      git: {
        async open(o) {
          const ws = await real.open(o);
          return Object.assign(Object.create(ws) as GitWorkspace, {
            async push() {
              if (!armed) return ws.push();
              armed = false;
              await beforePush(ws);
              try {
                await ws.push();
              } finally {
                await afterFailedPush?.();
              }
            },
          });
        },
      },
    };
  };
}

const pushes = () =>
  suite.env.git.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack')).length;
const tagflowCommits = (log: { author: string }[]) =>
  log.filter((c) => c.author.startsWith('argocd-image-updater')).length;

describe('git write-back under push races', () => {
  it('a push refused once by the pre-receive hook is retried and lands exactly once', async () => {
    const app = suite.env.app({ name: 'race-hook', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    const pushesBefore = pushes();
    await suite.env.git.rejectNextPush(REPO);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);

    const summary = await suite.pipeline.runOnce();
    expect(summary).toMatchObject({ applications: 1, images_updated: 1, errors: 0 });
    expect(pushes() - pushesBefore).toBe(2);
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message).toBe(
      `build: automatic update of ${app}\n\nupdates image haoshuwei24/echo-server tag 'v1.0' to 'v2.0'`,
    );
    expect(await suite.env.git.readFile(REPO, overrideFile(app))).toContain('value: v2.0');
    const audit = await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${app}` });
    expect(audit.find((r) => r.kind === 'write-back')).toMatchObject({ outcome: 'updated', commitSha: after[0]!.sha });
  });

  it('a hook rejection while another client pushes: the other commit is kept, ours lands on top of it', async () => {
    const app = suite.env.app({ name: 'race-hook-other', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    let other = '';
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      prepare: hookFirstPush(
        () => suite.env.git.rejectNextPush(REPO),
        async () => {
          other = await suite.env.git.commitFiles(
            REPO,
            { 'docs/other.md': 'pushed by someone else\n' },
            { message: 'docs: other change' },
          );
        },
      ),
    });

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 2);
    expect(after[1]!.sha).toBe(other);
    expect(after[0]!.message).toContain(`build: automatic update of ${app}`);
    expect(tagflowCommits(after) - tagflowCommits(before)).toBe(1);
    expect(await suite.env.git.readFile(REPO, 'docs/other.md')).toBe('pushed by someone else\n');
    expect(await suite.env.git.readFile(REPO, overrideFile(app))).toContain('value: v2.0');
  });

  it('another commit to the branch between clone and push (non-fast-forward): fetch, re-apply the plan, push', async () => {
    const app = suite.env.app({ name: 'race-nff', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    const pushesBefore = pushes();
    let other = '';
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      prepare: hookFirstPush(async () => {
        // the other client edits the very file tagflow writes, and another one
        other = await suite.env.git.commitFiles(
          REPO,
          {
            [overrideFile(app)]:
              'helm:\n  parameters:\n  - name: replicaCount\n    value: "3"\n    forcestring: true\n',
            'manifests/helm/values.yaml': 'replicaCount: 3\n',
          },
          { message: 'scale to 3' },
        );
      }),
    });

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(pushes() - pushesBefore).toBe(2);
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 2);
    expect(after[1]!.sha).toBe(other);
    expect(tagflowCommits(after) - tagflowCommits(before)).toBe(1);
    const file = await suite.env.git.readFile(REPO, overrideFile(app));
    expect(file).toContain('name: replicaCount');
    expect(file).toContain('name: image.tag\n    value: v2.0');
    expect(await suite.env.git.readFile(REPO, 'manifests/helm/values.yaml')).toBe('replicaCount: 3\n');
    const audit = await suite.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${app}` });
    expect(audit.filter((r) => r.kind === 'write-back')).toEqual([
      expect.objectContaining({ outcome: 'updated', commitSha: after[0]!.sha }),
    ]);
  });

  it('gives up after the configured number of rejected pushes with a transient error, then converges on retry', async () => {
    const app = suite.env.app({ name: 'race-many', writeBack: CREDS });
    const before = await suite.env.git.log(REPO);
    let rejections = 0;
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, {
      prepare: (s) => ({
        ...s,
        git: {
          async open(o) {
            const ws = await s.git.open(o);
            return Object.assign(Object.create(ws) as GitWorkspace, {
              async push() {
                if (rejections++ < 5) await suite.env.git.rejectNextPush(REPO);
                return ws.push();
              },
            });
          },
        },
      }),
    });
    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    expect(rejections).toBe(6);
    const after = await suite.env.git.log(REPO);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message).toContain(`build: automatic update of ${app}`);
    const failed = suite.pipeline.logs().filter((l) => l.msg?.startsWith('job failed') && l.queue === 'commit');
    expect(failed).toEqual([expect.objectContaining({ code: 'git.push-rejected', level: 'warn' })]);
  });
});
