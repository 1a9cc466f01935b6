import { z } from 'zod';

/**
 * Job payloads, shared by producers and consumers. Jobs carry identities and desired state,
 * never secrets or live objects: credentials appear only as references (`secret:ns/name#field`).
 */
export const AppRefSchema = z.object({
  cluster: z.string(),
  namespace: z.string().min(1),
  name: z.string().min(1),
});
export type AppRef = z.infer<typeof AppRefSchema>;

export const TriggerSchema = z.enum(['interval', 'once', 'manual', 'webhook', 'app-changed']);
export type Trigger = z.infer<typeof TriggerSchema>;

/** A cycle started by the job scheduler has no id of its own: the job id names it. */
export const CycleJobSchema = z.object({ cycleId: z.string().min(1).optional(), trigger: TriggerSchema });

export const PollJobSchema = z.object({
  repoKey: z.string().min(1),
  /** Prefix of the registries.conf endpoint (the lookup key), '' for the default registry. */
  endpoint: z.string(),
  /** Repository path inside the registry (defaultns applied). */
  repository: z.string().min(1),
  /** Credential source reference, never a secret value. */
  credentials: z.string().optional(),
  /** Whether some app needs manifest metadata (digests, platforms, creation dates). */
  metadata: z.boolean().default(false),
  trigger: TriggerSchema,
});

export const SelectJobSchema = z.object({ app: AppRefSchema, trigger: TriggerSchema });

/** Write-back jobs name where the pending plans live; the plans themselves are in Redis (latest wins). */
export const PatchJobSchema = z.object({ app: AppRefSchema });
/** A repository branch to write; `writeBranch` when the git-branch annotation pushes to another branch. */
export const CommitJobSchema = z.object({ repoUrl: z.string().min(1), branch: z.string(), writeBranch: z.string().min(1).optional() });

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

export function appKey(ref: AppRef): string {
  return `${ref.cluster || 'in-cluster'}/${ref.namespace}/${ref.name}`;
}

export function parseAppKey(key: string): AppRef {
  const [cluster, namespace, name] = key.split('/');
  if (!cluster || !namespace || !name) throw new Error(`invalid application key ${key}`);
  return { cluster: cluster === 'in-cluster' ? '' : cluster, namespace, name };
}
