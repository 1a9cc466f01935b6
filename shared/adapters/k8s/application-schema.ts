/**
 * The Application fields tagflow reads, validated at the adapter edge. Everything else passes
 * through untouched (loose objects), so a write-back never drops fields it does not know.
 */
import { z } from 'zod';
import type { Application } from '../../ports/application-store.ts';
import { PermanentError } from '../../errors.ts';

const stringMap = z.record(z.string(), z.string());

const source = z.looseObject({
  repoURL: z.string().default(''),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  chart: z.string().optional(),
});

export const ApplicationSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    annotations: stringMap.optional(),
    labels: stringMap.optional(),
  }),
  spec: z
    .looseObject({
      project: z.string().optional(),
      source: source.optional(),
      sources: z.array(source).optional(),
    })
    .default({}),
  status: z.looseObject({}).optional(),
});

/** Parses one Application from the API; a malformed object is a PermanentError naming the field. */
export function parseApplication(raw: unknown): Application {
  const result = ApplicationSchema.safeParse(raw);
  if (result.success) return result.data as unknown as Application;
  const issue = result.error.issues[0];
  const meta = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  const who = `${String(meta?.namespace ?? '?')}/${String(meta?.name ?? '?')}`;
  throw new PermanentError(
    'k8s.invalid-application',
    `Application ${who}: field ${issue?.path.join('.') || '(root)'} is invalid: ${issue?.message ?? 'unknown problem'}`,
  );
}
