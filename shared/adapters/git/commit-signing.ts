/**
 * Signed and signed-off commits, as argocd-image-updater makes them
 * (`git [-c gpg.format=<method>] commit -a [-S<key>] [-s]`, reference §5.3 step 6).
 *
 * The key id / key path reaches git as per-command config (`gpg.format`, `user.signingKey`) through
 * GIT_CONFIG_COUNT/KEY/VALUE, appended after the entries the hermetic env already carries; the command
 * line only says `--gpg-sign` and `--signoff`. A key id or a key path is not a secret, and no key
 * material ever passes through tagflow: gpg finds its keyring through GNUPGHOME (or HOME) of the
 * process env, ssh-keygen reads the private key file itself.
 *
 * A commit that cannot be signed (no such key, gpg failing, a key file ssh-keygen refuses) is a
 * PermanentError `git.signing`: retrying cannot make the key appear, so it fails the batch at once.
 */
import { PermanentError } from '../../errors.ts';
import { scrubSecrets } from './git-errors.ts';

export type CommitSigningMethod = 'openpgp' | 'ssh';

export interface CommitSigning {
  /** GPG key id (openpgp) or the path of an SSH private key (ssh). Unset or empty: commits are not signed. */
  key?: string;
  /** Default openpgp, as the anchor. */
  method?: CommitSigningMethod;
  /** Adds a `Signed-off-by:` trailer with the committer identity. */
  signOff?: boolean;
}

const signs = (s?: CommitSigning): s is CommitSigning & { key: string } => !!s?.key?.trim();

/** The git config entries a commit needs for `s` (none when it is not signed). */
export function signingConfig(s?: CommitSigning): [string, string][] {
  if (!signs(s)) return [];
  return [
    ['gpg.format', s.method ?? 'openpgp'],
    ['user.signingKey', s.key.trim()],
  ];
}

/** The options of `git commit` for `s`, in simple-git's option form. */
export function signingFlags(s?: CommitSigning): Record<string, null> {
  return {
    ...(signs(s) ? { '--gpg-sign': null } : {}),
    ...(s?.signOff ? { '--signoff': null } : {}),
  };
}

/**
 * The variables that append `entries` to the GIT_CONFIG_* list of `env` (the env git will run with):
 * a new GIT_CONFIG_COUNT and the KEY/VALUE pairs after the existing ones. Merge them over `env`.
 */
export function appendGitConfig(
  env: Record<string, string>,
  entries: readonly [string, string][],
): Record<string, string> {
  if (entries.length === 0) return {};
  const start = Number(env.GIT_CONFIG_COUNT ?? '0') || 0;
  const out: Record<string, string> = { GIT_CONFIG_COUNT: String(start + entries.length) };
  entries.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${start + i}`] = key;
    out[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  return out;
}

/** What git, gpg and ssh-keygen print when a commit cannot be signed. */
const SIGNING =
  /gpg failed to sign|failed to write commit object|couldn't load public key|no private key found|unprotected private key|invalid value for 'gpg\.format'|ssh-keygen|signing failed|no secret key/i;

/** The lines worth showing: no banners, no blank lines, no trailing `?` git adds to ssh-keygen's lines. */
function summary(raw: string): string {
  const lines = raw
    .split('\n')
    .map((l) =>
      l
        .replace(/\?$/, '')
        .replace(/^(error|fatal):\s*/, '')
        .trim(),
    )
    .filter((l) => l && !/^@+$|^@\s.*@$/.test(l) && !/^gpg: (checking the trustdb|marginals needed|depth:)/.test(l));
  return [...new Set(lines)].slice(0, 5).join(' | ') || 'signing failed';
}

/**
 * The PermanentError `git.signing` for a failed signed commit, or null when `e` is not about signing
 * (then the caller classifies it as any other git failure). `where` names the repository and branch;
 * `secrets` are scrubbed from git's output, as for every other git error.
 */
export function signingFailure(
  e: unknown,
  s: CommitSigning | undefined,
  where: string,
  secrets: readonly string[] = [],
): PermanentError | null {
  if (!signs(s)) return null;
  const raw = e instanceof Error ? e.message : String(e);
  if (!SIGNING.test(raw)) return null;
  const method = s.method ?? 'openpgp';
  const key = s.key.trim();
  const hint =
    method === 'openpgp'
      ? `gpg needs the secret key "${key}" (--git-commit-signing-key) without a passphrase in the keyring it finds through GNUPGHOME (or ~/.gnupg)`
      : `ssh-keygen needs ${key} (--git-commit-signing-key) to be a readable SSH private key without a passphrase, mode 0600 or stricter`;
  return new PermanentError(
    'git.signing',
    `cannot sign the commit to ${where}: ${summary(scrubSecrets(raw, secrets))}; ${hint}`,
  );
}
