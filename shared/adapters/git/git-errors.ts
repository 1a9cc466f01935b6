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

/** The first meaningful lines of git's output, scrubbed, for a one-line error message. */
function summary(raw: string, secrets: readonly string[]): string {
  const lines = scrubSecrets(raw, secrets)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(hint:|Cloning into |To |Done$)/.test(l));
  return lines.slice(0, 4).join(' | ') || 'git failed';
}

/**
 * @param what e.g. `push to https://git.example/org/repo.git (main)` — must not contain secrets.
 */
export function classifyGitError(
  e: unknown,
  op: GitOperation,
  what: string,
  secrets: readonly string[] = [],
): TagflowError {
  const raw = e instanceof Error ? e.message : String(e);
  const msg = `${what}: ${summary(raw, secrets)}`;
  if (AUTH.test(raw)) return new PermanentError('git.auth', msg);
  if (op === 'push' && REJECTED.test(raw)) return new ConflictError('git.push-rejected', msg);
  if (NO_BRANCH.test(raw)) return new PermanentError('git.branch-not-found', msg);
  if (NO_REPO.test(raw)) return new PermanentError('git.repo-not-found', msg);
  return new TransientError(`git.${op}`, msg);
}
