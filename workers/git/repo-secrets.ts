/**
 * Argo CD's repository credentials as Argo CD finds them: the repository Secret
 * (`argocd.argoproj.io/secret-type=repository`) whose url is the repository, when it holds
 * credentials, else the repo-creds template (`…=repo-creds`) with the longest url the repository
 * starts with. URLs are compared normalised (shared/domain/model/git-remote.ts): case, `.git`,
 * trailing slashes and the two ssh spellings aside.
 */
import { normaliseRemoteUrl } from '../../shared/domain/model/git-remote.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';

export const REPOSITORY_SECRETS = 'argocd.argoproj.io/secret-type=repository';
export const REPO_CREDS_SECRETS = 'argocd.argoproj.io/secret-type=repo-creds';

export interface RepoSecret {
  /** For messages: `secret <namespace>/<name>`. */
  where: string;
  data: Record<string, string>;
}

const CREDENTIAL_FIELDS = ['username', 'password', 'sshPrivateKey', 'githubAppID', 'githubAppPrivateKey'];

function hasCredentials(data: Record<string, string>): boolean {
  return CREDENTIAL_FIELDS.some((f) => (data[f] ?? '').trim() !== '');
}

export async function argoCdRepoSecret(
  reader: ConfigReader,
  repoUrl: string,
  namespace: string,
): Promise<RepoSecret | undefined> {
  const want = normaliseRemoteUrl(repoUrl);
  const repos = await reader.listSecrets(namespace, REPOSITORY_SECRETS);
  const exact = repos.find((s) => s.data.url && normaliseRemoteUrl(s.data.url) === want && hasCredentials(s.data));
  if (exact) return { where: `secret ${namespace}/${exact.name}`, data: exact.data };
  const best = (await reader.listSecrets(namespace, REPO_CREDS_SECRETS))
    .map((s) => ({ s, url: s.data.url ? normaliseRemoteUrl(s.data.url) : '' }))
    .filter((t) => t.url !== '' && want.startsWith(t.url))
    .sort((a, b) => b.url.length - a.url.length)[0];
  return best && { where: `secret ${namespace}/${best.s.name}`, data: best.s.data };
}
