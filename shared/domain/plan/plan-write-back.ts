import type { Application } from '../model/application.ts';
import type { ApplicationRef as AppRef } from '../model/application.ts';
import type { WriteBackConfig } from '../annotations/index.ts';
import type { AppEvaluation } from './evaluate-app.ts';
import { renderBranchName, type BranchChange } from '../writeback/branch-template.ts';
import { resolveSource } from './source-type.ts';
import { tagOrDigest, type ImageChange } from './write-back-plan.ts';
import type { WriteBackPlan } from './write-back-plan.ts';

const branchChange = (c: ImageChange): BranchChange => ({
  image: c.image,
  alias: c.alias,
  oldTag: tagOrDigest(c.oldTag),
  newTag: tagOrDigest(c.newTag),
});

/** Turns an evaluation with changes into the desired state for the app's write-back method. */
export function planWriteBack(
  app: Application,
  ref: AppRef,
  ev: AppEvaluation,
  config: WriteBackConfig,
  updater?: { namespace: string; name: string },
): WriteBackPlan | null {
  if (!ev.sourceType || ev.changes.length === 0) return null;
  const resolved = resolveSource(app, { helm: ev.sourceType === 'Helm', kustomize: ev.sourceType === 'Kustomize' });
  if ('error' in resolved) return null;
  const { source } = resolved;
  const base = {
    app: ref,
    appUid: app.metadata.uid,
    sourceType: ev.sourceType,
    source,
    writes: ev.writes,
    changes: ev.changes,
    createdAt: Date.now(),
    ...(updater ? { updater } : {}),
  };
  if (config.method === 'argocd') return { ...base, method: 'argocd' };
  const branch = config.gitBranch?.base || source.targetRevision || '';
  const writeBranch = config.gitBranch?.write
    ? renderBranchName(config.gitBranch.write, { changes: ev.changes.map(branchChange) })
    : undefined;
  return {
    ...base,
    method: 'git',
    git: {
      repoUrl: config.gitRepository || source.repoURL,
      branch: branch === 'HEAD' ? '' : branch,
      ...(writeBranch ? { writeBranch } : {}),
      path: source.path || '.',
      ...(config.target ? { target: config.target } : {}),
      credentials: config.credentials ?? { kind: 'repocreds' },
    },
  };
}
