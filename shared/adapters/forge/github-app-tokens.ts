/**
 * GitHub App installation tokens: a JWT signed with the app's key is exchanged at
 * `POST {api}/app/installations/{id}/access_tokens` for a token (valid an hour) that is the HTTPS
 * password (user `x-access-token`) and the API token. Tokens are kept in this process until
 * shortly before their `expires_at`; callers asking at once share one request. The API is
 * https://api.github.com, the app's enterprise base URL, or the process-wide override.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PermanentError } from '../../errors.ts';
import type { GitHubApp, GitHubAppTokens } from '../../ports/pull-requests.ts';
import {
  classifyForgeFailure,
  forgeRequest,
  parseAnswer,
  remoteMessage,
  type FetchLike,
  type ForgeCall,
} from './forge-http.ts';
import { githubAppJwt, readAppPrivateKey } from './github-jwt.ts';
import { parseGitUrl } from './api-base.ts';

const TokenAnswer = z.object({ token: z.string().min(1), expires_at: z.string() });

export interface GitHubAppTokenOptions {
  fetch?: FetchLike;
  /** The clock the cache is judged by (tests); the JWT is always signed with the wall clock. */
  now?: () => number;
  /** Renew this long before `expires_at` (default 5 min). */
  renewBeforeMs?: number;
  /** TAGFLOW_GITHUB_API_URL: the API when the app names no enterprise base URL. */
  apiUrlOverride?: string;
}

interface Cached {
  token: string;
  expiresAt: number;
}

export class GitHubAppTokenClient implements GitHubAppTokens {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<Cached>>();
  private readonly fetchFn: FetchLike;
  private readonly now: () => number;
  private readonly renewBeforeMs: number;

  constructor(private readonly o: GitHubAppTokenOptions = {}) {
    this.fetchFn = o.fetch ?? ((url, init) => fetch(url, init));
    this.now = o.now ?? Date.now;
    this.renewBeforeMs = o.renewBeforeMs ?? 5 * 60_000;
  }

  /** The API base of an app: its enterprise URL, the override, else api.github.com. */
  apiUrl(app: Pick<GitHubApp, 'enterpriseBaseUrl'>): string {
    return (app.enterpriseBaseUrl?.trim() || this.o.apiUrlOverride?.trim() || 'https://api.github.com').replace(
      /\/+$/,
      '',
    );
  }

  async installationToken(app: GitHubApp): Promise<string> {
    for (const [field, value] of [
      ['githubAppID', app.appId],
      ['githubAppInstallationID', app.installationId],
    ] as const)
      if (!/^\d+$/.test(value.trim()))
        throw new PermanentError(
          'git.credentials',
          `${field} of the GitHub App credentials for ${app.repoUrl} is not a number`,
        );
    const api = this.apiUrl(app);
    const fingerprint = createHash('sha256').update(app.privateKey).digest('hex').slice(0, 16);
    const key = `${api}\n${app.appId}\n${app.installationId}\n${fingerprint}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - this.renewBeforeMs > this.now()) return hit.token;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchToken(api, app).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const fresh = await pending;
    this.cache.set(key, fresh);
    return fresh.token;
  }

  private async fetchToken(api: string, app: GitHubApp): Promise<Cached> {
    const repository = repoName(app.repoUrl);
    const call: ForgeCall = {
      provider: 'github',
      repository,
      what: `get an installation token of GitHub App ${app.appId} (installation ${app.installationId})`,
    };
    const jwt = githubAppJwt(app.appId.trim(), readAppPrivateKey(app.privateKey, app.appId, repository));
    const url = `${api}/app/installations/${encodeURIComponent(app.installationId.trim())}/access_tokens`;
    const answer = await forgeRequest(
      this.fetchFn,
      call,
      url,
      {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${jwt}`,
          'x-github-api-version': '2022-11-28',
        },
      },
      () => true,
    );
    const failure =
      answer.status >= 300 ? classifyForgeFailure(call, answer.status, answer.headers, answer.json) : null;
    if (failure && failure.kind === 'permanent' && [401, 403, 404].includes(answer.status)) {
      const said = remoteMessage(answer.json);
      const check =
        answer.status === 404
          ? 'check githubAppInstallationID and that the app is installed on the repository'
          : 'check githubAppID and githubAppPrivateKey';
      throw new PermanentError(
        'git.credentials',
        `GitHub App ${app.appId} (installation ${app.installationId}) cannot get a token for ${repository} ` +
          `(${answer.status}${said ? ` ${said}` : ''}): ${check}`,
      );
    }
    if (failure) throw failure;
    const { token, expires_at } = parseAnswer(call, TokenAnswer, answer.json);
    const expiresAt = Date.parse(expires_at);
    return { token, expiresAt: Number.isNaN(expiresAt) ? this.now() + 10 * 60_000 : expiresAt };
  }
}

function repoName(repoUrl: string): string {
  const p = parseGitUrl(repoUrl);
  return p ? `${p.host}${p.path.replace(/\.git\/*$/, '')}` : repoUrl;
}
