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
export async function renderPlanFiles(
  ws: GitWorkspace,
  plan: WriteBackPlan,
  controllerNamespace: string,
): Promise<RenderedFile[]> {
  const git = plan.git;
  const source = applyImageWrites(plan.source, plan.sourceType, plan.writes);
  const target = resolveWriteBackTarget({
    target: git.target,
    sourcePath: git.path,
    appName: plan.app.name,
    appNamespace: plan.app.namespace,
    controllerNamespace,
  });
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
