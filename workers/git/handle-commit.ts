import type { JobContext, JobHandler } from '../../shared/jobs/job-context.ts';
import type { GitWriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { ConflictError, describeError, TransientError } from '../../shared/errors.ts';
import { settleWriteBack, type SettleDeps } from '../../shared/jobs/settle-write-back.ts';
import { commitGroup } from '../../shared/jobs/enqueue.ts';
import { eachLimit } from '../../shared/jobs/each-limit.ts';
import { faultPoint } from '../../shared/jobs/fault-points.ts';
import type { CommitJob } from '../../shared/jobs/payloads.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { GitAuthor, GitWorkspace, GitWorkspaceFactory } from '../../shared/ports/git-workspace.ts';
import type { PendingPlan } from '../../shared/ports/write-back-plans.ts';
import type { Forges } from '../../shared/ports/pull-requests.ts';
import { resolveGitCredentials } from './git-auth.ts';
import { batchCommitMessage } from './commit-message.ts';
import { planTargetKey, renderPlanFiles } from './render-target.ts';
import { preparePullRequest, proposeChanges, splitPullRequests } from './pull-request.ts';

export interface CommitDeps extends SettleDeps {
  git: GitWorkspaceFactory;
  /** A control plane's Secrets (git credentials) and the namespace Argo CD runs in. */
  controlPlane(name: string): { config: ConfigReader; argocdNamespace: string };
  /** Pull/merge requests (ImageUpdater pullRequest) and GitHub App tokens. */
  forges?: Forges;
  settings: {
    author: GitAuthor;
    messageTemplate: string;
    maxPushAttempts?: number;
    /** Apps per commit at most (0 or unset = every pending plan of a batch in one commit). */
    maxBatch?: number;
  };
}

type Plan = PendingPlan & { plan: GitWriteBackPlan };

/**
 * The git write-back for one repository branch: every pending plan for it goes into one commit
 * (one per control plane and credentials reference: an app's change is only ever pushed with the
 * credentials its own configuration names, read from its own control plane). A rejected push is
 * answered by fetching the new head and re-applying the plans (not the old diff); nothing to change
 * is a success without a commit. A failure is retried with the job; once the job fails for good,
 * the plans not yet written are settled as failed.
 */
export function handleCommit(deps: CommitDeps): JobHandler<CommitJob> {
  return {
    async run(job, ctx) {
      const pending = gitPlans(await deps.plans.list(commitGroup(job)));
      if (pending.length === 0) return { outcome: 'nothing-pending' };
      const log = ctx.log.child({ repo: job.repoUrl, branch: job.branch });
      const results = [];
      let retry: unknown;
      // plans proposed in a pull request: one batch (one head branch, one pull request) per credentials
      const { direct, proposed } = splitPullRequests(pending);
      for (const batch of [...byCredentials(direct, deps.settings.maxBatch), ...byCredentials(proposed)]) {
        try {
          results.push(await writeBatch(deps, ctx, log, job, batch));
        } catch (e) {
          const err = describeError(e);
          if (err.kind !== 'permanent') {
            retry ??= e; // retried with the job; batches written so far are settled already
            continue;
          }
          // wrong credentials, a missing target file...: these apps fail, the other batches go on
          log.error(
            { code: err.code, applications: batch.map((p) => p.plan.app.name) },
            `could not write back to git: ${err.message}`,
          );
          for (const p of batch)
            await settleWriteBack(
              deps,
              ctx,
              commitGroup(job),
              p,
              pushedAs(p)
                ? { kind: 'written', commitSha: pushedAs(p) }
                : { kind: 'failed', code: err.code, message: err.message },
            );
          results.push({ outcome: 'failed', code: err.code });
        }
      }
      if (retry) throw retry;
      faultPoint('git.before-ack');
      return results.length === 1 ? results[0] : { outcome: 'batches', results };
    },
    async onFinalFailure(job, ctx, error) {
      const group = commitGroup(job);
      const pending = gitPlans(await deps.plans.list(group));
      for (const p of pending)
        await settleWriteBack(
          deps,
          ctx,
          group,
          p,
          pushedAs(p)
            ? { kind: 'written', commitSha: pushedAs(p) }
            : { kind: 'failed', code: error.code, message: error.message },
        );
      if (pending.length > 0)
        ctx.log.error(
          {
            repo: job.repoUrl,
            branch: job.branch,
            code: error.code,
            applications: pending.map((p) => p.plan.app.name),
          },
          `could not write back to git: ${error.message}`,
        );
    },
  };
}

/**
 * A plan is marked `pushing:<sha>` before its push and `<sha>` once pushed. A job killed between
 * the push and the settle finds its change on the remote when it runs again and reports it as
 * written by that commit (not as a no-op); only a mark without the prefix proves the push when the
 * job fails for good.
 */
const PUSHING = 'pushing:';
/** Plans marked or settled at once (Redis scripts, audit appends, Events). */
const SETTLE_LANES = 16;
const pushedAs = (p: PendingPlan) => (p.written?.startsWith(PUSHING) ? undefined : p.written);

function gitPlans(pending: readonly PendingPlan[]): Plan[] {
  return pending.filter((p): p is Plan => p.plan.method === 'git');
}

/** One batch per control plane and credentials reference, each cut into commits of `max` apps at most (0 = no cap). */
function byCredentials(pending: Plan[], max = 0): Plan[][] {
  const all = groupBy(pending, (p) => `${p.plan.app.cluster}\n${JSON.stringify(p.plan.git.credentials)}`);
  if (max <= 0) return all;
  return all.flatMap((b) =>
    Array.from({ length: Math.ceil(b.length / max) }, (_, i) => b.slice(i * max, (i + 1) * max)),
  );
}

async function writeBatch(deps: CommitDeps, ctx: JobContext, log: JobContext['log'], job: CommitJob, pending: Plan[]) {
  const group = commitGroup(job);
  const first = pending[0]!.plan;
  const cp = deps.controlPlane(first.app.cluster);
  let ws: GitWorkspace | undefined;
  try {
    const creds = first.git.credentials;
    const apps = deps.forges?.githubApps;
    const { auth, ssh } = await resolveGitCredentials(cp.config, creds, job.repoUrl, cp.argocdNamespace, apps);
    const pr = first.git.pullRequest ? await preparePullRequest(deps.forges, job, pending, auth) : undefined;
    const [branch, pushBranch] = pr ? [pr.base, pr.head] : [job.branch, job.writeBranch];
    ws = await deps.git.open({ repoUrl: job.repoUrl, branch, pushBranch, auth, ssh });
    const { sha, changedApps } = await commitAndPush(deps, ws, pending, cp.argocdNamespace, group, !!pr);
    faultPoint('git.after-push');
    const changed = pending.filter((p) => changedApps.has(p.app));
    if (sha) await eachLimit(changed, SETTLE_LANES, (p) => deps.plans.markWritten(group, p.app, p.id, sha));
    const pushed = sha !== null || pending.some((p) => p.written);
    const opts = { plans: pending, pushed, template: deps.settings.messageTemplate, log };
    const proposal = pr ? await proposeChanges(pr, opts) : null;
    const inPr = proposal ? { pullRequest: { number: proposal.number, url: proposal.url } } : {};
    // apps settle independently of each other: a monorepo's hundreds of plans settle in parallel lanes
    await eachLimit(pending, SETTLE_LANES, async (p) => {
      // a plan this job already pushed on an earlier attempt (crash before it was settled) counts as written:
      // it was marked before that push, and its content is on the remote now
      const written = changedApps.has(p.app) ? (sha ?? undefined) : p.written?.replace(PUSHING, '');
      if (written)
        log.info({ application: p.plan.app.name, commit: written }, 'Successfully updated the live application spec');
      else log.info({ application: p.plan.app.name }, 'write-back target already up to date, no commit needed');
      await settleWriteBack(
        deps,
        ctx,
        group,
        p,
        written ? { kind: 'written', commitSha: written, ...inPr } : { kind: 'unchanged', ...inPr },
      );
    });
    return { outcome: sha ? 'committed' : 'noop', sha, apps: pending.length };
  } finally {
    await ws?.dispose();
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

async function commitAndPush(
  deps: CommitDeps,
  ws: GitWorkspace,
  pending: Plan[],
  controllerNamespace: string,
  group: string,
  /** A pull request head branch: force-pushed (as the anchor). */
  force = false,
) {
  const attempts = deps.settings.maxPushAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    const changedApps = new Set<string>();
    // plans writing the same file (a shared values file or kustomization) render in turn, the others in parallel
    await eachLimit(
      groupBy(pending, (p) => planTargetKey(p.plan, controllerNamespace)),
      SETTLE_LANES,
      async (plans) => {
        for (const p of plans)
          for (const file of await renderPlanFiles(ws, p.plan, controllerNamespace)) {
            if (file.content === (await ws.readFile(file.path))) continue;
            await ws.writeFile(file.path, file.content);
            changedApps.add(p.app);
          }
      },
    );
    const changed = pending.filter((p) => changedApps.has(p.app));
    if (changed.length === 0) return { sha: null, changedApps };
    faultPoint('git.before-commit');
    const sha = await ws.commit(
      batchCommitMessage(
        deps.settings.messageTemplate,
        changed.map((p) => p.plan),
      ),
      deps.settings.author,
    );
    if (!sha) return { sha: null, changedApps: new Set<string>() };
    faultPoint('git.after-commit');
    await eachLimit(changed, SETTLE_LANES, (p) => deps.plans.markWritten(group, p.app, p.id, `${PUSHING}${sha}`));
    try {
      await ws.push(force ? { force } : undefined);
      return { sha, changedApps };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (attempt >= attempts)
        throw new TransientError('git.push-rejected', `push rejected ${attempt} times in a row: ${e.message}`);
      await ws.resetToRemote();
    }
  }
}
