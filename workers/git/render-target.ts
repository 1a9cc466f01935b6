import { posix } from 'node:path';
import { applyImageWrites } from '../../shared/domain/writeback/apply-to-source.ts';
import { renderArgocdSourceFile } from '../../shared/domain/writeback/argocd-source-file.ts';
import { KUSTOMIZATION_FILE_NAMES, updateKustomizationFile } from '../../shared/domain/writeback/kustomization-file.ts';
import { renderHelmValuesFile } from '../../shared/domain/writeback/helm-values-file.ts';
import { resolveWriteBackTarget } from '../../shared/domain/writeback/target.ts';
import type { GitWriteBackPlan as WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { PermanentError } from '../../shared/errors.ts';
import type { GitWorkspace } from '../../shared/ports/git-workspace.ts';

export interface RenderedFile {
  path: string;
  content: string;
}

/**
 * The files a plan writes, rendered against what the working copy holds now (so a plan re-applied
 * after a rebase merges with the new head): the `.argocd-source-<app>.yaml` override file by
 * default, or the `write-back-target` kustomization / Helm values file.
 */
/** What a plan writes to (a file, or a kustomization's directory): plans with the same key render one after the other. */
export function planTargetKey(plan: WriteBackPlan, controllerNamespace: string): string {
  const target = targetOf(plan, controllerNamespace);
  return target.kind === 'kustomization' ? `dir:${target.dir}` : `file:${target.path}`;
}

function targetOf(plan: WriteBackPlan, controllerNamespace: string) {
  return resolveWriteBackTarget({
    target: plan.git.target,
    sourcePath: plan.git.path,
    appName: plan.app.name,
    appNamespace: plan.app.namespace,
    controllerNamespace,
  });
}

export async function renderPlanFiles(
  ws: GitWorkspace,
  plan: WriteBackPlan,
  controllerNamespace: string,
): Promise<RenderedFile[]> {
  const source = applyImageWrites(plan.source, plan.sourceType, plan.writes);
  const target = targetOf(plan, controllerNamespace);
  switch (target.kind) {
    case 'argocd-source':
      return [
        {
          path: target.path,
          content: renderArgocdSourceFile(await ws.readFile(target.path), source, plan.sourceType, plan.writes),
        },
      ];
    case 'helmvalues':
      return [
        {
          path: target.path,
          content: renderHelmValuesFile(await ws.readFile(target.path), source, plan.writes).content,
        },
      ];
    case 'kustomization':
      for (const name of KUSTOMIZATION_FILE_NAMES) {
        const path = posix.join(target.dir, name);
        const current = await ws.readFile(path);
        if (current === null) continue;
        const result = updateKustomizationFile(current, source.kustomize?.images ?? []);
        return result.skip ? [] : [{ path, content: result.content }];
      }
      throw new PermanentError('writeback.target', `could not find kustomization in ${target.dir}`);
  }
}
