import type { JobContext } from '../../shared/adapters/queue/worker-runner.ts';
import type { GitWriteBackPlan as WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { ConflictError, describeError, TransientError } from '../../shared/errors.ts';
import { settleWriteBack, type SettleDeps } from '../../shared/jobs/settle-write-back.ts';
import { commitGroup } from '../../shared/jobs/enqueue.ts';
import type { CommitJob } from '../../shared/jobs/payloads.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { GitAuthor, GitWorkspace, GitWorkspaceFactory } from '../../shared/ports/git-workspace.ts';
import type { PendingPlan } from '../../shared/ports/plan-store.ts';
import { resolveGitAuth } from './git-auth.ts';
import { batchCommitMessage } from './commit-message.ts';
import { renderPlanFiles } from './render-target.ts';

export interface CommitDeps extends SettleDeps {
  git: GitWorkspaceFactory;
  reader: ConfigReader;
  settings: { author: GitAuthor; messageTemplate: string; argocdNamespace: string; maxPushAttempts?: number };
}

type Plan = PendingPlan<WriteBackPlan>;

/**
 * The git write-back for one repository branch: every pending plan for it goes into one commit
 * (one per distinct credentials reference: an app's change is only ever pushed with the
 * credentials its own annotations name). A rejected push is answered by fetching the new head and
 * re-applying the plans (not the old diff); nothing to change is a success without a commit.
 */
export function handleCommit(deps: CommitDeps) {
  return async (job: CommitJob, ctx: JobContext) => {
    const group = commitGroup(job);
    const pending = await deps.plans.list<WriteBackPlan>(group);
    if (pending.length === 0) return { outcome: 'nothing-pending' };
    const log = ctx.log.child({ repo: job.repoUrl, branch: job.branch });
    const results = [];
    for (const batch of byCredentials(pending)) results.push(await writeBatch(deps, ctx, log, job, batch));
    return results.length === 1 ? results[0] : { outcome: 'batches', results };
  };
}

function byCredentials(pending: Plan[]): Plan[][] {
  const batches = new Map<string, Plan[]>();
  for (const p of pending) {
    const id = JSON.stringify(p.plan.git!.credentials);
    batches.set(id, [...(batches.get(id) ?? []), p]);
  }
  return [...batches.values()];
}

async function writeBatch(deps: CommitDeps, ctx: JobContext, log: JobContext['log'], job: CommitJob, pending: Plan[]) {
  const group = commitGroup(job);
  let ws: GitWorkspace | undefined;
  try {
    const auth = await resolveGitAuth(deps.reader, pending[0]!.plan.git!.credentials, job.repoUrl, deps.settings.argocdNamespace);
    ws = await deps.git.open({ repoUrl: job.repoUrl, branch: job.branch, pushBranch: job.writeBranch, auth });
    const { sha, changedApps } = await commitAndPush(deps, ws, pending);
    const changed = pending.filter((p) => changedApps.has(p.app));
    if (sha) for (const p of changed) await deps.plans.markWritten(group, p.app, p.id, sha);
    for (const p of pending) {
      // a plan this job already pushed on an earlier attempt (crash before its ack) counts as written
      const written = changedApps.has(p.app) ? (sha ?? undefined) : p.written;
      if (written) log.info({ application: p.plan.app.name, commit: written }, 'Successfully updated the live application spec');
      else log.info({ application: p.plan.app.name }, 'write-back target already up to date, no commit needed');
      await settleWriteBack(deps, ctx, group, p, written ? { kind: 'written', commitSha: written } : { kind: 'unchanged' });
    }
    return { outcome: sha ? 'committed' : 'noop', sha, apps: pending.length };
  } catch (e) {
    const err = describeError(e);
    if (!ctx.finalAttempt && err.kind !== 'permanent') throw e;
    for (const p of pending) await settleWriteBack(deps, ctx, group, p, p.written ? { kind: 'written', commitSha: p.written } : { kind: 'failed', code: err.code, message: err.message });
    log.error({ code: err.code, applications: pending.map((p) => p.plan.app.name) }, `could not write back to git: ${err.message}`);
    return { outcome: 'failed', code: err.code };
  } finally {
    await ws?.dispose();
  }
}

async function commitAndPush(deps: CommitDeps, ws: GitWorkspace, pending: Plan[]) {
  const attempts = deps.settings.maxPushAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    const changedApps = new Set<string>();
    for (const p of pending) {
      for (const file of await renderPlanFiles(ws, p.plan, deps.settings.argocdNamespace)) {
        if (file.content === (await ws.readFile(file.path))) continue;
        await ws.writeFile(file.path, file.content);
        changedApps.add(p.app);
      }
    }
    const changed = pending.filter((p) => changedApps.has(p.app));
    if (changed.length === 0) return { sha: null, changedApps };
    const sha = await ws.commit(batchCommitMessage(deps.settings.messageTemplate, changed.map((p) => p.plan)), deps.settings.author);
    if (!sha) return { sha: null, changedApps: new Set<string>() };
    try {
      await ws.push();
      return { sha, changedApps };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (attempt >= attempts) throw new TransientError('git.push-rejected', `push rejected ${attempt} times in a row: ${e.message}`);
      await ws.resetToRemote();
    }
  }
}
