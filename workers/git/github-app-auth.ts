/**
 * GitHub App credentials in a repository, repo-creds or `git:secret:` Secret (`githubAppID`,
 * `githubAppInstallationID`, `githubAppPrivateKey`, optional `githubAppEnterpriseBaseUrl`, as
 * Argo CD stores them): the installation token is the HTTPS password of user `x-access-token` and
 * the pull request API token. The enterprise base URL travels with it for the pull request API.
 */
import { PermanentError } from '../../shared/errors.ts';
import type { GitAuth } from '../../shared/ports/git-workspace.ts';
import type { GitHubAppTokens } from '../../shared/ports/pull-requests.ts';

export interface GitHubAppAuth extends GitAuth {
  /** `githubAppEnterpriseBaseUrl`: the API of a GitHub Enterprise server. */
  githubApiUrl?: string;
}

const FIELDS = ['githubAppID', 'githubAppInstallationID', 'githubAppPrivateKey'] as const;

export function hasGitHubApp(data: Record<string, string>): boolean {
  return FIELDS.some((f) => (data[f] ?? '').trim() !== '');
}

/** `where`: the Secret, for messages (`secret argocd/repo-x`). */
export async function githubAppAuth(
  data: Record<string, string>,
  where: string,
  repoUrl: string,
  apps: GitHubAppTokens | undefined,
): Promise<GitHubAppAuth> {
  const missing = FIELDS.filter((f) => (data[f] ?? '').trim() === '');
  if (missing.length > 0)
    throw new PermanentError(
      'git.credentials',
      `GitHub App credentials in ${where} need the fields ${FIELDS.join(', ')} (missing: ${missing.join(', ')})`,
    );
  if (!apps)
    throw new PermanentError('git.credentials', `GitHub App credentials (${where}) cannot be used by this process`);
  const enterprise = data.githubAppEnterpriseBaseUrl?.trim();
  const token = await apps.installationToken({
    appId: data.githubAppID!.trim(),
    installationId: data.githubAppInstallationID!.trim(),
    privateKey: data.githubAppPrivateKey!,
    ...(enterprise ? { enterpriseBaseUrl: enterprise } : {}),
    repoUrl,
  });
  return { username: 'x-access-token', password: token, ...(enterprise ? { githubApiUrl: enterprise } : {}) };
}
