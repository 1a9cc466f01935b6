/**
 * The ImageUpdater custom resource (argocd-image-updater.argoproj.io/v1alpha1) as zod schemas:
 * what the CRD's OpenAPI schema and CEL rules enforce (deploy/crds/), plus the namePattern glob check
 * the anchor's reconcile does. No defaults are applied: an unset field must stay unset so that the
 * global → applicationRef → image inheritance works (the HEAD behaviour).
 */
import { z } from 'zod';
import { compileGlob } from '../policy/glob.ts';

export const API_VERSION = 'argocd-image-updater.argoproj.io/v1alpha1';
export const KIND = 'ImageUpdater';
export const ALIAS_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9-._]*$';
export const METHOD_PATTERN = '^(argocd|git|git:[a-zA-Z0-9][a-zA-Z0-9-._/:]*)$';
export const PLUGIN_ENV_MAX = 253;
export const PR_LABELS_MAX = 100;
export const PR_LABEL_MAX = 255;

const pattern = (p: string) => z.string().regex(new RegExp(p), { error: `must match ${p}` });
const nonEmpty = () => z.string().min(1, { error: 'must not be empty' });
const bounded = (max: number) =>
  z
    .string()
    .min(1, { error: `must be 1..${max} characters` })
    .max(max, { error: `must be 1..${max} characters` });

/** Issue when not exactly one of `keys` is set (the CRD's CEL rules). */
function exactlyOne<T extends object>(keys: readonly (keyof T & string)[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    const set = keys.filter((k) => value[k] !== undefined);
    if (set.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `exactly one of ${keys.join(', ')} must be set${set.length > 1 ? ` (got ${set.join(', ')})` : ''}`,
      });
  };
}

export const CommonUpdateSettingsSchema = z.strictObject({
  updateStrategy: z.string().optional(),
  forceUpdate: z.boolean().optional(),
  allowTags: z.string().optional(),
  ignoreTags: z.array(z.string()).optional(),
  pullSecret: z.string().optional(),
  platforms: z.array(z.string()).optional(),
});

export const PullRequestSchema = z
  .strictObject({
    github: z.strictObject({}).optional(),
    gitlab: z.strictObject({}).optional(),
    labels: z
      .array(bounded(PR_LABEL_MAX))
      .max(PR_LABELS_MAX, { error: `must have at most ${PR_LABELS_MAX} items` })
      .optional(),
  })
  .superRefine(exactlyOne(['github', 'gitlab']));

export const WriteBackConfigSchema = z.strictObject({
  method: pattern(METHOD_PATTERN).optional(),
  gitConfig: z
    .strictObject({
      repository: z.string().optional(),
      branch: z.string().optional(),
      writeBackTarget: z.string().optional(),
      pullRequest: PullRequestSchema.optional(),
    })
    .optional(),
});

export const ImagesVerificationSchema = z.strictObject({
  enabled: z.boolean().optional(),
  cosignKey: z.strictObject({ secretName: nonEmpty(), key: nonEmpty() }).optional(),
});

const envName = () => bounded(PLUGIN_ENV_MAX).optional();

export const ManifestTargetsSchema = z
  .strictObject({
    helm: z
      .strictObject({ name: z.string().optional(), tag: z.string().optional(), spec: z.string().optional() })
      .optional(),
    kustomize: z.strictObject({ name: nonEmpty() }).optional(),
    plugin: z
      .strictObject({ name: envName(), tag: envName(), spec: envName() })
      .superRefine((p, ctx) => {
        if (p.name === undefined && p.spec === undefined)
          ctx.addIssue({ code: 'custom', message: 'at least one of spec or name must be set' });
      })
      .optional(),
  })
  .superRefine(exactlyOne(['helm', 'kustomize', 'plugin']));

export const ImageConfigSchema = z.strictObject({
  alias: pattern(ALIAS_PATTERN),
  imageName: nonEmpty(),
  commonUpdateSettings: CommonUpdateSettingsSchema.optional(),
  imagesVerification: ImagesVerificationSchema.optional(),
  manifestTargets: ManifestTargetsSchema.optional(),
});

export const LabelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }))
    .optional(),
});

const namePattern = nonEmpty().superRefine((p, ctx) => {
  try {
    compileGlob(p);
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: `${(e as Error).message} (an invalid namePattern fails the whole ImageUpdater)`,
    });
  }
});

export const ApplicationRefSchema = z
  .strictObject({
    namePattern,
    labelSelectors: LabelSelectorSchema.optional(),
    useAnnotations: z.boolean().optional(),
    commonUpdateSettings: CommonUpdateSettingsSchema.optional(),
    writeBackConfig: WriteBackConfigSchema.optional(),
    imagesVerification: ImagesVerificationSchema.optional(),
    images: z.array(ImageConfigSchema).optional(),
  })
  .superRefine((ref, ctx) => {
    if (ref.useAnnotations !== true && (ref.images === undefined || ref.images.length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['images'],
        message: 'is required (at least one image) unless useAnnotations is true',
      });
    }
    const seen = new Set<string>();
    (ref.images ?? []).forEach((img, j) => {
      if (seen.has(img.alias))
        ctx.addIssue({
          code: 'custom',
          path: ['images', j, 'alias'],
          message: `duplicate alias "${img.alias}" (images are keyed by alias)`,
        });
      seen.add(img.alias);
    });
  });

export const SpecSchema = z
  .strictObject({
    commonUpdateSettings: CommonUpdateSettingsSchema.optional(),
    writeBackConfig: WriteBackConfigSchema.optional(),
    imagesVerification: ImagesVerificationSchema.optional(),
    applicationRefs: z.array(ApplicationRefSchema).min(1, { error: 'must have at least 1 item' }),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.applicationRefs.forEach((ref, i) => {
      if (seen.has(ref.namePattern)) {
        ctx.addIssue({
          code: 'custom',
          path: ['applicationRefs', i, 'namePattern'],
          message: `duplicate namePattern "${ref.namePattern}" (applicationRefs are keyed by namePattern)`,
        });
      }
      seen.add(ref.namePattern);
    });
  });

/** metadata keeps only what tagflow uses; other metadata fields are fine and dropped. */
export const MetadataSchema = z.object({
  name: nonEmpty(),
  namespace: nonEmpty(),
  generation: z.number().int().optional(),
  uid: z.string().optional(),
});

export const ImageUpdaterSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }).optional(),
  kind: z.literal(KIND, { error: `must be ${KIND}` }).optional(),
  metadata: MetadataSchema,
  spec: SpecSchema,
  /** Read separately and leniently (status-schema.ts): a bad status never makes the CR unusable. */
  status: z.unknown().optional(),
});

export type CommonUpdateSettings = z.output<typeof CommonUpdateSettingsSchema>;
export type PullRequestSpec = z.output<typeof PullRequestSchema>;
export type WriteBackConfigSpec = z.output<typeof WriteBackConfigSchema>;
export type ImagesVerificationSpec = z.output<typeof ImagesVerificationSchema>;
export type ManifestTargets = z.output<typeof ManifestTargetsSchema>;
export type ImageConfig = z.output<typeof ImageConfigSchema>;
export type LabelSelector = z.output<typeof LabelSelectorSchema>;
export type ApplicationRefSpec = z.output<typeof ApplicationRefSchema>;
export type ImageUpdaterSpec = z.output<typeof SpecSchema>;
