import type { PollTarget } from '../domain/fleet/index-entry.ts';
import type { JobSink } from './job-sink.ts';
import { appKey, type AppRef, type CommitJob, type Trigger } from './payloads.ts';

/**
 * Typed producers. The batching and dedup rules live here: polls go in batches of one registry
 * endpoint, checks in batches of apps, one pending write-back per Application (argocd) or per
 * repository branch (git), change cycles coalesced.
 */
/** At most this many repositories per poll job. */
export const POLL_BATCH = 16;
/**
 * Repositories per poll job for a cycle of `n`: enough jobs (about 256) that the registry pools of
 * every process stay busy to the end (a few big batches leave most workers idle on the last one),
 * few enough that the job overhead stays small.
 */
export function pollBatchSize(n: number): number {
  return Math.max(1, Math.min(POLL_BATCH, Math.ceil(n / 256)));
}
export const CHECK_BATCH = 50;
export const PRIORITY = { changes: 1, normal: 10 } as const;
/** Work a change or a registry webhook asked for goes before the interval cycles' work. */
const urgent = (trigger: Trigger) => trigger === 'app-changed' || trigger === 'webhook';
/** Changes seen within this window start one cycle together. */
export const CHANGE_CYCLE_DELAY_MS = 250;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Poll jobs: repositories grouped by registry endpoint and control plane, in batches (pollBatchSize). */
export function enqueuePolls(sink: JobSink, targets: readonly PollTarget[], trigger: Trigger): Promise<void> {
  const byEndpoint = new Map<string, string[]>();
  for (const t of targets) {
    const id = `${t.controlPlane}\n${t.endpoint.apiUrl}`;
    byEndpoint.set(id, [...(byEndpoint.get(id) ?? []), t.repoKey]);
  }
  const priority = urgent(trigger) ? PRIORITY.changes : PRIORITY.normal;
  const size = pollBatchSize(targets.length);
  const jobs = [...byEndpoint.values()]
    .flatMap((repos) => chunk(repos, size))
    .map((repos) => ({ name: 'poll', data: { repos, trigger }, options: { priority } }));
  return sink.addBulk('poll', jobs);
}

/** Check jobs for apps, CHECK_BATCH per job. */
export function enqueueChecks(sink: JobSink, apps: readonly string[], trigger: Trigger): Promise<void> {
  const unique = [...new Set(apps)];
  const priority = urgent(trigger) ? PRIORITY.changes : PRIORITY.normal;
  return sink.addBulk(
    'select',
    chunk(unique, CHECK_BATCH).map((batch) => ({
      name: 'select',
      data: { apps: batch, trigger },
      options: { priority },
    })),
  );
}

/** One change cycle for a burst of changes (a follow-up is kept while one runs). */
export function requestChangeCycle(sink: JobSink): Promise<void> {
  return sink.add(
    'cycle',
    'changes',
    { trigger: 'app-changed' },
    { dedupId: 'cycle:app-changed', delayMs: CHANGE_CYCLE_DELAY_MS },
  );
}

export function patchGroup(app: AppRef): string {
  return `patch:${appKey(app)}`;
}

export function commitGroup(job: CommitJob): string {
  return `commit:${job.repoUrl}#${job.branch}${job.writeBranch ? `:${job.writeBranch}` : ''}`;
}

export function commitJobOf(git: { repoUrl: string; branch: string; writeBranch?: string }): CommitJob {
  return { repoUrl: git.repoUrl, branch: git.branch, ...(git.writeBranch ? { writeBranch: git.writeBranch } : {}) };
}

export function enqueuePatch(sink: JobSink, app: AppRef): Promise<void> {
  return sink.add('patch', 'patch', { app }, { dedupId: patchGroup(app) });
}

export function enqueueCommit(sink: JobSink, job: CommitJob): Promise<void> {
  const data = commitJobOf(job);
  return sink.add('commit', 'commit', data, { dedupId: commitGroup(data) });
}
