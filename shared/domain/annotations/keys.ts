/** Annotation keys of argocd-image-updater's annotation API, and lookup helpers. */

export const ANNOTATION_PREFIX = 'argocd-image-updater.argoproj.io/';
export const IMAGE_LIST_ANNOTATION = `${ANNOTATION_PREFIX}image-list`;

/** Keys accepted per image (`<alias>.<key>`). */
export const IMAGE_KEYS = [
  'update-strategy',
  'allow-tags',
  'tag-match',
  'ignore-tags',
  'force-update',
  'pull-secret',
  'platforms',
  'helm.image-name',
  'helm.image-tag',
  'helm.image-spec',
  'kustomize.image-name',
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

/** Keys that also exist application-wide, as defaults for every image. */
export const APP_WIDE_KEYS = ['update-strategy', 'allow-tags', 'ignore-tags', 'force-update', 'pull-secret'] as const;

/** The full key of an application-level annotation. */
export function appKey(key: string): string {
  return `${ANNOTATION_PREFIX}${key}`;
}

/** The full key of a per-image annotation; a '/' in the alias is written as '_'. */
export function imageKey(alias: string, key: string): string {
  return `${ANNOTATION_PREFIX}${alias.replaceAll('/', '_')}.${key}`;
}

/** A set annotation: present with a non-blank value. Values are trimmed. */
export interface FoundValue {
  key: string;
  value: string;
}

/** The first of `keys` present with a non-blank value (empty counts as unset). */
export function firstValue(annotations: Record<string, string>, keys: readonly string[]): FoundValue | undefined {
  for (const key of keys) {
    const raw = annotations[key];
    if (raw !== undefined && raw.trim() !== '') return { key, value: raw.trim() };
  }
  return undefined;
}
