import { startWorker } from '../../shared/adapters/queue/worker-runner.ts';
import { JOB_SCHEMAS } from '../../shared/jobs/payloads.ts';
import { poolOptions, type Pool, type PoolBase } from '../../shared/jobs/pool.ts';
import type { SettleDeps } from '../../shared/jobs/settle-write-back.ts';
import type { ControlPlanes } from '../../shared/ports/control-plane.ts';
import type { GitWorkspaceFactory } from '../../shared/ports/git-workspace.ts';
import type { Forges } from '../../shared/ports/pull-requests.ts';
import { handleCommit } from './handle-commit.ts';

/** Composition root of the git pool (queue "commit", the git write-back method). */
export function startGitPool(
  s: PoolBase &
    Omit<SettleDeps, 'events'> & {
      controlPlanes: ControlPlanes;
      git: GitWorkspaceFactory;
      forges?: Forges;
      settings: { commitTemplate: string };
    },
): Pool {
  const { config } = s.settings;
  const handler = handleCommit({
    plans: s.plans,
    audit: s.audit,
    report: s.report,
    git: s.git,
    forges: s.forges,
    events: (cp) => s.controlPlanes.get(cp).events,
    controlPlane: (cp) => s.controlPlanes.get(cp),
    settings: {
      author: { name: config.gitCommitUser, email: config.gitCommitEmail },
      messageTemplate: s.settings.commitTemplate,
      maxBatch: config.gitMaxBatch,
    },
  });
  return startWorker('commit', JOB_SCHEMAS.commit, handler, poolOptions(s, config.concurrency.git));
}
