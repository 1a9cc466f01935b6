import type { GitCredentialsRef } from '../../shared/domain/annotations/index.ts';
import { isSshRemote } from '../../shared/domain/model/git-remote.ts';
import { PermanentError } from '../../shared/errors.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { GitAuth, GitSshAuth } from '../../shared/ports/git-workspace.ts';
import type { GitHubAppTokens } from '../../shared/ports/pull-requests.ts';
import { githubAppAuth, hasGitHubApp, type GitHubAppAuth } from './github-app-auth.ts';
import { argoCdRepoSecret, type RepoSecret } from './repo-secrets.ts';
import { resolveSshAuth } from './ssh-auth.ts';

/** What a write-back pushes with: HTTPS credentials, or for an ssh remote a deploy key and the hosts to trust. */
export interface GitCredentials {
  auth?: GitAuth | GitHubAppAuth;
  ssh?: GitSshAuth;
}

/** An ssh remote (`git@host:org/repo.git`, `ssh://…`) uses sshPrivateKey (ssh-auth.ts); any other resolveGitAuth. */
export async function resolveGitCredentials(
  reader: ConfigReader,
  ref: GitCredentialsRef,
  repoUrl: string,
  argocdNamespace: string,
  githubApps?: GitHubAppTokens,
): Promise<GitCredentials> {
  if (isSshRemote(repoUrl)) return { ssh: await resolveSshAuth(reader, ref, repoUrl, argocdNamespace) };
  return { auth: await resolveGitAuth(reader, ref, repoUrl, argocdNamespace, githubApps) };
}

/**
 * Git credentials for a write-back, read when the job runs (never carried in a job):
 * `git:secret:<ns>/<name>` → that Secret's username/password; `git` → the Argo CD repository
 * Secret whose url is the repository, else the longest matching repo-creds template. A Secret with
 * GitHub App fields gives its installation token (user `x-access-token`).
 */
export async function resolveGitAuth(
  reader: ConfigReader,
  ref: GitCredentialsRef,
  repoUrl: string,
  argocdNamespace: string,
  githubApps?: GitHubAppTokens,
): Promise<GitAuth | GitHubAppAuth | undefined> {
  if (ref.kind === 'secret') {
    const data = await reader.readSecret(ref.namespace, ref.name);
    if (!data)
      throw new PermanentError('git.credentials', `git credentials secret ${ref.namespace}/${ref.name} not found`);
    if (hasGitHubApp(data)) return githubAppAuth(data, `secret ${ref.namespace}/${ref.name}`, repoUrl, githubApps);
    if (!data.username || !data.password) {
      if (data.sshPrivateKey) throw sshKeyForHttps(`git credentials secret ${ref.namespace}/${ref.name}`, repoUrl);
      throw new PermanentError(
        'git.credentials',
        `git credentials secret ${ref.namespace}/${ref.name} needs the fields username and password`,
      );
    }
    return { username: data.username, password: data.password };
  }
  const found = await argoCdRepoSecret(reader, repoUrl, argocdNamespace);
  if (found && hasGitHubApp(found.data)) return githubAppAuth(found.data, found.where, repoUrl, githubApps);
  return found ? userPass(found, repoUrl) : undefined;
}

function userPass({ where, data }: RepoSecret, repoUrl: string): GitAuth | undefined {
  if (data.username && data.password) return { username: data.username, password: data.password };
  if (data.sshPrivateKey) throw sshKeyForHttps(where, repoUrl);
  return undefined;
}

function sshKeyForHttps(where: string, repoUrl: string): PermanentError {
  return new PermanentError(
    'git.credentials',
    `${where} holds an SSH private key (sshPrivateKey), but repository ${repoUrl} is not an SSH URL: ` +
      'use its ssh URL (git@host:org/repo.git or ssh://host/path), or give the secret username and password',
  );
}
