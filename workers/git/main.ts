import type { Runtime } from '../../apps/cli/runtime.ts';
import { handleCommit } from './handle-commit.ts';

/** Composition root of the git pool (queue "commit", the git write-back method). */
export function gitHandler(rt: Runtime) {
  return handleCommit({
    git: rt.git,
    reader: rt.reader,
    plans: rt.plans,
    cycles: rt.cycles,
    audit: rt.audit,
    report: rt.report,
    events: rt.events,
    settings: {
      author: { name: rt.config.gitCommitUser, email: rt.config.gitCommitEmail },
      messageTemplate: rt.commitTemplate,
      argocdNamespace: rt.argocdNamespace,
    },
  });
}
