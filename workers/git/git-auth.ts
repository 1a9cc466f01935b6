import type { GitCredentialsRef } from '../../shared/domain/annotations/index.ts';
import { PermanentError } from '../../shared/errors.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { GitAuth } from '../../shared/ports/git-workspace.ts';

/**
 * Git credentials for a write-back, read when the job runs (never carried in a job):
 * `git:secret:<ns>/<name>` → that Secret's username/password; `git` → the Argo CD repository
 * Secret whose url is the repository, else the longest matching repo-creds template.
 */
export async function resolveGitAuth(
  reader: ConfigReader,
  ref: GitCredentialsRef,
  repoUrl: string,
  argocdNamespace: string,
): Promise<GitAuth | undefined> {
  if (ref.kind === 'secret') {
    const data = await reader.readSecret(ref.namespace, ref.name);
    if (!data)
      throw new PermanentError('git.credentials', `git credentials secret ${ref.namespace}/${ref.name} not found`);
    if (!data.username || !data.password) {
      throw new PermanentError(
        'git.credentials',
        `git credentials secret ${ref.namespace}/${ref.name} needs the fields username and password`,
      );
    }
    return { username: data.username, password: data.password };
  }
  const want = normaliseUrl(repoUrl);
  const repos = await reader.listSecrets(argocdNamespace, 'argocd.argoproj.io/secret-type=repository');
  const exact = repos.find((s) => s.data.url && normaliseUrl(s.data.url) === want);
  if (exact) return userPass(exact.data);
  const templates = await reader.listSecrets(argocdNamespace, 'argocd.argoproj.io/secret-type=repo-creds');
  const best = templates
    .filter((s) => s.data.url && want.startsWith(normaliseUrl(s.data.url)))
    .sort((a, b) => b.data.url!.length - a.data.url!.length)[0];
  return best ? userPass(best.data) : undefined;
}

function userPass(data: Record<string, string>): GitAuth | undefined {
  return data.username && data.password ? { username: data.username, password: data.password } : undefined;
}

function normaliseUrl(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}
