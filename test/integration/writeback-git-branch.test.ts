import { describe, expect, it } from 'vitest';
import { writebackSuite } from '../fixtures/writeback-environment.ts';
import { startPipeline } from '../helpers/pipeline.ts';

const BRANCH = 'argocd-image-updater.argoproj.io/git-branch';
const FILE = 'manifests/helm/.argocd-source-gitops-demo.yaml';

const suite = writebackSuite();

function withBranch(value: string) {
  suite.env.app({ name: 'gitops-demo', writeBack: 'git:secret:argocd/git-creds' });
  const app = suite.env.application('gitops-demo')!;
  app.metadata.annotations![BRANCH] = value;
  suite.env.kube.put(app);
}

describe('git-branch: <base>:<write-branch template>', () => {
  it('commits on the rendered write branch, started from the base, leaving the base untouched', async () => {
    withBranch('main:image-updater-{{range .Images}}{{.Alias}}-{{.NewTag}}{{end}}');
    const mainBefore = await suite.env.git.log('gitops-demo', 'main');
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    const summary = await suite.pipeline.runOnce();
    expect(summary).toMatchObject({ images_updated: 1, errors: 0 });

    const branch = 'image-updater-echoserver-v2.0';
    expect(await suite.env.git.log('gitops-demo', 'main')).toEqual(mainBefore);
    const log = await suite.env.git.log('gitops-demo', branch);
    expect(log).toHaveLength(mainBefore.length + 1);
    expect(log[1]!.sha).toBe(mainBefore[0]!.sha);
    expect(await suite.env.git.readFile('gitops-demo', FILE, branch)).toContain('value: v2.0');
    expect(await suite.env.git.readFile('gitops-demo', FILE, 'main')).toBeNull();

    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 0, errors: 0 });
    expect(await suite.env.git.log('gitops-demo', branch)).toHaveLength(log.length);
  }, 60_000);

  it('builds on top of a write branch that already exists (never rewrites its history)', async () => {
    await suite.env.git.commitFiles(
      'gitops-demo',
      { 'NOTES.md': 'from a human\n' },
      { branch: 'updates', message: 'human commit' },
    );
    withBranch(':updates');
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    expect(await suite.pipeline.runOnce()).toMatchObject({ images_updated: 1, errors: 0 });
    const log = await suite.env.git.log('gitops-demo', 'updates');
    expect(log[0]!.message).toContain("updates image haoshuwei24/echo-server tag 'v1.0' to 'v2.0'");
    expect(log[1]!.message).toContain('human commit');
    expect(await suite.env.git.readFile('gitops-demo', 'NOTES.md', 'updates')).toBe('from a human\n');
  }, 60_000);

  it('reports a template that cannot render as an error for that app', async () => {
    withBranch('main:{{.Nope}}');
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath);
    const summary = await suite.pipeline.runOnce();
    expect(summary.errors).toBe(1);
    const audit = await suite.pipeline.rt.audit.query({ app: 'tagflow-test/argocd/gitops-demo' });
    expect(audit.some((r) => r.reason === 'writeback.branch-template')).toBe(true);
  }, 60_000);
});
