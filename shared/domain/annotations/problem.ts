/** Problems found while reading annotations, each naming the annotation and its value. */

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
  const message = `${annotation}=${JSON.stringify(value)}: ${detail}`;
  return alias !== undefined
    ? { annotation, value, message, alias, severity }
    : { annotation, value, message, severity };
}
