/**
 * Application-level write-back annotations: write-back-method, git-branch, git-repository,
 * write-back-target. Values are trimmed; blank = unset.
 */
import { quoteForMessage } from '../input-limits.ts';
import { appKey, firstValue, type FoundValue } from './keys.ts';
import { annotationProblem, oversizedValue, type AnnotationProblem } from './problem.ts';

export type GitCredentialsRef = { kind: 'repocreds' } | { kind: 'secret'; namespace: string; name: string };

export interface WriteBackConfig {
  method: 'argocd' | 'git';
  /** Set for git: where the push credentials come from. */
  credentials?: GitCredentialsRef;
  /** `<branch>` → base; `<base>:<write>` / `:<write>` → write is a branch template; base '' = targetRevision. */
  gitBranch?: { base: string; write?: string };
  gitRepository?: string;
  target?: string;
}

export const WRITE_BACK_METHOD_ANNOTATION = appKey('write-back-method');
export const GIT_BRANCH_ANNOTATION = appKey('git-branch');
export const GIT_REPOSITORY_ANNOTATION = appKey('git-repository');
export const WRITE_BACK_TARGET_ANNOTATION = appKey('write-back-target');

const METHOD_HELP = 'expected argocd, git, git:repocreds or git:secret:<namespace>/<name>';

function parseCredentials(found: FoundValue, creds: string): GitCredentialsRef | string {
  if (creds === 'repocreds') return { kind: 'repocreds' };
  if (creds.startsWith('secret:')) {
    const parts = creds.slice('secret:'.length).split('/');
    if (parts.length === 2 && parts[0] && parts[1]) return { kind: 'secret', namespace: parts[0], name: parts[1] };
    return `the secret reference must be <namespace>/<name> (${METHOD_HELP})`;
  }
  return `unexpected credentials ${quoteForMessage(creds)} in ${found.key} (${METHOD_HELP})`;
}

function parseBranch(found: FoundValue): WriteBackConfig['gitBranch'] | string {
  const parts = found.value.split(':');
  if (parts.length > 2) return 'expected <branch>, <base>:<write-branch> or :<write-branch> (at most one ":")';
  const [base = '', write = ''] = parts;
  return write ? { base, write } : { base };
}

/** Read the write-back configuration; config is null when it is invalid (the application cannot be written). */
export function readWriteBackConfig(annotations: Record<string, string> | undefined): {
  config: WriteBackConfig | null;
  problems: AnnotationProblem[];
} {
  const ann = annotations ?? {};
  const problems: AnnotationProblem[] = [];
  const fail = (f: FoundValue, detail: string) => {
    problems.push(annotationProblem('error', f.key, f.value, detail));
    return { config: null, problems };
  };
  const method = firstValue(ann, [WRITE_BACK_METHOD_ANNOTATION]);
  const branch = firstValue(ann, [GIT_BRANCH_ANNOTATION]);
  const repository = firstValue(ann, [GIT_REPOSITORY_ANNOTATION]);
  const target = firstValue(ann, [WRITE_BACK_TARGET_ANNOTATION]);
  for (const f of [method, branch, repository, target]) {
    const oversized = f && oversizedValue(f.value);
    if (oversized) return fail(f, oversized);
  }

  if (!method || method.value === 'argocd') {
    for (const f of [branch, repository, target]) {
      if (f)
        problems.push(
          annotationProblem(
            'warning',
            f.key,
            f.value,
            'ignored: write-back-method is argocd (set it to git to use this)',
          ),
        );
    }
    return { config: { method: 'argocd' }, problems };
  }
  const colon = method.value.indexOf(':');
  const kind = colon === -1 ? method.value : method.value.slice(0, colon);
  if (kind !== 'git') return fail(method, `invalid write-back method "${kind}": ${METHOD_HELP}`);
  const credentials = parseCredentials(method, colon === -1 ? 'repocreds' : method.value.slice(colon + 1));
  if (typeof credentials === 'string') return fail(method, credentials);

  const config: WriteBackConfig = { method: 'git', credentials };
  if (branch) {
    const parsed = parseBranch(branch);
    if (typeof parsed === 'string') return fail(branch, parsed);
    config.gitBranch = parsed;
  }
  if (repository) config.gitRepository = repository.value;
  if (target) config.target = target.value;
  return { config, problems };
}
