/**
 * Merge requests of one GitLab project over the REST API v4 (`PRIVATE-TOKEN`, the project path
 * URL-encoded as its id). Labels are set at creation (GitLab creates missing ones); a duplicate
 * (409 "Another open merge request already exists") is answered with the existing one.
 */
import { z } from 'zod';
import { TransientError } from '../../errors.ts';
import type { PullRequest, PullRequestApi, PullRequestDraft } from '../../ports/pull-requests.ts';
import { forgeRequest, parseAnswer, type FetchLike, type ForgeCall } from './forge-http.ts';

const MergeRequest = z.object({
  iid: z.number().int(),
  state: z.string(),
  web_url: z.string(),
  title: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
});
const Project = z.object({ default_branch: z.string().min(1) });
const PAGE = 100;
const MAX_PAGES = 10;

const toPullRequest = (m: z.infer<typeof MergeRequest>): PullRequest => ({
  number: m.iid,
  url: m.web_url,
  head: m.source_branch,
  base: m.target_branch,
  title: m.title,
  state: m.state === 'opened' ? 'open' : 'closed',
});

export class GitLabMergeRequests implements PullRequestApi {
  readonly provider = 'gitlab' as const;
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    apiUrl: string,
    readonly repository: string,
    token: string,
    private readonly fetchFn: FetchLike,
  ) {
    this.base = `${apiUrl}/projects/${encodeURIComponent(repository)}`;
    this.headers = { accept: 'application/json', 'private-token': token, 'user-agent': 'tagflow' };
  }

  private call(what: string): ForgeCall {
    return { provider: 'gitlab', repository: this.repository, what };
  }

  private send(what: string, method: string, path: string, body?: unknown, accept?: (s: number) => boolean) {
    return forgeRequest(
      this.fetchFn,
      this.call(what),
      `${this.base}${path}`,
      { method, headers: this.headers, body },
      accept,
    );
  }

  async defaultBranch(): Promise<string> {
    const what = 'read the default branch';
    return parseAnswer(this.call(what), Project, (await this.send(what, 'GET', '')).json).default_branch;
  }

  listOpen(base: string): Promise<PullRequest[]> {
    return this.list(`list the open merge requests into ${base}`, base, 'opened');
  }

  listForHead(base: string, head: string): Promise<PullRequest[]> {
    return this.list(`list the merge requests ${head} → ${base}`, base, 'all', head);
  }

  private async list(what: string, base: string, state: 'opened' | 'all', head?: string): Promise<PullRequest[]> {
    const out: PullRequest[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const q = new URLSearchParams({
        state,
        target_branch: base,
        per_page: String(PAGE),
        page: String(page),
      });
      if (head) q.set('source_branch', head);
      const answer = await this.send(what, 'GET', `/merge_requests?${q}`);
      const mrs = parseAnswer(this.call(what), z.array(MergeRequest), answer.json);
      out.push(...mrs.map(toPullRequest));
      if (mrs.length < PAGE) break;
    }
    return out;
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
      const existing = found.find((m) => m.head === draft.head);
      if (!existing)
        throw new TransientError(
          'forge.inconsistent',
          `GitLab says a merge request ${draft.head} → ${draft.base} exists on ${this.repository} but lists none`,
        );
      return { pullRequest: existing, created: false };
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
