/**
 * Problems found while reading annotations, each naming the annotation and its value. A long value
 * is cut: the message echoes at most MAX_ECHOED_CHARS characters, `value` keeps MAX_PROBLEM_VALUE_CHARS.
 */
import {
  exceedsBytes,
  formatBytes,
  MAX_ANNOTATION_VALUE_BYTES,
  MAX_PROBLEM_VALUE_CHARS,
  quoteForMessage,
  truncateForMessage,
} from '../input-limits.ts';

export interface AnnotationProblem {
  /** Full annotation key. */
  annotation: string;
  value: string;
  /** A sentence naming the annotation and value. */
  message: string;
  alias?: string;
  /** error: the image (or the write-back config) is not used; warning: used with a fallback. */
  severity: 'error' | 'warning';
}

export function annotationProblem(
  severity: AnnotationProblem['severity'],
  annotation: string,
  value: string,
  detail: string,
  alias?: string,
): AnnotationProblem {
  const message = `${annotation}=${quoteForMessage(value)}: ${detail}`;
  const kept = truncateForMessage(value, MAX_PROBLEM_VALUE_CHARS);
  return alias !== undefined
    ? { annotation, value: kept, message, alias: truncateForMessage(alias, MAX_PROBLEM_VALUE_CHARS), severity }
    : { annotation, value: kept, message, severity };
}

/** Why an annotation value is too large to be read, or null (values over MAX_ANNOTATION_VALUE_BYTES are refused). */
export function oversizedValue(value: string): string | null {
  return exceedsBytes(value, MAX_ANNOTATION_VALUE_BYTES)
    ? `the value is larger than ${formatBytes(MAX_ANNOTATION_VALUE_BYTES)}; it is ignored`
    : null;
}
