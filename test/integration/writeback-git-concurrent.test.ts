/**
 * Git write-back against a concurrent writer, over the real git HTTP server: while tagflow commits
 * 200 apps of one repository branch in one cycle, another client pushes its own commits (other
 * files) to the same branch in a loop, pulling with rebase whenever its own push is refused.
 * Afterwards every app's change and every one of the other client's commits is on the remote, all of
 * tagflow's changes are in one commit (each rejected push re-applies every plan), and no app failed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Services } from '../../apps/cli/compose/services.ts';
import { ConflictError } from '../../shared/errors.ts';
import { commitGroup } from '../../shared/jobs/enqueue.ts';
import type { GitWorkspace } from '../../shared/ports/git-workspace.ts';
import { writebackSuite } from '../fixtures/writeback-environment.ts';
import { GIT_PASSWORD, GIT_USER } from '../fixtures/seed-environment.ts';
import { startPipeline } from '../helpers/pipeline.ts';
import { git } from '../services/git-server.ts';

const REPO = 'concurrent';
const APPS = 200;
const OTHER_COMMITS = 20;
const CREDS = 'git:secret:argocd/git-creds';
const TAGFLOW_AUTHOR = 'argocd-image-updater';
const override = (app: string) => `apps/${app}/.argocd-source-${app}.yaml`;

const suite = writebackSuite();

/**
 * Another client of the branch: its own clone, one new file per commit, `git pull --rebase` and
 * push again when its push is refused. Its credentials travel in the environment, not in argv.
 */
async function otherWriter(repoUrl: string) {
  const work = await mkdtemp(join(tmpdir(), 'tagflow-other-writer-'));
  const env = {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${GIT_USER}:${GIT_PASSWORD}`).toString('base64')}`,
    GIT_AUTHOR_NAME: 'Other Writer',
    GIT_AUTHOR_EMAIL: 'other@example.invalid',
    GIT_COMMITTER_NAME: 'Other Writer',
    GIT_COMMITTER_EMAIL: 'other@example.invalid',
  };
  const run = (args: string[]) => git(args, { cwd: work, env });
  await git(['clone', '-q', '--branch', 'main', repoUrl, work], { env });
  await mkdir(join(work, 'other'), { recursive: true });
  const landed: string[] = [];
  let refused = 0;
  let firstPush: () => void = () => {};
  const first = new Promise<void>((r) => (firstPush = r));

  async function commitAndPush(i: number) {
    await writeFile(join(work, 'other', `change-${i}.txt`), `change ${i} by the other writer\n`);
    await run(['add', '-A']);
    await run(['commit', '-q', '-m', `other: change ${i}`]);
    for (;;) {
      try {
        await run(['push', '-q', 'origin', 'HEAD:refs/heads/main']);
        break;
      } catch {
        refused++; // tagflow pushed in between: take its commit and go again
        await run(['pull', '-q', '--rebase', 'origin', 'main']);
      }
    }
    landed.push(`other: change ${i}`);
    firstPush();
  }

  let loop: Promise<void> | undefined;
  return {
    landed,
    refused: () => refused,
    /** Starts the loop; resolves once its first commit is on the remote. */
    start() {
      loop ??= (async () => {
        for (let i = 1; i <= OTHER_COMMITS; i++) await commitAndPush(i);
      })();
      return Promise.race([first, loop]);
    },
    async done() {
      await loop;
      await rm(work, { recursive: true, force: true });
    },
  };
}

/**
 * tagflow's workspaces, counting pushes and rejections. The first workspace opened starts the other
 * writer and is handed to the handler only after the other writer's first push, so tagflow's first
 * push is certainly behind the remote.
 */
function racingWorkspaces(writer: Awaited<ReturnType<typeof otherWriter>>) {
  const counts = { pushes: 0, rejected: 0 };
  const prepare = (s: Services): Services => ({
    ...s,
    git: {
      async open(o) {
        const ws = await s.git.open(o);
        await writer.start();
        return Object.assign(Object.create(ws) as GitWorkspace, {
          async push() {
            counts.pushes++;
            try {
              await ws.push();
            } catch (e) {
              if (e instanceof ConflictError) counts.rejected++;
              throw e;
            }
          },
        });
      },
    },
  });
  return { counts, prepare };
}

describe('git write-back with a concurrent writer on the branch', () => {
  it(`${APPS} apps in one cycle while another client pushes ${OTHER_COMMITS} commits: nothing lost, one tagflow commit`, async () => {
    const repoURL = await suite.env.git.createRepo(REPO, { 'README.md': '# concurrent\n' });
    const apps = Array.from({ length: APPS }, (_, i) =>
      suite.env.app({ name: `conc-${i}`, path: `apps/conc-${i}`, repoURL, writeBack: CREDS }),
    );
    const before = await suite.env.git.log(REPO);
    const writer = await otherWriter(repoURL);
    const race = racingWorkspaces(writer);
    suite.pipeline = await startPipeline(suite.env.kubeconfigPath, { logLevel: 'info', prepare: race.prepare });

    const summary = await suite.pipeline.runOnce(150_000);
    await writer.done();
    expect(summary).toMatchObject({ applications: APPS, images_considered: APPS, images_updated: APPS, errors: 0 });

    const log = await suite.env.git.log(REPO);
    const added = log.slice(0, log.length - before.length);
    const ours = added.filter((c) => c.authorName === TAGFLOW_AUTHOR);
    const theirs = added.filter((c) => c.authorName === 'Other Writer');
    // every one of the other writer's commits is there, once
    expect(theirs.map((c) => c.message).sort()).toEqual([...writer.landed].sort());
    expect(writer.landed).toHaveLength(OTHER_COMMITS);
    for (let i = 1; i <= OTHER_COMMITS; i++)
      expect(await suite.env.git.readFile(REPO, `other/change-${i}.txt`)).toBe(`change ${i} by the other writer\n`);
    // every app's change is there, in one commit: each rejected push re-applied every plan
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message.split('\n')[0]).toBe(`build: automatic update of ${APPS} applications`);
    expect(added).toHaveLength(ours.length + theirs.length);
    const files = await git([
      '--git-dir',
      suite.env.git.repoDir(REPO),
      'grep',
      '-l',
      'value: v2.0',
      'main',
      '--',
      'apps',
    ]);
    expect(new Set(files.split('\n').filter(Boolean))).toEqual(new Set(apps.map((a) => `main:${override(a)}`)));
    // the race happened: tagflow's first push was behind the other writer
    expect(race.counts.rejected).toBeGreaterThanOrEqual(1);

    const writes = (await suite.pipeline.rt.audit.query({ limit: 10 * APPS })).filter((r) => r.kind === 'write-back');
    expect(writes).toHaveLength(APPS);
    expect(writes.every((w) => w.outcome === 'updated' && w.commitSha === ours[0]!.sha)).toBe(true);
    expect(await suite.pipeline.rt.plans.list(commitGroup({ repoUrl: repoURL, branch: '' }))).toEqual([]);

    const position = added.findIndex((c) => c.authorName === TAGFLOW_AUTHOR);
    console.log(
      `concurrent writer: tagflow's ${APPS} app changes in ${ours.length} commit(s) after ${race.counts.pushes} ` +
        `pushes (${race.counts.rejected} rejected); the other writer's ${theirs.length} commits ` +
        `(${writer.refused()} of its pushes refused) landed ${theirs.length - position} before and ${position} after it`,
    );
  }, 180_000);
});
