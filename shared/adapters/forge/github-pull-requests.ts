/**
 * Pull requests of one GitHub (or GitHub Enterprise) repository over the REST API v3. A duplicate
 * (422 "A pull request already exists for owner:branch.") is answered with the existing one; labels
 * are applied after creation and their failure is reported, not thrown.
 */
import { z } from 'zod';
import type { PullRequest, PullRequestApi, PullRequestDraft } from '../../ports/pull-requests.ts';
import { describeError } from '../../errors.ts';
import { classifyForgeFailure, parseAnswer, remoteMessage, type FetchLike } from './forge-http.ts';
import { ForgeRepoApi } from './forge-repo-api.ts';

const Pull = z.object({
  number: z.number().int(),
  state: z.string(),
  html_url: z.string(),
  title: z.string(),
  head: z.object({ ref: z.string() }),
  base: z.object({ ref: z.string() }),
});

const toPullRequest = (p: z.infer<typeof Pull>): PullRequest => ({
  number: p.number,
  url: p.html_url,
  head: p.head.ref,
  base: p.base.ref,
  title: p.title,
  state: p.state === 'open' ? 'open' : 'closed',
});

export class GitHubPullRequests extends ForgeRepoApi implements PullRequestApi {
  readonly provider = 'github' as const;

  constructor(apiUrl: string, repository: string, token: string, fetchFn: FetchLike) {
    const [owner, repo] = repository.split('/') as [string, string];
    super(
      `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`,
      repository,
      {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'tagflow',
      },
      fetchFn,
    );
  }

  listOpen(base: string): Promise<PullRequest[]> {
    return this.list(`list the open pull requests into ${base}`, base, 'open');
  }

  listForHead(base: string, head: string): Promise<PullRequest[]> {
    return this.list(`list the pull requests ${head} → ${base}`, base, 'all', head);
  }

  private list(what: string, base: string, state: 'open' | 'all', head?: string): Promise<PullRequest[]> {
    const owner = this.repository.split('/')[0]!;
    return this.paged(
      what,
      Pull,
      (page, perPage) => {
        const q = new URLSearchParams({ state, base, per_page: String(perPage), page: String(page) });
        if (head) q.set('head', `${owner}:${head}`);
        return `/pulls?${q}`;
      },
      toPullRequest,
    );
  }

  async create(draft: PullRequestDraft): Promise<{ pullRequest: PullRequest; created: boolean; labelError?: string }> {
    const what = `open a pull request ${draft.head} → ${draft.base}`;
    const res = await this.send(
      what,
      'POST',
      '/pulls',
      { title: draft.title, head: draft.head, base: draft.base, body: draft.body },
      (s) => (s >= 200 && s < 300) || s === 422,
    );
    if (res.status === 422) {
      const said = remoteMessage(res.json);
      if (!/already exists/i.test(said)) throw classifyForgeFailure(this.call(what), res.status, res.headers, res.json);
      const found = await this.list(`find the open pull request ${draft.head}`, draft.base, 'open', draft.head);
      return { pullRequest: await this.existing('pull request', found, draft.head, draft.base), created: false };
    }
    const pullRequest = toPullRequest(parseAnswer(this.call(what), Pull, res.json));
    if (draft.labels.length === 0) return { pullRequest, created: true };
    try {
      await this.send(`label pull request #${pullRequest.number}`, 'POST', `/issues/${pullRequest.number}/labels`, {
        labels: draft.labels,
      });
      return { pullRequest, created: true };
    } catch (e) {
      return { pullRequest, created: true, labelError: describeError(e).message };
    }
  }

  async update(number: number, change: { title: string; body: string }): Promise<void> {
    await this.send(`update pull request #${number}`, 'PATCH', `/pulls/${number}`, change);
  }

  async comment(number: number, body: string): Promise<void> {
    await this.send(`comment on pull request #${number}`, 'POST', `/issues/${number}/comments`, { body });
  }

  async close(number: number): Promise<void> {
    await this.send(`close pull request #${number}`, 'PATCH', `/pulls/${number}`, { state: 'closed' });
  }

  async deleteBranch(branch: string): Promise<void> {
    const ref = branch.split('/').map(encodeURIComponent).join('/');
    await this.send(`delete branch ${branch}`, 'DELETE', `/git/refs/heads/${ref}`);
  }
}
