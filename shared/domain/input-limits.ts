/**
 * Size limits of untrusted inputs (registry answers, configuration text, annotations, image
 * references). Anything larger is refused with an error naming the input, before it is parsed,
 * stored, logged or used in a key name.
 */

/** Most tags accepted for one repository; a longer tag list is refused. */
export const MAX_REPOSITORY_TAGS = 200_000;

/** Largest registries.conf text accepted (1 MiB). */
export const MAX_REGISTRIES_CONF_BYTES = 1024 * 1024;

/** Largest configuration file accepted (1 MiB). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** Largest value of one Application annotation accepted (64 KiB). */
export const MAX_ANNOTATION_VALUE_BYTES = 64 * 1024;

/** Longest image name (registry host and path, without tag or digest), as Docker's reference grammar. */
export const MAX_IMAGE_NAME_LENGTH = 255;

/** Longest tag, as Docker's reference grammar (`[\w][\w.-]{0,127}`). */
export const MAX_TAG_LENGTH = 128;

/** Longest image reference (`[registry/]path[:tag][@digest]`) looked at before it is parsed. */
export const MAX_IMAGE_REFERENCE_LENGTH = 1024;

/** Longest image alias (it is part of annotation keys, whose name part Kubernetes caps at 63). */
export const MAX_ALIAS_LENGTH = 255;

/** Most characters of a bad value echoed in a message. */
export const MAX_ECHOED_CHARS = 100;

/** Most characters of a bad value kept in an AnnotationProblem's `value` (stored, logged). */
export const MAX_PROBLEM_VALUE_CHARS = 1024;

/** `value` as at most `max` characters, an ellipsis marking a cut. */
export function truncateForMessage(value: string, max = MAX_ECHOED_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}

/** `value` JSON-quoted for a message, cut to MAX_ECHOED_CHARS characters. */
export function quoteForMessage(value: string): string {
  return JSON.stringify(truncateForMessage(value));
}

/** Whether the UTF-8 encoding of `text` is longer than `maxBytes` (without encoding a huge text). */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return new TextEncoder().encode(text).length > maxBytes;
}

/** `bytes` for a message: `1 MiB`, `64 KiB`, `512 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
