/**
 * Where a git write-back goes (`write-back-target`, reference §1.4/§5.4/§5.5): the override file
 * `<path>/.argocd-source-<app>.yaml` (default), `kustomization[:dir]`, `helmvalues[:file]`, or a bare
 * path (written in `.argocd-source` format, as [v0]). `:/x` forms are repo-absolute, others relative to
 * the source path. Every resolved path is repo-relative and normalised; one that escapes the
 * repository is rejected with a PermanentError 'writeback.target'.
 */
import { posix } from 'node:path';
import { PermanentError } from '../../errors.ts';
import type { SourceType } from './apply-to-source.ts';
import { argocdSourceFileName } from './argocd-source-file.ts';
import { KUSTOMIZATION_FILE_NAMES } from './kustomization-file.ts';

export const WRITE_BACK_TARGET_ANNOTATION = 'argocd-image-updater.argoproj.io/write-back-target';
export const DEFAULT_HELM_VALUES_FILE = 'values.yaml';
const KUSTOMIZATION = 'kustomization';
const HELMVALUES = 'helmvalues';

export type WriteBackTarget =
  | { kind: 'argocd-source'; path: string }
  | { kind: 'kustomization'; dir: string }
  | { kind: 'helmvalues'; path: string };

function targetError(value: string, why: string): PermanentError {
  return new PermanentError('writeback.target', `${WRITE_BACK_TARGET_ANNOTATION}: ${JSON.stringify(value)} ${why}`);
}

/** Normalise a repo-relative path; reject paths leaving the repository. */
export function safeRepoPath(path: string, annotationValue = path): string {
  if (path.includes('\0')) throw targetError(annotationValue, 'contains a NUL character');
  const normal = posix.normalize(path === '' ? '.' : path).replace(/\/+$/, '') || '.';
  if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
    throw targetError(annotationValue, `resolves to ${JSON.stringify(normal)}, outside the repository`);
  }
  return normal;
}

/** `/x` → repository-absolute `x`; anything else relative to the source path. */
function resolveBase(base: string, sourcePath: string, annotationValue: string): string {
  return safeRepoPath(base.startsWith('/') ? base.slice(1) : posix.join(sourcePath || '.', base), annotationValue);
}

/** The kustomization directory of a `kustomization[:dir]` target. */
export function parseKustomizeBase(target: string, sourcePath: string): string {
  return target === KUSTOMIZATION
    ? resolveBase('.', sourcePath, target)
    : resolveBase(target.slice(KUSTOMIZATION.length + 1), sourcePath, target);
}

/** The values file of a `helmvalues[:file]` target (default `<source path>/values.yaml`). */
export function parseHelmValuesTarget(target: string, sourcePath: string): string {
  return target === HELMVALUES
    ? resolveBase(DEFAULT_HELM_VALUES_FILE, sourcePath, target)
    : resolveBase(target.slice(HELMVALUES.length + 1), sourcePath, target);
}

export interface TargetContext {
  /** The write-back-target annotation value, if any. */
  target?: string;
  /** The Application source path (repo-relative). */
  sourcePath: string;
  appName: string;
  appNamespace: string;
  /** The namespace the controller (Argo CD) runs in, for the override file name. */
  controllerNamespace: string;
}

export function resolveWriteBackTarget(ctx: TargetContext): WriteBackTarget {
  const target = ctx.target?.trim() ?? '';
  if (target === KUSTOMIZATION || target.startsWith(`${KUSTOMIZATION}:`))
    return { kind: 'kustomization', dir: parseKustomizeBase(target, ctx.sourcePath) };
  if (target === HELMVALUES || target.startsWith(`${HELMVALUES}:`))
    return { kind: 'helmvalues', path: parseHelmValuesTarget(target, ctx.sourcePath) };
  if (target === '') {
    const file = argocdSourceFileName(ctx.appName, ctx.appNamespace, ctx.controllerNamespace);
    return { kind: 'argocd-source', path: safeRepoPath(posix.join(ctx.sourcePath || '.', file), ctx.sourcePath) };
  }
  const path = safeRepoPath(target.replace(/^\/+/, ''), target);
  if ((KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(posix.basename(path))) {
    throw targetError(target, 'names a kustomization file; use "kustomization:<dir>" to edit its images');
  }
  return { kind: 'argocd-source', path };
}

/** The application type a target forces, if any (kustomization → Kustomize, helmvalues → Helm). */
export function targetSourceType(target: WriteBackTarget): SourceType | null {
  if (target.kind === 'kustomization') return 'Kustomize';
  if (target.kind === 'helmvalues') return 'Helm';
  return null;
}
