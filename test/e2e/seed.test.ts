import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSeedEnvironment,
  ACR_PASSWORD,
  GIT_PASSWORD,
  type SeedEnvironment,
} from '../fixtures/seed-environment.ts';
import { SEED_IMAGE } from '../fixtures/gitops-demo.ts';
import { runCli } from '../helpers/cli.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const SOURCE_FILE = 'manifests/helm/.argocd-source-gitops-demo.yaml';

let env: SeedEnvironment;

function useEnvironment() {
  beforeAll(async () => {
    env = await startSeedEnvironment();
  }, 60_000);
  afterAll(() => env?.stop());
}

function tagflow(prefix: string, ...extra: string[]) {
  return runCli(['run', '--once', '--kubeconfig', env.kubeconfigPath, '--redis-url', TEST_REDIS_URL, ...extra], {
    TAGFLOW_PREFIX: prefix,
    KUBECONFIG: undefined,
  });
}

describe('the seed scenario (ACK One + ACR walkthrough), end to end', () => {
  useEnvironment();
  it('commits .argocd-source-gitops-demo.yaml with image.tag v2.0, then makes no commit on the next cycle', async () => {
    env.addApplication({ writeBack: 'git:secret:argocd/git-creds' });
    const prefix = uniquePrefix('seed');
    const before = await env.git.log('gitops-demo');

    const first = await tagflow(prefix);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('msg="Successfully updated the live application spec" application=gitops-demo');
    expect(first.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=1 errors=0',
    );
    for (const secret of [ACR_PASSWORD, GIT_PASSWORD]) expect(first.stdout).not.toContain(secret);

    const file = await env.git.readFile('gitops-demo', SOURCE_FILE);
    expect(file).toBe(
      [
        'helm:',
        '  parameters:',
        '  - name: image.name',
        `    value: ${SEED_IMAGE}`,
        '    forcestring: true',
        '  - name: image.tag',
        '    value: v2.0',
        '    forcestring: true',
        '',
      ].join('\n'),
    );
    const after = await env.git.log('gitops-demo');
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]!.message.trim()).toBe(
      "build: automatic update of gitops-demo\n\nupdates image haoshuwei24/echo-server tag 'v1.0' to 'v2.0'",
    );
    expect(after[0]!.author).toContain('argocd-image-updater <noreply@argoproj.io>');
    const events = env.kube.list('v1', 'events', 'argocd') as unknown as {
      reason: string;
      message: string;
      involvedObject: { name: string };
      metadata: { annotations: Record<string, string> };
    }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      reason: 'ImagesUpdated',
      message: "Successfully updated application 'gitops-demo'",
      involvedObject: { name: 'gitops-demo' },
    });
    expect(events[0]!.metadata.annotations).toMatchObject({
      'argocd-image-updater.image-0/full-image-name': SEED_IMAGE,
      'argocd-image-updater.image-0/old-tag': 'v1.0',
      'argocd-image-updater.image-0/new-tag': 'v2.0',
    });

    const second = await tagflow(prefix);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=0 errors=0',
    );
    expect(await env.git.log('gitops-demo')).toHaveLength(after.length);

    env.markRunning('gitops-demo', 'v2.0');
    const synced = await tagflow(prefix);
    expect(synced.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=0 errors=0',
    );
    expect(await env.git.log('gitops-demo')).toHaveLength(after.length);

    const audit = await runCli(['audit', '--app', 'gitops-demo', '--output', 'json', '--redis-url', TEST_REDIS_URL], {
      TAGFLOW_PREFIX: prefix,
    });
    const records = JSON.parse(audit.stdout) as {
      kind: string;
      outcome: string;
      commitSha?: string;
      selected?: string;
    }[];
    const committed = records.find((r) => r.kind === 'write-back' && r.outcome === 'updated');
    expect(committed?.commitSha).toBe(after[0]!.sha);
    expect(records.some((r) => r.kind === 'select' && r.outcome === 'noop' && r.selected === 'v2.0')).toBe(true);
  }, 120_000);
});

describe('the seed scenario with write-back-method: argocd', () => {
  useEnvironment();

  it('patches the Application instead of committing, and does not patch again', async () => {
    env.addApplication({ writeBack: 'argocd' });
    const prefix = uniquePrefix('seed-argocd');
    const commits = (await env.git.log('gitops-demo')).length;

    const first = await tagflow(prefix);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('msg="Successfully updated the live application spec" application=gitops-demo');
    expect(first.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=1 errors=0',
    );
    const app = env.kube.get('argoproj.io/v1alpha1', 'applications', 'argocd', 'gitops-demo') as {
      spec: { source: { helm: { parameters: unknown[]; valueFiles: string[] } } };
      metadata: { resourceVersion: string };
    };
    expect(app.spec.source.helm.parameters).toEqual([
      { name: 'image.name', value: SEED_IMAGE, forceString: true },
      { name: 'image.tag', value: 'v2.0', forceString: true },
    ]);
    expect(app.spec.source.helm.valueFiles).toEqual(['values.yaml']);
    expect(await env.git.log('gitops-demo')).toHaveLength(commits);
    const patches = env.kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.contentType).toBe('application/merge-patch+json');

    const second = await tagflow(prefix);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=0 errors=0',
    );
    expect(env.kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);

    const audit = await runCli(['audit', '--app', 'gitops-demo', '--output', 'json', '--redis-url', TEST_REDIS_URL], {
      TAGFLOW_PREFIX: prefix,
    });
    const patched = (JSON.parse(audit.stdout) as { kind: string; outcome: string; resourceVersion?: string }[]).find(
      (r) => r.kind === 'write-back',
    );
    expect(patched).toMatchObject({ outcome: 'updated', resourceVersion: app.metadata.resourceVersion });
  }, 120_000);
});

describe('the seed scenario as a Kustomize application', () => {
  useEnvironment();

  it('commits the override file with the kustomize image, through git', async () => {
    env.addApplication({ name: 'gitops-demo-kustomize', kind: 'kustomize', writeBack: 'git:secret:argocd/git-creds' });
    const prefix = uniquePrefix('seed-kustomize');
    const run = await tagflow(prefix);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=1 errors=0',
    );
    expect(await env.git.readFile('gitops-demo', 'manifests/kustomize/.argocd-source-gitops-demo-kustomize.yaml')).toBe(
      `kustomize:\n  images:\n  - ${SEED_IMAGE}=${SEED_IMAGE}:v2.0\n`,
    );
  }, 120_000);

  it('edits kustomization.yaml in place with write-back-target: kustomization', async () => {
    env.addApplication({ name: 'gitops-demo-kustomize', kind: 'kustomize', writeBack: 'git:secret:argocd/git-creds' });
    const app = env.kube.get('argoproj.io/v1alpha1', 'applications', 'argocd', 'gitops-demo-kustomize')!;
    const meta = app.metadata as { annotations: Record<string, string> };
    meta.annotations['argocd-image-updater.argoproj.io/write-back-target'] = 'kustomization';
    env.kube.put(app);
    const run = await tagflow(uniquePrefix('seed-kustomization'));
    expect(run.code).toBe(0);
    const file = await env.git.readFile('gitops-demo', 'manifests/kustomize/kustomization.yaml');
    expect(file).toContain(`  - name: ${SEED_IMAGE}\n    newTag: v2.0\n`);
    expect(file).toContain('resources:\n  - deployment.yaml\n');
  }, 120_000);
});
