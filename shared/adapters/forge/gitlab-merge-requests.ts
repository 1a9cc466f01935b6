/**
 * Merge requests of one GitLab project over the REST API v4 (`PRIVATE-TOKEN`, the project path
 * URL-encoded as its id). Labels are set at creation (GitLab creates missing ones); a duplicate
 * (409 "Another open merge request already exists") is answered with the existing one.
 */
import { z } from 'zod';
import type { PullRequest, PullRequestApi, PullRequestDraft } from '../../ports/pull-requests.ts';
import { parseAnswer, type FetchLike } from './forge-http.ts';
import { ForgeRepoApi } from './forge-repo-api.ts';

const MergeRequest = z.object({
  iid: z.number().int(),
  state: z.string(),
  web_url: z.string(),
  title: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
});

const toPullRequest = (m: z.infer<typeof MergeRequest>): PullRequest => ({
  number: m.iid,
  url: m.web_url,
  head: m.source_branch,
  base: m.target_branch,
  title: m.title,
  state: m.state === 'opened' ? 'open' : 'closed',
});

export class GitLabMergeRequests extends ForgeRepoApi implements PullRequestApi {
  readonly provider = 'gitlab' as const;

  constructor(apiUrl: string, repository: string, token: string, fetchFn: FetchLike) {
    super(
      `${apiUrl}/projects/${encodeURIComponent(repository)}`,
      repository,
      { accept: 'application/json', 'private-token': token, 'user-agent': 'tagflow' },
      fetchFn,
    );
  }

  listOpen(base: string): Promise<PullRequest[]> {
    return this.list(`list the open merge requests into ${base}`, base, 'opened');
  }

  listForHead(base: string, head: string): Promise<PullRequest[]> {
    return this.list(`list the merge requests ${head} → ${base}`, base, 'all', head);
  }

  private list(what: string, base: string, state: 'opened' | 'all', head?: string): Promise<PullRequest[]> {
    return this.paged(
      what,
      MergeRequest,
      (page, perPage) => {
        const q = new URLSearchParams({ state, target_branch: base, per_page: String(perPage), page: String(page) });
        if (head) q.set('source_branch', head);
        return `/merge_requests?${q}`;
      },
      toPullRequest,
    );
  }

  async create(draft: PullRequestDraft): Promise<{ pullRequest: PullRequest; created: boolean }> {
    const what = `open a merge request ${draft.head} → ${draft.base}`;
    const res = await this.send(
      what,
      'POST',
      '/merge_requests',
      {
        source_branch: draft.head,
        target_branch: draft.base,
        title: draft.title,
        description: draft.body,
        ...(draft.labels.length > 0 ? { labels: draft.labels.join(',') } : {}),
      },
      (s) => (s >= 200 && s < 300) || s === 409,
    );
    if (res.status === 409) {
      const found = await this.list(`find the open merge request ${draft.head}`, draft.base, 'opened', draft.head);
      return { pullRequest: await this.existing('merge request', found, draft.head, draft.base), created: false };
    }
    return { pullRequest: toPullRequest(parseAnswer(this.call(what), MergeRequest, res.json)), created: true };
  }

  async update(iid: number, change: { title: string; body: string }): Promise<void> {
    await this.send(`update merge request !${iid}`, 'PUT', `/merge_requests/${iid}`, {
      title: change.title,
      description: change.body,
    });
  }

  async comment(iid: number, body: string): Promise<void> {
    await this.send(`comment on merge request !${iid}`, 'POST', `/merge_requests/${iid}/notes`, { body });
  }

  async close(iid: number): Promise<void> {
    await this.send(`close merge request !${iid}`, 'PUT', `/merge_requests/${iid}`, { state_event: 'close' });
  }

  async deleteBranch(branch: string): Promise<void> {
    await this.send(`delete branch ${branch}`, 'DELETE', `/repository/branches/${encodeURIComponent(branch)}`);
  }
}
