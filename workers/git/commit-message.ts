import { renderCommitMessage } from '../../shared/domain/writeback/commit-message.ts';
import { tagOrDigest, type ImageChange, type WriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';

function commitChanges(changes: readonly ImageChange[]) {
  return changes.map((c) => ({
    image: c.image,
    oldTag: tagOrDigest(c.oldTag),
    newTag: tagOrDigest(c.newTag),
    labels: c.labels,
  }));
}

/**
 * One app: exactly the message argocd-image-updater writes. Several apps batched into one commit:
 * a summary line, then each app's own rendered message.
 */
export function batchCommitMessage(template: string, plans: readonly WriteBackPlan[]): string {
  const messages = plans.map((p) =>
    renderCommitMessage(template, { appName: p.app.name, changes: commitChanges(p.changes) }),
  );
  if (messages.length === 1) return messages[0]!;
  const names = plans.map((p) => p.app.name);
  return `build: automatic update of ${plans.length} applications\n\n${names.join(', ')}\n\n${messages.join('\n')}`;
}
