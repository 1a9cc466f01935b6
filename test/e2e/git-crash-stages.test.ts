/**
 * No git update lost or duplicated when the git worker dies the hard way. The scheduler, registry
 * and select roles run in this process; the git pool runs in a separate real `tagflow run --roles
 * git` process armed with one fault point (shared/jobs/fault-points.ts), which SIGKILLs it at that
 * stage of the commit job. The process is started again and again (the job resumed by the next one
 * after its lock expired, with the fault point still armed) until it was killed ten times, then once
 * without the fault point. Afterwards every app's change is in exactly one tagflow commit on the
 * remote, every app's file holds the new tag, and the audit trail has exactly one `updated`
 * write-back record per app and change.
 *
 * The four stages run side by side, each with its own repository, apps, Redis prefix and git pool
 * process. `git.before-ack` dies after every plan was settled, so a resumed job finds nothing to do:
 * that stage makes a new change (a new image tag) for each of its ten kills instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerLocks } from '../../shared/jobs/queues.ts';
import type { FaultPointName } from '../../shared/jobs/fault-points.ts';
import {
  SEED_PREFIX,
  startWritebackEnvironment,
  type WritebackEnvironment,
} from '../fixtures/writeback-environment.ts';
import { spawnTagflow, type TagflowProcess } from '../helpers/cli.ts';
import { startPipeline, until, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';
import { git, showFile } from '../services/git-server.ts';

const KILLS = 10;
const APPS = 3;
const CREDS = 'git:secret:argocd/git-creds';
/** Short job locks in the git pool process, so a killed job is resumed within seconds. */
const LOCKS = { TAGFLOW_JOB_LOCK_MS: '2000', TAGFLOW_JOB_STALLED_MS: '500' };
const TAGFLOW_AUTHOR = 'argocd-image-updater';
const ACK_IMAGE = 'crash/ack';

interface Stage {
  point: FaultPointName;
  slug: string;
  repo: string;
  apps: string[];
  pipeline: Pipeline;
  procs: TagflowProcess[];
  kills: number;
}

let env: WritebackEnvironment;
const stages = new Map<FaultPointName, Stage>();
const override = (app: string) => `apps/${app}/.argocd-source-${app}.yaml`;

async function setUpStage(point: FaultPointName): Promise<Stage> {
  const slug = point.replace('git.', '');
  const repo = `crash-${slug}`;
  const repoURL = await env.git.createRepo(repo, { 'README.md': `# ${repo}\n` });
  const image = point === 'git.before-ack' ? `${SEED_PREFIX}/${ACK_IMAGE}` : undefined;
  const apps = Array.from({ length: APPS }, (_, i) =>
    env.app({ name: `${slug}-${i}`, path: `apps/${slug}-${i}`, repoURL, image, writeBack: CREDS }),
  );
  // this stage's pipeline sees only this stage's apps
  const pipeline = await startPipeline(env.kubeconfigPath, {
    roles: ['scheduler', 'registry', 'select'],
    logLevel: 'info',
    prepare: (s) => ({ ...s, settings: { ...s.settings, nameMatches: (n: string) => n.startsWith(`${slug}-`) } }),
  });
  return { point, slug, repo, apps, pipeline, procs: [], kills: 0 };
}

/** A real `tagflow run` process running only the git pool of the stage's Redis prefix. */
function startGitPool(stage: Stage, armed: boolean): TagflowProcess {
  const proc = spawnTagflow(
    ['run', '--roles', 'git', '--kubeconfig', env.kubeconfigPath, '--redis-url', TEST_REDIS_URL, '--loglevel', 'info'],
    {
      TAGFLOW_PREFIX: stage.pipeline.prefix,
      KUBECONFIG: undefined,
      ...LOCKS,
      TAGFLOW_FAULT_POINTS: armed ? stage.point : undefined,
    },
  );
  stage.procs.push(proc);
  return proc;
}

/** Waits until `proc` died by the stage's fault point (and by nothing else). */
async function killedByFault(stage: Stage, proc: TagflowProcess): Promise<void> {
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 90_000).unref());
  const code = await Promise.race([proc.exited, timeout]);
  const tail = () =>
    proc
      .logs()
      .slice(-10)
      .map((l) => JSON.stringify(l))
      .join('\n');
  if (code === 'timeout') throw new Error(`${stage.point}: the git pool was not killed within 90 s:\n${tail()}`);
  const line = `fault point ${stage.point} reached`;
  if (code !== null || !proc.logs().some((l) => String(l.raw ?? '').includes(line)))
    throw new Error(`${stage.point}: the git pool exited with ${code}, not by its fault point:\n${tail()}`);
  stage.kills++;
}

/** Waits until the stage's commit queue holds no job (the last resumed job completed) and none failed. */
async function commitQueueDrained(stage: Stage): Promise<void> {
  await until(
    async () => {
      const c = (await stage.pipeline.rt.sink.counts()).commit;
      expect(c.failed ?? 0).toBe(0);
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0 && c.completed! > 0;
    },
    60_000,
    `${stage.point}: an empty commit queue`,
  );
}

/** Stages that die inside one job: one cycle, the same job killed ten times, then finished. */
async function crashOneJob(stage: Stage): Promise<string[]> {
  const cycle = await stage.pipeline.startCycle();
  while (stage.kills < KILLS) await killedByFault(stage, startGitPool(stage, true));
  startGitPool(stage, false);
  expect(await stage.pipeline.waitCycle(cycle, 90_000)).toMatchObject({ images_updated: APPS, errors: 0 });
  await commitQueueDrained(stage);
  return ['v2.0'];
}

/** git.before-ack: each kill comes after a change was settled, so each kill gets a change of its own. */
async function crashAfterEachChange(stage: Stage): Promise<string[]> {
  const tags: string[] = [];
  while (stage.kills < KILLS) {
    const proc = startGitPool(stage, true);
    const tag = `v${stage.kills + 2}.0`;
    await env.pushTags(ACK_IMAGE, [tag]);
    tags.push(tag);
    const cycle = await stage.pipeline.startCycle();
    await killedByFault(stage, proc);
    expect(await stage.pipeline.waitCycle(cycle, 90_000)).toMatchObject({ images_updated: APPS, errors: 0 });
  }
  startGitPool(stage, false);
  await commitQueueDrained(stage);
  return tags;
}

/** The commits (oldest first) that changed `path` on main, with the image tag each wrote. */
async function commitsOf(repo: string, path: string): Promise<{ sha: string; tag: string | undefined }[]> {
  const dir = env.git.repoDir(repo);
  const shas = (await git(['--git-dir', dir, 'log', '--reverse', '--format=%H', 'main', '--', path]))
    .split('\n')
    .filter(Boolean);
  return Promise.all(
    shas.map(async (sha) => ({
      sha,
      tag: /name: image\.tag\n\s+value: (\S+)/.exec((await showFile(dir, path, sha)) ?? '')?.[1],
    })),
  );
}

async function verify(stage: Stage, tags: string[]): Promise<void> {
  const log = await env.git.log(stage.repo);
  const ours = log.filter((c) => c.authorName === TAGFLOW_AUTHOR);
  // one commit per change for all of the stage's apps (they share the branch), never a second one
  expect(ours.map((c) => c.message.split('\n')[0])).toEqual(
    tags.map(() => `build: automatic update of ${APPS} applications`),
  );
  for (const app of stage.apps) {
    const commits = await commitsOf(stage.repo, override(app));
    expect(commits.map((c) => c.tag)).toEqual(tags);
    expect(commits.every((c) => ours.some((o) => o.sha === c.sha))).toBe(true);
    expect(await env.git.readFile(stage.repo, override(app))).toContain(`value: ${tags.at(-1)}`);
    const writes = (await stage.pipeline.rt.audit.query({ app: `tagflow-test/argocd/${app}` })).filter(
      (r) => r.kind === 'write-back',
    );
    expect(writes.map((w) => w.outcome)).toEqual(tags.map(() => 'updated'));
    expect(new Set(writes.map((w) => `${w.selected} ${w.commitSha}`))).toEqual(
      new Set(commits.map((c) => `${c.tag} ${c.sha}`)),
    );
  }
}

beforeAll(async () => {
  env = await startWritebackEnvironment();
  await env.pushTags(ACK_IMAGE, ['v1.0']);
  const points: FaultPointName[] = ['git.before-commit', 'git.after-commit', 'git.after-push', 'git.before-ack'];
  for (const point of points) stages.set(point, await setUpStage(point));
}, 120_000);

afterAll(async () => {
  for (const s of stages.values()) await Promise.all(s.procs.map((p) => p.kill('SIGTERM')));
  for (const s of stages.values()) await s.pipeline.close();
  await env?.stop();
});

describe('SIGKILL at each stage of a git commit job: nothing lost, nothing twice', () => {
  it('the lock override the crash test relies on: only whole milliseconds in range count', () => {
    expect(workerLocks(LOCKS)).toEqual({ lockMs: 2000, stalledIntervalMs: 500 });
    expect(workerLocks({})).toEqual({ lockMs: 10_000, stalledIntervalMs: 4_000 });
    expect(workerLocks({ TAGFLOW_JOB_LOCK_MS: '10', TAGFLOW_JOB_STALLED_MS: '1s' })).toEqual({
      lockMs: 10_000,
      stalledIntervalMs: 4_000,
    });
  });

  it.concurrent.each(['git.before-commit', 'git.after-commit', 'git.after-push', 'git.before-ack'] as const)(
    'killed ten times at %s',
    async (point) => {
      const stage = stages.get(point)!;
      const started = Date.now();
      const tags = point === 'git.before-ack' ? await crashAfterEachChange(stage) : await crashOneJob(stage);
      expect(stage.kills).toBe(KILLS);
      await verify(stage, tags);
      console.log(
        `${point}: ${stage.kills} kills, ${stage.procs.length} git pool processes, ${tags.length} change(s) ` +
          `landed once each, ${Math.round((Date.now() - started) / 1000)} s`,
      );
    },
    180_000,
  );
});
