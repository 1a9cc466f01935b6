/**
 * The pull request step of a git write-back (ImageUpdater `gitConfig.pullRequest`, reference §5.7
 * in v1.2's anchor mode, one pull request per repository + base batch): the batch's changes go to
 * a head branch started from the base (the write-branch template's branch, else
 * `image-updater-<TargetKey>-<SHA256 of every change>`), which is force-pushed; then one pull/merge
 * request head→base is opened, or the open one updated, never a second. An older open one of ours
 * for the same TargetKey (another head with the same prefix) is closed with a comment naming the
 * new one, and its branch deleted. Which forge and token: the plan's provider, the HTTPS password
 * (GitHub App installation token, GitHub token, GitLab access token).
 */
import {
  PR_BRANCH_TEMPLATE,
  renderBranchName,
  writeBackTargetKey,
} from '../../shared/domain/writeback/branch-template.ts';
import { tagOrDigest, type GitWriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { describeError, PermanentError } from '../../shared/errors.ts';
import type { JobContext } from '../../shared/jobs/job-context.ts';
import type { CommitJob } from '../../shared/jobs/payloads.ts';
import type { Forges, PullRequest, PullRequestApi, PullRequestDraft } from '../../shared/ports/pull-requests.ts';
import type { PendingPlan } from '../../shared/ports/write-back-plans.ts';
import { batchCommitMessage } from './commit-message.ts';
import type { GitHubAppAuth } from './github-app-auth.ts';

type Plan = PendingPlan & { plan: GitWriteBackPlan };
type Log = JobContext['log'];

const MAX_TITLE = 255;
const MAX_BODY_RUNES = 65_536;

/** The plans pushed to their branch and those proposed in a pull request. */
export function splitPullRequests<P extends Plan>(pending: readonly P[]): { direct: P[]; proposed: P[] } {
  return {
    direct: pending.filter((p) => !p.plan.git.pullRequest),
    proposed: pending.filter((p) => p.plan.git.pullRequest),
  };
}

const byApp = (a: Plan, b: Plan) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0);

/**
 * The anchor's head branch for a batch: `image-updater-<TargetKey>-<SHA256>`; also its TargetKey prefix.
 * The TargetKey covers the batch's targets and, past the anchor's, its control plane and credentials
 * reference: batches of one repository and base that differ in those are separate pull requests and
 * must not close each other's as superseded.
 */
export function anchorHead(repoUrl: string, base: string, plans: readonly Plan[]): { head: string; prefix: string } {
  const targets = [...new Set(plans.map((p) => p.plan.git.target ?? ''))].sort().join(',');
  const first = plans[0]?.plan;
  const batch = first ? `|${first.app.cluster}|${JSON.stringify(first.git.credentials)}` : '';
  const targetKey = writeBackTargetKey(repoUrl, base, `${targets}${batch}`);
  const changes = [...plans].sort(byApp).flatMap((p) =>
    p.plan.changes.map((c) => ({
      image: c.image,
      alias: c.alias,
      oldTag: tagOrDigest(c.oldTag),
      newTag: tagOrDigest(c.newTag),
    })),
  );
  return { head: renderBranchName(PR_BRANCH_TEMPLATE, { changes, targetKey }), prefix: `image-updater-${targetKey}-` };
}

/** Title = first line of the batch's commit message; body = the rest and every app's image changes. */
export function pullRequestText(template: string, plans: readonly Plan[]): { title: string; body: string } {
  const sorted = [...plans].sort(byApp);
  const [first = '', ...rest] = batchCommitMessage(
    template,
    sorted.map((p) => p.plan),
  ).split('\n');
  const apps = sorted.map((p) => {
    const lines = p.plan.changes.map((c) => `  - \`${c.fullName}\`: \`${c.oldTag}\` → \`${c.newTag}\``);
    return [`- \`${p.plan.app.namespace}/${p.plan.app.name}\``, ...lines].join('\n');
  });
  const body = [rest.join('\n').trim(), `Applications and images updated:\n\n${apps.join('\n')}`]
    .filter((s) => s !== '')
    .join('\n\n');
  const title = first.trim() || 'chore: update images';
  return {
    title: title.length > MAX_TITLE ? title.slice(0, MAX_TITLE) : title,
    body: Array.from(body).slice(0, MAX_BODY_RUNES).join(''),
  };
}

export interface PreparedPullRequest {
  api: PullRequestApi;
  base: string;
  head: string;
  /** Heads starting with it are ours for the same TargetKey (absent: a write-branch template names the head). */
  supersedes?: string;
  /** Open pull requests into the base, asked before anything is pushed. */
  open: PullRequest[];
}

/**
 * Before cloning: the forge and token, the base (the repository's default branch for '' / HEAD),
 * the head, and the pull requests already open (so a refused token fails before any push).
 */
export async function preparePullRequest(
  forges: Forges | undefined,
  job: CommitJob,
  plans: readonly Plan[],
  auth: object | undefined,
): Promise<PreparedPullRequest> {
  const settings = plans[0]!.plan.git.pullRequest!;
  const { password, githubApiUrl } = (auth ?? {}) as Partial<GitHubAppAuth>;
  const token = typeof password === 'string' ? password : '';
  if (!forges)
    throw new PermanentError('git.pull-request', `pull requests for ${job.repoUrl} cannot be opened by this process`);
  if (token === '')
    throw new PermanentError(
      'git.pull-request',
      `a ${settings.provider} pull request for ${job.repoUrl} needs HTTPS credentials with a token as password ` +
        '(or GitHub App credentials); SSH keys or no credentials cannot open one',
    );
  const apiUrl = settings.provider === 'github' ? githubApiUrl : undefined;
  const api = forges.pullRequests.open({ provider: settings.provider, repoUrl: job.repoUrl, token, apiUrl });
  const base = job.branch.trim() || (await api.defaultBranch());
  const open = await api.listOpen(base);
  if (job.writeBranch) return { api, base, head: job.writeBranch, open };
  const { head, prefix } = anchorHead(job.repoUrl, base, plans);
  return { api, base, head, supersedes: prefix, open };
}

/**
 * After the push: the open pull request head→base updated, else a new one; then superseded ones
 * closed. Null: nothing to propose (the base holds the change already, or a pull request of this
 * head was closed or merged by someone and nothing new was pushed since).
 */
export async function proposeChanges(
  pr: PreparedPullRequest,
  o: { plans: readonly Plan[]; pushed: boolean; template: string; log: Log },
): Promise<PullRequest | null> {
  const { api, base, head } = pr;
  const text = pullRequestText(o.template, o.plans);
  const labels = [...new Set(o.plans.flatMap((p) => p.plan.git.pullRequest?.labels ?? []))];
  const fields = { provider: api.provider, repository: api.repository, head, base };
  let proposed = pr.open.find((p) => p.head === head) ?? null;
  if (proposed) {
    await api.update(proposed.number, text);
    o.log.info({ ...fields, pullRequest: proposed.url, number: proposed.number }, 'Updated the open pull request');
  } else {
    // not pushed by this job: a pull request of this head closed or merged by someone is not opened again
    if (!o.pushed && (await api.listForHead(base, head)).length > 0) return null;
    const draft = { head, base, title: text.title, body: text.body, labels };
    const r = await createUnlessNothingToPropose(api, draft, o.pushed);
    if (!r) return null;
    proposed = r.pullRequest;
    if (!r.created) await api.update(proposed.number, text);
    if (r.labelError) o.log.warn({ ...fields, labels }, `could not label the pull request: ${r.labelError}`);
    o.log.info(
      { ...fields, pullRequest: proposed.url, number: proposed.number, created: r.created },
      r.created ? 'Opened a pull request' : 'Found the pull request already open',
    );
  }
  if (pr.supersedes) await closeSuperseded(pr, proposed, o.log);
  return proposed;
}

/**
 * Opens the pull request. When this job pushed nothing, the head may not exist or hold nothing new
 * (the base has the change already): the forge's validation refusal (422) then means nothing to propose.
 */
async function createUnlessNothingToPropose(api: PullRequestApi, draft: PullRequestDraft, pushed: boolean) {
  try {
    return await api.create(draft);
  } catch (e) {
    if (!pushed && describeError(e).code === 'forge.rejected') return null;
    throw e;
  }
}

async function closeSuperseded(pr: PreparedPullRequest, by: PullRequest, log: Log): Promise<void> {
  const older = pr.open.filter(
    (p) => p.head.startsWith(pr.supersedes!) && p.head !== pr.head && p.number !== by.number,
  );
  for (const old of older) {
    const fields = {
      provider: pr.api.provider,
      repository: pr.api.repository,
      pullRequest: old.url,
      supersededBy: by.url,
    };
    try {
      await pr.api.comment(old.number, `Superseded by #${by.number} (${by.url}), which carries newer image updates.`);
      await pr.api.close(old.number);
      log.info(fields, 'Closed a superseded pull request');
    } catch (e) {
      log.warn(fields, `could not close the superseded pull request: ${describeError(e).message}`);
      continue;
    }
    try {
      await pr.api.deleteBranch(old.head);
    } catch (e) {
      log.warn({ ...fields, branch: old.head }, `could not delete the superseded branch: ${describeError(e).message}`);
    }
  }
}
