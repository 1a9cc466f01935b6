/**
 * The anchor's commit signing settings: --git-commit-signing-key (GIT_COMMIT_SIGNING_KEY),
 * --git-commit-signing-method (GIT_COMMIT_SIGNING_METHOD) and --git-commit-sign-off (GIT_COMMIT_SIGN_OFF).
 * The anchor's Deployment fills the env variables from the `argocd-image-updater-config` ConfigMap keys
 * `git.commit-signing-key`, `git.commit-signing-method` and `git.commit-sign-off`, as it does `git.user`
 * and `git.email` (GIT_COMMIT_USER, GIT_COMMIT_EMAIL); an empty value is unset, as the chart sends them.
 *
 * Checked at startup: the method is openpgp or ssh, sign-off is a bool, and with ssh the key is a
 * readable file (ssh-keygen reads it at every commit; a missing one should stop the process now, not
 * fail every write-back later). An openpgp key id is looked up by gpg when a commit is signed.
 */
import { accessSync, constants, statSync } from 'node:fs';

export const SIGNING_METHODS = ['openpgp', 'ssh'] as const;
export type SigningMethod = (typeof SIGNING_METHODS)[number];

export interface SigningFlags {
  gitCommitSigningKey?: string;
  gitCommitSigningMethod?: string;
  gitCommitSignOff?: boolean;
}

export interface SigningInput {
  gitCommitSigningKey?: string;
  gitCommitSigningMethod?: SigningMethod;
  gitCommitSignOff?: boolean;
}

/** How a value was given, as a problem names it: the flag, or the env variable and its flag. */
const via = (fromFlag: boolean, flag: string, env: string) => (fromFlag ? `--${flag}` : `${env} (--${flag})`);

/**
 * The three settings from `flags` (commander's values; a flag beats its env variable) and `env` (empty
 * values already dropped). Invalid values are pushed to `problems`, each naming its flag or variable.
 */
export function readSigning(
  flags: SigningFlags,
  env: Record<string, string | undefined>,
  problems: string[],
): SigningInput {
  const out: SigningInput = {};

  const keyFlag = flags.gitCommitSigningKey?.trim();
  const key = keyFlag || env.GIT_COMMIT_SIGNING_KEY?.trim();
  if (key) out.gitCommitSigningKey = key;

  const methodFlag = flags.gitCommitSigningMethod?.trim();
  const method = methodFlag || env.GIT_COMMIT_SIGNING_METHOD?.trim();
  const methodVia = via(!!methodFlag, 'git-commit-signing-method', 'GIT_COMMIT_SIGNING_METHOD');
  if (method && (SIGNING_METHODS as readonly string[]).includes(method))
    out.gitCommitSigningMethod = method as SigningMethod;
  else if (method) problems.push(`${methodVia}: expected openpgp or ssh, got "${method}"`);

  if (typeof flags.gitCommitSignOff === 'boolean') out.gitCommitSignOff = flags.gitCommitSignOff;
  else if (env.GIT_COMMIT_SIGN_OFF !== undefined) {
    const raw = env.GIT_COMMIT_SIGN_OFF.trim().toLowerCase();
    if (raw === 'true' || raw === 'false') out.gitCommitSignOff = raw === 'true';
    else
      problems.push(
        `GIT_COMMIT_SIGN_OFF (--git-commit-sign-off): expected true or false, got "${env.GIT_COMMIT_SIGN_OFF}"`,
      );
  }

  if (key && out.gitCommitSigningMethod === 'ssh') {
    const problem = sshKeyProblem(key);
    if (problem)
      problems.push(
        `${via(!!keyFlag, 'git-commit-signing-key', 'GIT_COMMIT_SIGNING_KEY')}: ${problem} (with ${methodVia} ssh it is the path of an SSH private key)`,
      );
  }
  return out;
}

/** Why `path` cannot be an SSH signing key file, or undefined when it can be read. */
function sshKeyProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `"${path}" is not a file`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `"${path}" does not exist`;
    if (code === 'EACCES' || code === 'EPERM') return `"${path}" is not readable by this process`;
    return `"${path}" cannot be read (${code ?? (e as Error).message})`;
  }
}
