/**
 * Git write-back of many apps in one repository (a monorepo): the whole pipeline in this process
 * on the real registry, the real git HTTP server and the Kubernetes stand-in. For 200 and 1,000
 * apps: a cycle with a cold clone cache (the git pool's first write-back to the repository), then a
 * cycle with the clone kept (warm), each with a new tag for every app. Reported: the write-back time
 * (first workspace opened → the cycle's end, which the last settled plan makes), the whole cycle, commits and pushes; beside them the
 * same work done with the plain git CLI on the same server in the same run (shallow clone, edit N
 * files, commit, push; then fetch + reset, edit, commit, push in that clone) as the baseline.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Services } from '../apps/cli/compose/services.ts';
import type { GitWorkspaceFactory } from '../shared/ports/git-workspace.ts';
import { pushTags } from '../test/fixtures/images.ts';
import { SEED_IMAGE } from '../test/fixtures/gitops-demo.ts';
import {
  GIT_PASSWORD,
  GIT_USER,
  startSeedEnvironment,
  type SeedEnvironment,
} from '../test/fixtures/seed-environment.ts';
import { startPipeline } from '../test/helpers/pipeline.ts';
import { hermeticGitEnv } from '../test/services/git-server.ts';

const run = promisify(execFile);
const FILLER_FILES = 3000;
const HOST = SEED_IMAGE.split('/')[0]!;

export interface GitWritebackRow {
  apps: number;
  clone: 'cold' | 'warm';
  'write-back (s)': number;
  'cycle (s)': number;
  commits: number;
  pushes: number;
  workspaces: number;
  'plain git (s)': number;
  ratio: string;
}

/** Counts the git pool's workspaces and notes when the first one is opened. */
function timedGit(inner: GitWorkspaceFactory, span: { first?: number; opens: number }) {
  return {
    open: (o: Parameters<GitWorkspaceFactory['open']>[0]) => {
      span.first ??= performance.now();
      span.opens++;
      return inner.open(o);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

async function plainGit(env: SeedEnvironment, repo: string, apps: number, dir: string, tag: string, warm: boolean) {
  const gitEnv = hermeticGitEnv();
  const url = env.git.repoUrl(repo).replace('://', `://${GIT_USER}:${GIT_PASSWORD}@`);
  const git = (...args: string[]) => run('git', args, { cwd: dir, env: gitEnv, maxBuffer: 64 << 20 });
  const t0 = performance.now();
  if (warm) {
    await git('fetch', '--depth', '1', 'origin', 'main');
    await git('reset', '--hard', 'origin/main');
  } else await run('git', ['clone', '--depth', '1', '--branch', 'main', url, dir], { env: gitEnv });
  for (let i = 0; i < apps; i++) await writeFile(join(dir, `plain/app-${i}.yaml`), `tag: ${tag}\n`);
  await git('add', '-A');
  await git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', `plain ${tag}`);
  await git('push', '-q', 'origin', 'HEAD:main');
  return (performance.now() - t0) / 1000;
}

async function benchOne(env: SeedEnvironment, apps: number, log: (s: string) => void): Promise<GitWritebackRow[]> {
  const repo = `mono-${apps}`;
  const image = `${HOST}/bench/mono-${apps}`;
  const files: Record<string, string> = {};
  for (let i = 0; i < FILLER_FILES; i++) files[`docs/page-${i}.md`] = `# page ${i}\n${'lorem ipsum '.repeat(180)}\n`;
  for (let i = 0; i < apps; i++) {
    files[`apps/app-${i}/values.yaml`] = `image:\n  tag: v1.0\n`;
    files[`plain/app-${i}.yaml`] = 'tag: v1.0\n';
  }
  const repoURL = await env.git.createRepo(repo, files);
  await pushTags(env.registry, `bench/mono-${apps}`, ['v1.0', 'v2.0']);
  for (let i = 0; i < apps; i++) {
    const name = `m${apps}-${i}`;
    env.kube.put({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        namespace: 'argocd',
        annotations: {
          'argocd-image-updater.argoproj.io/image-list': `app=${image}`,
          'argocd-image-updater.argoproj.io/app.update-strategy': 'semver',
          'argocd-image-updater.argoproj.io/write-back-method': 'git:secret:argocd/git-creds',
        },
      },
      spec: {
        project: 'default',
        destination: { namespace: 'apps', server: 'https://kubernetes.default.svc' },
        source: { repoURL, path: `apps/app-${i}`, targetRevision: 'main', helm: { valueFiles: ['values.yaml'] } },
      },
      status: { sourceType: 'Helm', summary: { images: [`${image}:v1.0`] } },
    });
  }
  const span = { opens: 0 } as { first?: number; opens: number };
  const pipeline = await startPipeline(env.kubeconfigPath, {
    logLevel: 'info',
    prepare: (s: Services) => ({ ...s, git: timedGit(s.git, span) }),
  });
  const plainDir = await mkdtemp(join(tmpdir(), 'bench-plain-'));
  const rows: GitWritebackRow[] = [];
  try {
    for (const [clone, tag] of [
      ['cold', 'v2.0'],
      ['warm', 'v3.0'],
    ] as const) {
      if (tag !== 'v2.0') await pushTags(env.registry, `bench/mono-${apps}`, [tag]);
      const pushesBefore = pushCount(env, repo);
      const commitsBefore = (await env.git.log(repo)).length;
      span.first = undefined;
      span.opens = 0;
      const t0 = performance.now();
      const summary = await pipeline.runOnce(600_000);
      const end = performance.now();
      const cycle = (end - t0) / 1000;
      // the cycle ends when the last plan is settled, right after the push (before the workspace is given back)
      const writeBack = (end - (span.first ?? end)) / 1000;
      const commits = (await env.git.log(repo)).length - commitsBefore;
      const updated = await countTag(env, repo, apps, tag);
      if (summary.images_updated !== apps || updated !== apps)
        throw new Error(`${apps} apps, ${clone}: ${summary.images_updated} updated, ${updated} files at ${tag}`);
      const plain = await plainGit(env, repo, apps, plainDir, tag, clone === 'warm');
      rows.push({
        apps,
        clone,
        'write-back (s)': round(writeBack),
        'cycle (s)': round(cycle),
        commits,
        pushes: pushCount(env, repo) - pushesBefore - 1,
        workspaces: span.opens,
        'plain git (s)': round(plain),
        ratio: `${(writeBack / plain).toFixed(2)} ×`,
      });
      log(`git write-back ${apps} apps ${clone}: ${round(writeBack)} s (plain git ${round(plain)} s)`);
    }
  } finally {
    await pipeline.close();
    await rm(plainDir, { recursive: true, force: true });
    for (let i = 0; i < apps; i++) env.kube.delete('argoproj.io/v1alpha1', 'applications', 'argocd', `m${apps}-${i}`);
  }
  return rows;
}

/** Pushes the server saw for `repo` (receive-pack POSTs). */
function pushCount(env: SeedEnvironment, repo: string): number {
  return env.git.requests.filter((r) => r.method === 'POST' && r.path.includes(`/${repo}.git/git-receive-pack`)).length;
}

async function countTag(env: SeedEnvironment, repo: string, apps: number, tag: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-check-'));
  try {
    const url = env.git.repoUrl(repo).replace('://', `://${GIT_USER}:${GIT_PASSWORD}@`);
    await run('git', ['clone', '-q', '--depth', '1', url, dir], { env: hermeticGitEnv() });
    let n = 0;
    for (let i = 0; i < apps; i++) {
      const text = await readFile(join(dir, `apps/app-${i}/.argocd-source-m${apps}-${i}.yaml`), 'utf8').catch(() => '');
      if (text.includes(`value: ${tag}`)) n++;
    }
    return n;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (s: number) => Math.round(s * 100) / 100;

export async function benchGitWriteback(sizes: number[], log: (s: string) => void): Promise<GitWritebackRow[]> {
  const env = await startSeedEnvironment();
  try {
    const rows: GitWritebackRow[] = [];
    for (const apps of sizes) rows.push(...(await benchOne(env, apps, log)));
    return rows;
  } finally {
    await env.stop();
  }
}
