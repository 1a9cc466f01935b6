/**
 * An applicationRef's merged writeBackConfig → the annotation model's WriteBackConfig, validated by
 * the annotation reader itself (readWriteBackConfig over the equivalent annotations), with its
 * problems re-addressed to the CR fields. [v1] `git:secret:<name>` means a secret in the
 * ImageUpdater's namespace; a secret in another namespace is rejected.
 */
import {
  GIT_BRANCH_ANNOTATION,
  GIT_REPOSITORY_ANNOTATION,
  readWriteBackConfig,
  WRITE_BACK_METHOD_ANNOTATION,
  WRITE_BACK_TARGET_ANNOTATION,
  type WriteBackConfig,
} from '../annotations/write-back.ts';
import { annotationProblem, type AnnotationProblem } from '../annotations/problem.ts';
import type { MergedWriteBack, Sourced } from './merge.ts';
import { fieldLocator, relocateProblem, type UpdaterName } from './problem.ts';

export interface PullRequestSettings {
  provider: 'github' | 'gitlab';
  labels: string[];
}

export interface WriteBackResult {
  /** null when invalid: the application cannot be written back. */
  config: WriteBackConfig | null;
  problems: AnnotationProblem[];
  /** Open a pull/merge request instead of pushing to the branch (git method only). */
  pullRequest?: PullRequestSettings;
}

const SECRET_PREFIX = 'git:secret:';

/**
 * `git:secret:<name>` → `git:secret:<namespace>/<name>`; a secret outside `namespace` is an error
 * (the detail is returned). Other methods are returned unchanged.
 */
export function qualifyGitSecretMethod(method: string, namespace: string): { method: string } | { error: string } {
  const m = method.trim();
  if (!m.startsWith(SECRET_PREFIX)) return { method: m };
  const ref = m.slice(SECRET_PREFIX.length);
  const slash = ref.indexOf('/');
  if (slash === -1) return ref === '' ? { method: m } : { method: `${SECRET_PREFIX}${namespace}/${ref}` };
  const ns = ref.slice(0, slash);
  if (ns !== namespace)
    return {
      error: `the git credentials secret must be in namespace "${namespace}" (the ImageUpdater's and the Application's), not "${ns}"`,
    };
  return { method: m };
}

export function writeBackFromCr(updater: UpdaterName, merged: MergedWriteBack): WriteBackResult {
  const annotations: Record<string, string> = {};
  const locators = new Map<string, string>();
  const put = (key: string, field: Sourced<string> | undefined, value = field?.value) => {
    if (field === undefined || value === undefined) return;
    annotations[key] = value;
    locators.set(key, fieldLocator(updater, field.path));
  };
  if (merged.method) {
    const q = qualifyGitSecretMethod(merged.method.value, updater.namespace);
    if ('error' in q) {
      return {
        config: null,
        problems: [annotationProblem('error', fieldLocator(updater, merged.method.path), merged.method.value, q.error)],
      };
    }
    put(WRITE_BACK_METHOD_ANNOTATION, merged.method, q.method);
  }
  put(GIT_BRANCH_ANNOTATION, merged.branch);
  put(GIT_REPOSITORY_ANNOTATION, merged.repository);
  put(WRITE_BACK_TARGET_ANNOTATION, merged.writeBackTarget);

  const read = readWriteBackConfig(annotations);
  const problems = read.problems.map((p) => relocateProblem(p, locators));
  const pr = merged.pullRequest;
  if (!pr || !read.config) return { config: read.config, problems };
  if (read.config.method !== 'git') {
    problems.push(
      annotationProblem(
        'warning',
        fieldLocator(updater, pr.path),
        JSON.stringify(pr.value),
        'ignored: pull requests need the git write-back method',
      ),
    );
    return { config: read.config, problems };
  }
  const pullRequest: PullRequestSettings = {
    provider: pr.value.github ? 'github' : 'gitlab',
    labels: [...(pr.value.labels ?? [])],
  };
  return { config: read.config, problems, pullRequest };
}
