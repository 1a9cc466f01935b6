/**
 * Forges (GitHub, GitLab) as the git write-back needs them: pull/merge requests of one repository,
 * and GitHub App installation tokens. Implemented over their REST APIs in `shared/adapters/forge/`.
 * Tokens are passed in per call (read from Secrets by the worker), never kept in a job.
 */
export type ForgeProvider = 'github' | 'gitlab';

/** An open (or just opened) pull request (GitHub) or merge request (GitLab). */
export interface PullRequest {
  /** GitHub number / GitLab iid. */
  number: number;
  url: string;
  head: string;
  base: string;
  title: string;
  /** Merged counts as closed. */
  state: 'open' | 'closed';
}

export interface PullRequestDraft {
  head: string;
  base: string;
  title: string;
  body: string;
  labels: readonly string[];
}

/** The pull requests of one repository, with one token. */
export interface PullRequestApi {
  readonly provider: ForgeProvider;
  /** `owner/repo` (GitHub) or the project path (GitLab), for messages. */
  readonly repository: string;
  /** The repository's default branch (for a base of '' / HEAD). */
  defaultBranch(): Promise<string>;
  /** Open pull requests into `base`. */
  listOpen(base: string): Promise<PullRequest[]>;
  /** Every pull request head→base, open, closed or merged. */
  listForHead(base: string, head: string): Promise<PullRequest[]>;
  /**
   * Opens a pull request; labels are set at creation (GitLab) or applied afterwards (GitHub: a failure
   * is returned in `labelError`, not thrown). One that already exists for head→base is returned instead.
   */
  create(draft: PullRequestDraft): Promise<{ pullRequest: PullRequest; created: boolean; labelError?: string }>;
  update(number: number, change: { title: string; body: string }): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  close(number: number): Promise<void>;
  deleteBranch(branch: string): Promise<void>;
}

export interface PullRequestForges {
  /**
   * The API of the repository at `repoUrl`. `token`: the HTTPS password (GitHub: a token or the
   * GitHub App installation token; GitLab: a personal/project access token). `apiUrl`: an explicit
   * API base (GitHub App `githubAppEnterpriseBaseUrl`), else derived from the URL's host.
   */
  open(o: { provider: ForgeProvider; repoUrl: string; token: string; apiUrl?: string }): PullRequestApi;
}

export interface GitHubApp {
  appId: string;
  installationId: string;
  /** PEM; never logged, never in an error. */
  privateKey: string;
  /** `githubAppEnterpriseBaseUrl` (GitHub Enterprise: `https://host/api/v3`). */
  enterpriseBaseUrl?: string;
  /** The repository the token is for (named in errors). */
  repoUrl: string;
}

export interface GitHubAppTokens {
  /** An installation access token, cached in-process until shortly before it expires. */
  installationToken(app: GitHubApp): Promise<string>;
}

/** What the git write-back uses of the forges. */
export interface Forges {
  pullRequests: PullRequestForges;
  githubApps: GitHubAppTokens;
}
