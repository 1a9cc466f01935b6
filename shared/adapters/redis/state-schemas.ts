/**
 * Schemas of the state that crosses processes through Redis. Every adapter parses what it reads
 * with these (a malformed or foreign value is an error naming the key, not a silent `as T`).
 * Objects stay loose where they carry Kubernetes data tagflow passes through untouched.
 */
import { z } from 'zod';
import type { IndexEntry, PollTarget } from '../../domain/fleet/index-entry.ts';
import type { WriteBackPlan } from '../../domain/plan/write-back-plan.ts';
import type { TagSnapshot } from '../../domain/model/tags.ts';
import type { CycleSummary } from '../../ports/cycle-ledger.ts';
import type { DigestMetadata } from '../../ports/metadata-cache.ts';
import { list } from './lua/script.ts';

const platform = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  created: z.string().optional(),
});

export const TagSnapshotSchema = z.object({
  repoKey: z.string(),
  fetchedAt: z.number(),
  tags: z.array(
    z.object({
      name: z.string(),
      digest: z.string().optional(),
      created: z.string().optional(),
      platforms: z.array(platform).optional(),
    }),
  ),
  error: z.object({ code: z.string(), message: z.string(), at: z.number() }).optional(),
  hash: z.string(),
});

export const DigestMetadataSchema = z.object({
  kind: z.enum(['image', 'index']),
  created: z.string().optional(),
  platforms: z.array(platform),
  labels: z.record(z.string(), z.string()).optional(),
});

const appRef = z.object({ cluster: z.string(), namespace: z.string(), name: z.string() });
const imageRef = z.object({
  alias: z.string(),
  registry: z.string(),
  name: z.string(),
  tag: z.string().nullable(),
  digest: z.string(),
});
const targets = z.object({
  imageName: z.string().optional(),
  imageTag: z.string().optional(),
  imageSpec: z.string().optional(),
});
const problem = z.object({
  annotation: z.string(),
  value: z.string(),
  message: z.string(),
  alias: z.string().optional(),
  severity: z.enum(['error', 'warning']),
});
const source = z.looseObject({ repoURL: z.string() });
const application = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string() }),
  spec: z.looseObject({ source: source.optional(), sources: z.array(source).optional() }),
});

const imageSpec = z.object({
  alias: z.string(),
  ref: imageRef,
  constraint: z.string(),
  imageName: z.string(),
  original: z.string(),
  settings: z.object({
    strategy: z.enum(['semver', 'newest-build', 'alphabetical', 'digest']),
    allowTags: z.string().optional(),
    ignoreTags: z.array(z.string()),
    forceUpdate: z.boolean(),
    pullSecret: z.string().optional(),
    platforms: z.array(z.string()),
    helm: targets,
    kustomize: z.object({ imageName: z.string().optional() }),
    plugin: targets.optional(),
  }),
});

const gitCredentials = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('repocreds') }),
  z.object({ kind: z.literal('secret'), namespace: z.string(), name: z.string() }),
]);

const pullRequest = z.object({ provider: z.enum(['github', 'gitlab']), labels: z.array(z.string()) });

const writeBackConfig = z.object({
  method: z.enum(['argocd', 'git']),
  credentials: gitCredentials.optional(),
  gitBranch: z.object({ base: z.string(), write: z.string().optional() }).optional(),
  gitRepository: z.string().optional(),
  target: z.string().optional(),
});

export const IndexEntrySchema = z.object({
  key: z.string(),
  ref: appRef,
  app: application,
  tracked: z.array(z.object({ spec: imageSpec, repoKey: z.string() })),
  problems: z.array(problem),
  writeBack: z.object({
    config: writeBackConfig.nullable(),
    problems: z.array(problem),
    pullRequest: pullRequest.optional(),
  }),
  updater: z.object({ namespace: z.string(), name: z.string() }).optional(),
  signature: z.string().optional(),
  hash: z.string(),
});

const metadataInterest = z.object({
  allow: z.string().optional(),
  ignore: z.array(z.string()).optional(),
  tag: z.string().optional(),
});
export const MetadataInterestsSchema = z.array(metadataInterest);

export const PollTargetSchema = z.object({
  repoKey: z.string(),
  controlPlane: z.string(),
  endpoint: z.looseObject({
    name: z.string(),
    apiUrl: z.string(),
    prefix: z.string(),
    credsExpireMs: z.number(),
    tagSortMode: z.string(),
    insecure: z.boolean(),
    isDefault: z.boolean(),
  }),
  repository: z.string(),
  credentials: z.string().optional(),
  metadata: z.boolean(),
  interests: MetadataInterestsSchema.optional(),
});

const imageWrite = z.object({
  alias: z.string(),
  image: imageRef,
  helm: targets.optional(),
  kustomize: z.object({ imageName: z.string().optional() }).optional(),
  plugin: targets.optional(),
});
const imageChange = z.object({
  alias: z.string(),
  image: z.string(),
  fullName: z.string(),
  oldTag: z.string(),
  newTag: z.string(),
  labels: z.record(z.string(), z.string()).optional(),
});
const planBase = {
  app: appRef,
  appUid: z.string().optional(),
  sourceType: z.enum(['Helm', 'Kustomize', 'Plugin']),
  source,
  sourceIndex: z.number().int().nonnegative().optional(),
  writes: z.array(imageWrite),
  changes: z.array(imageChange),
  createdAt: z.number(),
  updater: z.object({ namespace: z.string(), name: z.string() }).optional(),
};
export const WriteBackPlanSchema = z.discriminatedUnion('method', [
  z.object({ ...planBase, method: z.literal('argocd') }),
  z.object({
    ...planBase,
    method: z.literal('git'),
    git: z.object({
      repoUrl: z.string(),
      branch: z.string(),
      writeBranch: z.string().optional(),
      path: z.string(),
      target: z.string().optional(),
      credentials: gitCredentials,
      pullRequest: pullRequest.optional(),
    }),
  }),
]);

/** A pending plan as stored in its group's hash (cycles and the written marker live beside it). */
export const StoredPlanSchema = z.object({
  id: z.string(),
  app: z.string(),
  seq: z.number(),
  plan: WriteBackPlanSchema,
});

/** A commit job parked on a cycle until its selects are done. */
export const CommitBatchSchema = z.object({
  repoUrl: z.string().min(1),
  branch: z.string(),
  writeBranch: z.string().min(1).optional(),
});

/** Parses a stored value; a bad one is an error naming where it was read from. */
export function parseStored<T>(schema: z.ZodType, raw: string, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`corrupt state in Redis at ${where}: not JSON`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(
      `corrupt state in Redis at ${where}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return r.data as T;
}

// Compile-time checks that the schemas produce the domain types.
type Assert<T extends true> = T;
type Covers<S, T> = S extends T ? true : false;
export type SchemaChecks = [
  Assert<Covers<z.infer<typeof TagSnapshotSchema>, TagSnapshot>>,
  Assert<Covers<z.infer<typeof DigestMetadataSchema>, DigestMetadata>>,
  Assert<Covers<z.infer<typeof PollTargetSchema>, Omit<PollTarget, 'endpoint'>>>,
  Assert<Covers<Omit<z.infer<typeof IndexEntrySchema>, 'app'>, Omit<IndexEntry, 'app'>>>,
  Assert<Covers<Omit<z.infer<typeof WriteBackPlanSchema>, 'source'>, Omit<WriteBackPlan, 'source'>>>,
];

const SummarySchema = z.object({
  cycleId: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  pending: z.number().default(0),
  trigger: z.string().optional(),
  scope: z.enum(['all', 'changes']).or(z.literal('')).optional(),
  applications: z.number(),
  images_considered: z.number(),
  images_skipped: z.number(),
  images_updated: z.number(),
  errors: z.number(),
});

/** Cycle summaries as the scripts return them (JSON strings in a list). */
export function summaries(raw: unknown): CycleSummary[] {
  return list<string>(raw).map((s) => {
    const parsed = SummarySchema.parse(JSON.parse(s));
    return { ...parsed, scope: parsed.scope || undefined } as CycleSummary;
  });
}
