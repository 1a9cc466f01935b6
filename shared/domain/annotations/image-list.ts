/**
 * The image-list annotation: `[<alias>=]<image>[:<constraint>]`, comma-separated. Entries and the
 * parts around '=' are trimmed; blank entries are skipped. A malformed entry is reported and left out;
 * the other entries still count.
 */
import { parseReference, splitAlias, validateImageRef, type ImageRef } from '../image/image-ref.ts';
import {
  exceedsBytes,
  formatBytes,
  MAX_ALIAS_LENGTH,
  MAX_ANNOTATION_VALUE_BYTES,
  MAX_IMAGE_REFERENCE_LENGTH,
  quoteForMessage,
} from '../input-limits.ts';
import { IMAGE_LIST_ANNOTATION } from './keys.ts';
import { annotationProblem, type AnnotationProblem } from './problem.ts';

export interface ImageListEntry {
  alias: string;
  /** The image part as written (after the alias), e.g. `nginx:~1.26`. */
  imageName: string;
  /** The whole entry, trimmed. */
  original: string;
  /** The configured reference; its tag is the version constraint. */
  ref: ImageRef;
}

const ADDRESSABLE_ALIAS = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

export function parseImageList(value: string | undefined): {
  entries: ImageListEntry[];
  problems: AnnotationProblem[];
} {
  const key = IMAGE_LIST_ANNOTATION;
  if (value === undefined)
    return { entries: [], problems: [annotationProblem('error', key, '', `${key} annotation not found`)] };
  if (exceedsBytes(value, MAX_ANNOTATION_VALUE_BYTES)) {
    const detail = `${key} annotation is larger than ${formatBytes(MAX_ANNOTATION_VALUE_BYTES)}; it is ignored`;
    return { entries: [], problems: [annotationProblem('error', key, value, detail)] };
  }
  const items = value.split(',').map((s) => s.trim());
  const problems: AnnotationProblem[] = [];
  if (items.every((s) => s === ''))
    return { entries: [], problems: [annotationProblem('error', key, value, `${key} annotation is empty`)] };
  if (items.some((s) => s === ''))
    problems.push(annotationProblem('warning', key, value, 'empty entries (",,") are ignored'));

  const entries: ImageListEntry[] = [];
  const aliases = new Set<string>();
  for (const original of items.filter((s) => s !== '')) {
    const split = splitAlias(original);
    const alias = split.alias.trim();
    const imageName = split.ref.trim();
    const bad = (detail: string) =>
      problems.push(annotationProblem('error', key, original, detail, alias || undefined));
    if (imageName === '') {
      bad(`empty image name in ${key} annotation entry ${quoteForMessage(original)}`);
      continue;
    }
    if (alias.length > MAX_ALIAS_LENGTH) {
      bad(`the alias is ${alias.length} characters long; at most ${MAX_ALIAS_LENGTH} are allowed`);
      continue;
    }
    if (imageName.length > MAX_IMAGE_REFERENCE_LENGTH) {
      bad(
        `the image reference is ${imageName.length} characters long; at most ${MAX_IMAGE_REFERENCE_LENGTH} are allowed`,
      );
      continue;
    }
    const ref = { ...parseReference(imageName), alias };
    const invalid = validateImageRef(ref);
    if (invalid) {
      bad(`entry ${quoteForMessage(original)} is not a valid image reference: ${invalid}`);
      continue;
    }
    if (alias !== '' && aliases.has(alias)) {
      problems.push(
        annotationProblem(
          'warning',
          key,
          original,
          `alias ${quoteForMessage(alias)} is used by more than one image; they share per-image settings`,
          alias,
        ),
      );
    }
    if (alias !== '' && !ADDRESSABLE_ALIAS.test(alias)) {
      problems.push(
        annotationProblem(
          'warning',
          key,
          original,
          `alias ${quoteForMessage(alias)} cannot appear in an annotation key, so its per-image settings cannot be set (use letters, digits, '-', '_', '.')`,
          alias,
        ),
      );
    }
    aliases.add(alias);
    entries.push({ alias, imageName, original, ref });
  }
  return { entries, problems };
}
