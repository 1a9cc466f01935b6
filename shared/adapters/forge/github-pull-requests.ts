/**
 * Pull requests of one GitHub (or GitHub Enterprise) repository over the REST API v3. A duplicate
 * (422 "A pull request already exists for owner:branch.") is answered with the existing one; labels
 * are applied after creation and their failure is reported, not thrown.
 */
import { z } from 'zod';
import type { PullRequest, PullRequestApi, PullRequestDraft } from '../../ports/pull-requests.ts';
import { describeError, TransientError } from '../../errors.ts';
import {
  classifyForgeFailure,
  forgeRequest,
  parseAnswer,
  remoteMessage,
  type FetchLike,
  type ForgeCall,
} from './forge-http.ts';

const Pull = z.object({
  number: z.number().int(),
  state: z.string(),
  html_url: z.string(),
  title: z.string(),
  head: z.object({ ref: z.string() }),
  base: z.object({ ref: z.string() }),
});
const Repo = z.object({ default_branch: z.string().min(1) });
const PAGE = 100;
const MAX_PAGES = 10;

const toPullRequest = (p: z.infer<typeof Pull>): PullRequest => ({
  number: p.number,
  url: p.html_url,
  head: p.head.ref,
  base: p.base.ref,
  title: p.title,
  state: p.state === 'open' ? 'open' : 'closed',
});

export class GitHubPullRequests implements PullRequestApi {
  readonly provider = 'github' as const;
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    apiUrl: string,
    readonly repository: string,
    token: string,
    private readonly fetchFn: FetchLike,
  ) {
    const [owner, repo] = repository.split('/') as [string, string];
    this.base = `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    this.headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'tagflow',
    };
  }

  private call(what: string): ForgeCall {
    return { provider: 'github', repository: this.repository, what };
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
    return parseAnswer(this.call(what), Repo, (await this.send(what, 'GET', '')).json).default_branch;
  }

  listOpen(base: string): Promise<PullRequest[]> {
    return this.list(`list the open pull requests into ${base}`, base, 'open');
  }

  listForHead(base: string, head: string): Promise<PullRequest[]> {
    return this.list(`list the pull requests ${head} → ${base}`, base, 'all', head);
  }

  private async list(what: string, base: string, state: 'open' | 'all', head?: string): Promise<PullRequest[]> {
    const out: PullRequest[] = [];
    const owner = this.repository.split('/')[0]!;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const q = new URLSearchParams({ state, base, per_page: String(PAGE), page: String(page) });
      if (head) q.set('head', `${owner}:${head}`);
      const pulls = parseAnswer(this.call(what), z.array(Pull), (await this.send(what, 'GET', `/pulls?${q}`)).json);
      out.push(...pulls.map(toPullRequest));
      if (pulls.length < PAGE) break;
    }
    return out;
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
      const existing = found.find((p) => p.head === draft.head);
      if (!existing)
        throw new TransientError(
          'forge.inconsistent',
          `GitHub says a pull request ${draft.head} → ${draft.base} exists on ${this.repository} but lists none`,
        );
      return { pullRequest: existing, created: false };
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
