/**
 * Remote URLs as the git workspace takes them: credentials moved out of an https URL, and remotes
 * refused that git could take for an option or whose credentials are of the wrong kind.
 */
import { parseSshRemote } from '../../domain/model/git-remote.ts';
import { PermanentError } from '../../errors.ts';
import type { GitAuth, GitSshAuth } from '../../ports/git-workspace.ts';
import { scrubSecrets } from './git-errors.ts';

/** Moves URL userinfo into auth (explicit auth wins) and returns the URL without it. */
export function splitCredentials(repoUrl: string, auth?: GitAuth): { url: string; auth?: GitAuth } {
  if (!/^https?:\/\//i.test(repoUrl)) return { url: repoUrl, auth };
  let u: URL;
  try {
    u = new URL(repoUrl);
  } catch {
    throw new PermanentError('git.url', `repository URL "${scrubSecrets(repoUrl)}" is not a valid URL`);
  }
  const fromUrl = u.username
    ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
    : undefined;
  u.username = '';
  u.password = '';
  return { url: u.toString(), auth: auth ?? fromUrl };
}

/**
 * Refuses remotes git could take for an option, and credentials of the wrong kind: an ssh remote
 * needs an SSH key (there are no anonymous or ambient-key ssh write-backs), an https remote cannot use one.
 */
export function checkRemote(url: string, ssh: GitSshAuth | undefined): void {
  const remote = parseSshRemote(url);
  if (
    url.startsWith('-') ||
    /[\s\x00-\x1f\x7f]/.test(url) ||
    remote?.host.startsWith('-') ||
    remote?.user?.startsWith('-')
  )
    throw new PermanentError('git.url', `repository URL "${scrubSecrets(url)}" is not allowed`);
  if (remote && /^[a-z+]+:\/\/[^@/]*:[^@/]*@/i.test(url))
    throw new PermanentError('git.url', `ssh repository URL "${scrubSecrets(url)}" must not carry a password`);
  if (remote && !ssh)
    throw new PermanentError('git.credentials', `repository ${url} is an SSH URL, but no SSH private key was given`);
  if (!remote && ssh)
    throw new PermanentError(
      'git.credentials',
      `an SSH private key was given for repository ${url}, which is not an SSH URL (git@host:org/repo.git or ssh://host/path)`,
    );
}
