/**
 * SSH credentials of a write-back to an ssh remote (`git@host:org/repo.git`,
 * `ssh://[user@]host[:port]/path`): `sshPrivateKey` of the `git:secret:` Secret or of the Argo CD
 * repository / repo-creds Secret, and the hosts Argo CD trusts (ConfigMap `argocd-ssh-known-hosts-cm`,
 * key `ssh_known_hosts`, in the Argo CD namespace of the app's control plane). Strict: a host missing
 * there is refused by ssh, never learned, unless the Secret says `insecure: "true"` as Argo CD allows.
 */
import type { GitCredentialsRef } from '../../shared/domain/annotations/index.ts';
import { PermanentError } from '../../shared/errors.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { GitSshAuth } from '../../shared/ports/git-workspace.ts';
import { argoCdRepoSecret, REPOSITORY_SECRETS, type RepoSecret } from './repo-secrets.ts';

export const KNOWN_HOSTS_CONFIG_MAP = 'argocd-ssh-known-hosts-cm';
export const KNOWN_HOSTS_KEY = 'ssh_known_hosts';

export async function resolveSshAuth(
  reader: ConfigReader,
  ref: GitCredentialsRef,
  repoUrl: string,
  argocdNamespace: string,
): Promise<GitSshAuth> {
  const secret = await sshSecret(reader, ref, repoUrl, argocdNamespace);
  const privateKey = sshKeyOf(secret, repoUrl);
  const config = await reader.readConfigMap(argocdNamespace, KNOWN_HOSTS_CONFIG_MAP);
  const source = `the ConfigMap ${argocdNamespace}/${KNOWN_HOSTS_CONFIG_MAP} (key ${KNOWN_HOSTS_KEY})`;
  return {
    privateKey,
    knownHosts: config?.[KNOWN_HOSTS_KEY] ?? '',
    knownHostsSource: config ? source : `${source}, which does not exist yet`,
    // Argo CD's "skip server verification" of a repository: the host key is not checked
    ...(secret.data.insecure?.trim().toLowerCase() === 'true' ? { insecureIgnoreHostKey: true } : {}),
  };
}

async function sshSecret(
  reader: ConfigReader,
  ref: GitCredentialsRef,
  repoUrl: string,
  namespace: string,
): Promise<RepoSecret> {
  if (ref.kind === 'secret') {
    const data = await reader.readSecret(ref.namespace, ref.name);
    if (!data)
      throw new PermanentError('git.credentials', `git credentials secret ${ref.namespace}/${ref.name} not found`);
    return { where: `git credentials secret ${ref.namespace}/${ref.name}`, data };
  }
  const found = await argoCdRepoSecret(reader, repoUrl, namespace);
  if (!found)
    throw new PermanentError(
      'git.credentials',
      `no SSH credentials for repository ${repoUrl}: add an Argo CD repository secret (label ${REPOSITORY_SECRETS}, ` +
        `fields url and sshPrivateKey) or repo-creds template in namespace ${namespace}, or use git:secret:<namespace>/<name>`,
    );
  return found;
}

function sshKeyOf(secret: RepoSecret, repoUrl: string): string {
  const key = secret.data.sshPrivateKey;
  if (!key?.trim()) {
    const why = secret.data.username || secret.data.password ? ' (username/password work with HTTPS URLs only)' : '';
    throw new PermanentError(
      'git.credentials',
      `${secret.where} needs the field sshPrivateKey for the SSH repository ${repoUrl}${why}`,
    );
  }
  const problem = sshKeyProblem(key);
  if (problem)
    throw new PermanentError('git.credentials', `${secret.where}: sshPrivateKey ${problem} (repository ${repoUrl})`);
  return key;
}

const ENCRYPTED = 'is encrypted with a passphrase: a deploy key used by tagflow must not be';
const OPENSSH_MAGIC = 'openssh-key-v1\0';

/** Why `key` cannot be used without a prompt, or undefined. Never quotes the key. */
export function sshKeyProblem(key: string): string | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([\s\S]*?)-----END \1PRIVATE KEY-----/.exec(key);
  if (!m) return 'is not a private key in OpenSSH or PEM format (-----BEGIN … PRIVATE KEY-----)';
  const [, kind, body] = m as unknown as [string, string, string];
  if (kind === 'ENCRYPTED ' || /^\s*Proc-Type:\s*4,ENCRYPTED/m.test(body)) return ENCRYPTED;
  if (kind !== 'OPENSSH ') return undefined;
  // openssh-key-v1: magic, then the cipher name as a length-prefixed string ("none" = unencrypted)
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const at = OPENSSH_MAGIC.length;
  if (bytes.length < at + 4 || bytes.subarray(0, at).toString('latin1') !== OPENSSH_MAGIC)
    return 'is not a valid OpenSSH private key';
  const cipher = bytes.subarray(at + 4, at + 4 + bytes.readUInt32BE(at)).toString('latin1');
  return cipher === 'none' ? undefined : ENCRYPTED;
}
