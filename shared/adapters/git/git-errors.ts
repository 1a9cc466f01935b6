/**
 * Classifies git failures into the tagflow error taxonomy and scrubs secrets from their text.
 * The original error is not attached as `cause`: its message is only ever exposed scrubbed.
 */
import { ConflictError, PermanentError, TransientError, type TagflowError } from '../../errors.ts';

export type GitOperation = 'clone' | 'fetch' | 'checkout' | 'push' | 'commit' | 'resolve-branch' | 'reset' | 'head';

/** Removes URL userinfo (`https://user:pass@host` → `https://***@host`) and each given secret. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out.replace(/(Authorization:\s*\w+\s+)\S+/gi, '$1***');
}

const AUTH =
  /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|HTTP (Basic: Access denied|40[13])|Invalid username or password/i;
const REJECTED =
  /\[rejected\]|\[remote rejected\]|non-fast-forward|\(fetch first\)|Updates were rejected|pre-receive hook declined/i;
const NO_REPO =
  /Repository not found|repository '[^']*' not found|returned error: 404|does not appear to be a git repository|not found: did you run git update-server-info/i;
const NO_BRANCH = /Remote branch .* not found|couldn't find remote ref/i;
const SSH_NOISE =
  /^(fatal: Could not read from remote repository\.|Please make sure you have the correct access rights|and the repository exists\.)$/;
const SSH_HOST_CHANGED = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for (\S+) has changed/;
const SSH_HOST_UNKNOWN = /No \S+ host key is known for (\S+)|Host key verification failed/;
const SSH_KEY_UNUSABLE = /Load key "[^"]*": (.+)|incorrect passphrase|bad permissions/i;
const SSH_DENIED = /Permission denied \(publickey[^)]*\)/;

/** Where the known hosts come from, for the message of an unknown or changed host key. */
export const DEFAULT_KNOWN_HOSTS_SOURCE = 'the ConfigMap argocd-ssh-known-hosts-cm (key ssh_known_hosts) of Argo CD';

/** ssh's refusals, which retrying cannot fix. `undefined` when `raw` is not one. */
function classifySsh(raw: string, what: string, knownHostsSource: string): TagflowError | undefined {
  const changed = SSH_HOST_CHANGED.exec(raw);
  if (changed) {
    const host =
      /Host key for (\S+) has changed/.exec(raw)?.[1] ??
      /ssh-keygen -f "[^"]*" -R "([^"]+)"/.exec(raw)?.[1] ??
      'the host';
    return new PermanentError(
      'git.ssh-host-key-changed',
      `${what}: the SSH host key of ${host} does not match the one in ${knownHostsSource}: the host's key ` +
        `changed or someone is intercepting the connection; if the change is expected, replace the line of ${host} there`,
    );
  }
  const unknown = SSH_HOST_UNKNOWN.exec(raw);
  if (unknown) {
    const host = unknown[1] ?? 'the host';
    return new PermanentError(
      'git.ssh-host-unknown',
      `${what}: the SSH host key of ${host} is not known (strict host key checking): add a line ` +
        `"${host} <key type> <key>" (e.g. from ssh-keyscan) to ${knownHostsSource}`,
    );
  }
  const key = SSH_KEY_UNUSABLE.exec(raw);
  if (key) {
    return new PermanentError(
      'git.credentials',
      `${what}: the SSH private key cannot be used (${(key[1] ?? key[0]).trim()}): sshPrivateKey must be an ` +
        'unencrypted private key in OpenSSH or PEM format',
    );
  }
  if (SSH_DENIED.test(raw)) {
    return new PermanentError(
      'git.auth',
      `${what}: the SSH server refused the deploy key (${SSH_DENIED.exec(raw)![0]}): register the public key of ` +
        'sshPrivateKey with write access to the repository, or correct the Secret',
    );
  }
  return undefined;
}

/** The first meaningful lines of git's output, scrubbed, for a one-line error message. */
function summary(raw: string, secrets: readonly string[]): string {
  const lines = scrubSecrets(raw, secrets)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(hint:|Cloning into |To |Done$)/.test(l) && !SSH_NOISE.test(l));
  return lines.slice(0, 4).join(' | ') || 'git failed';
}

/**
 * @param what e.g. `push to https://git.example/org/repo.git (main)` — must not contain secrets.
 * @param knownHostsSource where an ssh remote's host keys come from (named when one is unknown or changed)
 */
export function classifyGitError(
  e: unknown,
  op: GitOperation,
  what: string,
  secrets: readonly string[] = [],
  knownHostsSource = DEFAULT_KNOWN_HOSTS_SOURCE,
): TagflowError {
  const raw = e instanceof Error ? e.message : String(e);
  const ssh = classifySsh(scrubSecrets(raw, secrets), what, knownHostsSource);
  if (ssh) return ssh;
  const msg = `${what}: ${summary(raw, secrets)}`;
  if (AUTH.test(raw)) return new PermanentError('git.auth', msg);
  if (op === 'push' && REJECTED.test(raw)) return new ConflictError('git.push-rejected', msg);
  if (NO_BRANCH.test(raw)) return new PermanentError('git.branch-not-found', msg);
  if (NO_REPO.test(raw)) return new PermanentError('git.repo-not-found', msg);
  return new TransientError(`git.${op}`, msg);
}
