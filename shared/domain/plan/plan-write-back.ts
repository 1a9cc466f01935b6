import type { Application } from '../model/application.ts';
import type { ApplicationRef as AppRef } from '../model/application.ts';
import type { WriteBackConfig } from '../annotations/index.ts';
import type { PullRequestSettings } from '../imageupdater/write-back.ts';
import type { AppEvaluation } from './evaluate-app.ts';
import { renderBranchName, type BranchChange } from '../writeback/branch-template.ts';
import { forcedSourceType, gitLocation, selectSource } from './source-type.ts';
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
  pullRequest?: PullRequestSettings,
): WriteBackPlan | null {
  if (!ev.sourceType || ev.changes.length === 0) return null;
  // a kustomization/helmvalues target forces the type (git only, as the anchor), which may choose another source
  const sourceType = (config.method === 'git' && forcedSourceType(config.target)) || ev.sourceType;
  const chosen = selectSource(app, sourceType);
  if (!chosen) return null;
  const { source } = chosen;
  const base = {
    app: ref,
    appUid: app.metadata.uid,
    sourceType,
    source,
    ...(chosen.index !== undefined ? { sourceIndex: chosen.index } : {}),
    writes: ev.writes,
    changes: ev.changes,
    createdAt: Date.now(),
    ...(updater ? { updater } : {}),
  };
  if (config.method === 'argocd') return { ...base, method: 'argocd' };
  const at = gitLocation(app, chosen, ev.sourceType, config.gitRepository);
  const branch = config.gitBranch?.base || at.targetRevision;
  const writeBranch = config.gitBranch?.write
    ? renderBranchName(config.gitBranch.write, { changes: ev.changes.map(branchChange) })
    : undefined;
  return {
    ...base,
    method: 'git',
    git: {
      repoUrl: at.repoUrl,
      branch: branch === 'HEAD' ? '' : branch,
      ...(writeBranch ? { writeBranch } : {}),
      path: at.path,
      ...(config.target ? { target: config.target } : {}),
      credentials: config.credentials ?? { kind: 'repocreds' },
      ...(pullRequest ? { pullRequest } : {}),
    },
  };
}
