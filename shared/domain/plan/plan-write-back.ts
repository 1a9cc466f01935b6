import type { Application } from '../../ports/application-store.ts';
import type { AppRef } from '../../jobs/payloads.ts';
import type { WriteBackConfig } from '../annotations/index.ts';
import type { AppEvaluation } from './evaluate-app.ts';
import { renderBranchName, type BranchChange } from '../writeback/branch-template.ts';
import { resolveSource } from './source-type.ts';
import { tagOrDigest, type ImageChange } from './write-back-plan.ts';
import type { WriteBackPlan } from './write-back-plan.ts';

const branchChange = (c: ImageChange): BranchChange => ({ image: c.image, alias: c.alias, oldTag: tagOrDigest(c.oldTag), newTag: tagOrDigest(c.newTag) });

/** Turns an evaluation with changes into the desired state for the app's write-back method. */
export function planWriteBack(app: Application, ref: AppRef, ev: AppEvaluation, config: WriteBackConfig): WriteBackPlan | null {
  if (!ev.sourceType || ev.changes.length === 0) return null;
  const resolved = resolveSource(app, { helm: ev.sourceType === 'Helm', kustomize: ev.sourceType === 'Kustomize' });
  if ('error' in resolved) return null;
  const { source } = resolved;
  const plan: WriteBackPlan = {
    app: ref,
    appUid: app.metadata.uid,
    sourceType: ev.sourceType,
    source,
    writes: ev.writes,
    changes: ev.changes,
    method: config.method,
    createdAt: Date.now(),
  };
  if (config.method === 'git') {
    const base = config.gitBranch?.base || source.targetRevision || '';
    plan.git = {
      repoUrl: config.gitRepository || source.repoURL,
      branch: base === 'HEAD' ? '' : base,
      writeBranch: config.gitBranch?.write ? renderBranchName(config.gitBranch.write, { changes: ev.changes.map(branchChange) }) : undefined,
      path: source.path || '.',
      target: config.target,
      credentials: config.credentials ?? { kind: 'repocreds' },
    };
  }
  return plan;
}
