import type { JobSink } from '../ports/job-sink.ts';
import { appKey, type AppRef, type CommitJob, type PollJob, type Trigger } from './payloads.ts';

/**
 * Typed producers. The dedup rules live here: one pending poll per repository, one pending select
 * per app, one pending write-back per Application (argocd) or per repository branch (git).
 */
export const PRIORITY = { webhook: 1, normal: 10 } as const;

export function pollJobs(polls: readonly PollJob[]) {
  return polls.map((data) => ({
    name: 'poll',
    data,
    options: { dedupId: `poll:${data.repoKey}`, priority: data.trigger === 'webhook' ? PRIORITY.webhook : PRIORITY.normal },
  }));
}

export function enqueuePolls(sink: JobSink, polls: readonly PollJob[]): Promise<void> {
  return sink.addBulk('poll', pollJobs(polls));
}

export function enqueueSelects(sink: JobSink, apps: readonly AppRef[], trigger: Trigger): Promise<void> {
  return sink.addBulk(
    'select',
    apps.map((app) => ({ name: 'select', data: { app, trigger }, options: { dedupId: `select:${appKey(app)}` } })),
  );
}

export function patchGroup(app: AppRef): string {
  return `patch:${appKey(app)}`;
}

export function commitGroup(job: CommitJob): string {
  return `commit:${job.repoUrl}#${job.branch}${job.writeBranch ? `:${job.writeBranch}` : ''}`;
}

export function enqueuePatch(sink: JobSink, app: AppRef): Promise<void> {
  return sink.add('patch', 'patch', { app }, { dedupId: patchGroup(app) });
}

export function enqueueCommit(sink: JobSink, job: CommitJob): Promise<void> {
  const data: CommitJob = { repoUrl: job.repoUrl, branch: job.branch, ...(job.writeBranch ? { writeBranch: job.writeBranch } : {}) };
  return sink.add('commit', 'commit', data, { dedupId: commitGroup(data) });
}
