/**
 * The forge adapters: pull/merge request clients per repository and the GitHub App token client,
 * built once per process by the composition root.
 */
import type { Forges, PullRequestApi } from '../../ports/pull-requests.ts';
import { resolveForgeApi, type ForgeApiOverrides } from './api-base.ts';
import type { FetchLike } from './forge-http.ts';
import { GitHubAppTokenClient } from './github-app-tokens.ts';
import { GitHubPullRequests } from './github-pull-requests.ts';
import { GitLabMergeRequests } from './gitlab-merge-requests.ts';

export { resolveForgeApi, type ForgeApiOverrides } from './api-base.ts';
export { GitHubAppTokenClient } from './github-app-tokens.ts';

export function createForges(o: { overrides?: ForgeApiOverrides; fetch?: FetchLike } = {}): Forges {
  const fetchFn: FetchLike = o.fetch ?? ((url, init) => fetch(url, init));
  return {
    pullRequests: {
      open({ provider, repoUrl, token, apiUrl }): PullRequestApi {
        const at = resolveForgeApi(provider, repoUrl, { apiUrl, overrides: o.overrides });
        return provider === 'github'
          ? new GitHubPullRequests(at.apiUrl, at.repository, token, fetchFn)
          : new GitLabMergeRequests(at.apiUrl, at.repository, token, fetchFn);
      },
    },
    githubApps: new GitHubAppTokenClient({ fetch: fetchFn, apiUrlOverride: o.overrides?.github }),
  };
}
