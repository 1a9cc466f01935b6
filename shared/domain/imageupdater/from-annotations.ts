/**
 * useAnnotations: true (reference §2.6): the Application's own annotations give the images, their
 * settings and the write-back config (read by the annotation readers, unchanged); the CR contributes
 * only imagesVerification (global → applicationRef). The [v1] namespace rules for pull secrets and
 * `git:secret:` credentials apply as in the CR path.
 */
import { annotationProblem, type AnnotationProblem } from '../annotations/problem.ts';
import { readApplicationImages, type ImageSpec } from '../annotations/read-images.ts';
import { imageKey, appKey } from '../annotations/keys.ts';
import { readWriteBackConfig, WRITE_BACK_METHOD_ANNOTATION } from '../annotations/write-back.ts';
import { pullSecretNamespaceProblem, resolveVerification, type ImageVerification } from './image-checks.ts';
import type { MergedVerification } from './merge.ts';
import { fieldLocator, type UpdaterName } from './problem.ts';
import { qualifyGitSecretMethod, type WriteBackResult } from './write-back.ts';

export interface AnnotationConfig {
  images: ImageSpec[];
  problems: AnnotationProblem[];
  writeBack: WriteBackResult;
  /** By alias ('' for un-aliased images); absent = not verified. */
  imagesVerification: Record<string, ImageVerification>;
  /** The annotations themselves could not be parsed: an error left no image (the anchor's parse error). */
  parseFailed: boolean;
}

function pullSecretKey(annotations: Record<string, string>, alias: string): string {
  const own = alias === '' ? undefined : imageKey(alias, 'pull-secret');
  return own !== undefined && (annotations[own] ?? '').trim() !== '' ? own : appKey('pull-secret');
}

function readWriteBack(annotations: Record<string, string>, namespace: string): WriteBackResult {
  const method = annotations[WRITE_BACK_METHOD_ANNOTATION];
  if (method === undefined || method.trim() === '') return readWriteBackConfig(annotations);
  const q = qualifyGitSecretMethod(method, namespace);
  if ('error' in q)
    return {
      config: null,
      problems: [annotationProblem('error', WRITE_BACK_METHOD_ANNOTATION, method.trim(), q.error)],
    };
  return readWriteBackConfig({ ...annotations, [WRITE_BACK_METHOD_ANNOTATION]: q.method });
}

export function configFromAnnotations(
  updater: UpdaterName,
  app: { namespace: string; annotations?: Record<string, string> | undefined },
  verification: MergedVerification | null,
): AnnotationConfig {
  const annotations = app.annotations ?? {};
  const read = readApplicationImages(annotations);
  const problems = [...read.problems];
  const images: ImageSpec[] = [];
  const imagesVerification: Record<string, ImageVerification> = {};
  const v = resolveVerification(verification);
  for (const spec of read.images) {
    const alias = spec.alias === '' ? undefined : spec.alias;
    const secretNs = pullSecretNamespaceProblem(spec.settings.pullSecret, app.namespace);
    if (secretNs)
      problems.push(
        annotationProblem(
          'error',
          pullSecretKey(annotations, spec.alias),
          spec.settings.pullSecret ?? '',
          secretNs,
          alias,
        ),
      );
    if (v.error)
      problems.push(annotationProblem('error', fieldLocator(updater, v.error.path), '', v.error.detail, alias));
    if (secretNs || v.error) continue;
    images.push(spec);
    if (v.verification) imagesVerification[spec.alias] = v.verification;
  }
  const parseFailed = read.images.length === 0 && read.problems.some((p) => p.severity === 'error');
  return { images, problems, writeBack: readWriteBack(annotations, app.namespace), imagesVerification, parseFailed };
}
