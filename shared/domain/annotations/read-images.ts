/** All images an Application tracks, with their resolved settings and every problem found on the way. */
import { tagProblem, type ImageRef } from '../image/image-ref.ts';
import { quoteForMessage } from '../input-limits.ts';
import { parseConstraint } from '../semver/constraint.ts';
import { PolicyError } from '../model/policy-error.ts';
import { parseImageList } from './image-list.ts';
import { readImageSettings, type ImageSettings } from './image-settings.ts';
import { ANNOTATION_PREFIX, IMAGE_KEYS, IMAGE_LIST_ANNOTATION, imageKey } from './keys.ts';
import { annotationProblem, type AnnotationProblem } from './problem.ts';

export interface ImageSpec {
  alias: string;
  /** The configured image; its tag is the constraint. */
  ref: ImageRef;
  /** The version constraint ('' = none). */
  constraint: string;
  settings: ImageSettings;
  /** The image part of the image-list entry as written. */
  imageName: string;
  /** The whole image-list entry, trimmed. */
  original: string;
}

/** Whether the application opted in (has an image-list annotation, even a blank one). */
export function hasImageList(annotations: Record<string, string> | undefined): boolean {
  return annotations?.[IMAGE_LIST_ANNOTATION] !== undefined;
}

/** A constraint problem for the image's strategy, or null. */
function constraintProblem(spec: ImageSpec): string | null {
  if (spec.settings.strategy === 'digest' && spec.constraint.trim() === '') {
    return `update strategy digest needs the tag to follow in the image-list entry (e.g. ${spec.imageName}:latest)`;
  }
  if (spec.settings.strategy === 'digest') {
    const bad = tagProblem(spec.constraint.trim());
    return bad ? `update strategy digest follows a tag: ${bad}` : null;
  }
  if (spec.settings.strategy !== 'semver') return null;
  try {
    parseConstraint(spec.constraint, IMAGE_LIST_ANNOTATION);
    return null;
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    return `${quoteForMessage(spec.constraint)} is not a semver constraint: ${e.detail}`;
  }
}

/** Warn about `<alias>.<key>` annotations with an unknown key (typos). */
function unknownKeys(annotations: Record<string, string>, aliases: string[]): AnnotationProblem[] {
  const known = new Set(aliases.flatMap((a) => IMAGE_KEYS.map((k) => imageKey(a, k))));
  const prefixes = aliases.map((a) => imageKey(a, ''));
  return Object.keys(annotations)
    .filter((k) => k.startsWith(ANNOTATION_PREFIX) && !known.has(k) && prefixes.some((p) => k.startsWith(p)))
    .map((k) =>
      annotationProblem(
        'warning',
        k,
        annotations[k] ?? '',
        `unknown per-image setting; known keys: ${IMAGE_KEYS.join(', ')}`,
      ),
    );
}

/**
 * Read image-list and every per-image / app-wide setting. An image whose own settings are invalid is
 * left out of `images` with an error problem; the other images go on.
 */
export function readApplicationImages(annotations: Record<string, string> | undefined): {
  images: ImageSpec[];
  problems: AnnotationProblem[];
} {
  const ann = annotations ?? {};
  const list = parseImageList(ann[IMAGE_LIST_ANNOTATION]);
  const problems = [...list.problems];
  const images: ImageSpec[] = [];
  for (const entry of list.entries) {
    const read = readImageSettings(ann, entry.alias);
    problems.push(...read.problems);
    const spec: ImageSpec = { ...entry, constraint: entry.ref.tag ?? '', settings: read.settings };
    const bad = constraintProblem(spec);
    if (bad)
      problems.push(annotationProblem('error', IMAGE_LIST_ANNOTATION, entry.original, bad, entry.alias || undefined));
    if (read.valid && !bad) images.push(spec);
  }
  problems.push(...unknownKeys(ann, [...new Set(list.entries.map((e) => e.alias).filter((a) => a !== ''))]));
  return { images, problems };
}
