import { z } from 'zod';
import type { ApplicationRef } from '../domain/model/application.ts';

/**
 * Job payloads, shared by producers and consumers. Jobs carry identities and desired state, never
 * secrets or live objects: apps by key, repositories by key (their poll targets, with credential
 * *references*, live in the fleet index), write-back plans in Redis by group.
 */
export const AppRefSchema = z.object({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  name: z.string().min(1),
});
export type AppRef = ApplicationRef;

/**
 * interval: the periodic tick; once: `tagflow run --once` (every app checked); manual: a cycle
 * enqueued by hand (`tagflow`'s API, tests, the benchmark); app-changed: Applications or their
 * configuration changed (the control plane watchers); webhook: a registry webhook named the repository.
 */
export const TriggerSchema = z.enum(['interval', 'once', 'manual', 'app-changed', 'webhook']);
export type Trigger = z.infer<typeof TriggerSchema>;

/** A cycle started by the job scheduler has no id of its own: the job id names it. */
export const CycleJobSchema = z.object({
  cycleId: z.string().min(1).optional(),
  trigger: TriggerSchema,
  full: z.boolean().optional(),
});

/** Repositories to poll, all of one registry endpoint (a throttled registry holds up only its own jobs). */
export const PollJobSchema = z.object({ repos: z.array(z.string().min(1)).min(1), trigger: TriggerSchema });

/** Apps to check (a batch: one job, one Redis round trip per step, for many apps). */
export const SelectJobSchema = z.object({ apps: z.array(z.string().min(1)).min(1).max(1000), trigger: TriggerSchema });

/** Write-back jobs name where the pending plans live; the plans themselves are in Redis (latest wins). */
export const PatchJobSchema = z.object({ app: AppRefSchema });
/** A repository branch to write; `writeBranch` when the git-branch annotation pushes to another branch. */
export const CommitJobSchema = z.object({
  repoUrl: z.string().min(1),
  branch: z.string(),
  writeBranch: z.string().min(1).optional(),
});

export const JOB_SCHEMAS = {
  cycle: CycleJobSchema,
  poll: PollJobSchema,
  select: SelectJobSchema,
  patch: PatchJobSchema,
  commit: CommitJobSchema,
} as const;

export type JobData = { [K in keyof typeof JOB_SCHEMAS]: z.infer<(typeof JOB_SCHEMAS)[K]> };
export type CycleJob = JobData['cycle'];
export type PollJob = JobData['poll'];
export type SelectJob = JobData['select'];
export type PatchJob = JobData['patch'];
export type CommitJob = JobData['commit'];

/** `<control plane>/<namespace>/<name>`. */
export function appKey(ref: AppRef): string {
  return `${ref.cluster}/${ref.namespace}/${ref.name}`;
}

/** The inverse of appKey; a control plane (context) name may itself contain '/'. */
export function parseAppKey(key: string): AppRef {
  const parts = key.split('/');
  const name = parts.pop();
  const namespace = parts.pop();
  const cluster = parts.join('/');
  if (!cluster || !namespace || !name) throw new Error(`invalid application key ${key}`);
  return { cluster, namespace, name };
}
