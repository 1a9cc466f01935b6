/**
 * Problems with an ImageUpdater object itself (its shape, patterns, removed fields), each naming the
 * exact field path, and the locator that problems about an app's effective settings use for CR fields.
 */
import { annotationProblem, type AnnotationProblem } from '../annotations/problem.ts';

export interface UpdaterProblem {
  /** error: the ImageUpdater is not used at all; warning: it is used, the field is ignored. */
  severity: 'error' | 'warning';
  /** Field path, e.g. `spec.applicationRefs[1].images[0].alias` ('' = the object itself). */
  path: string;
  /** `<path>: <detail>`. */
  message: string;
}

export function updaterProblem(severity: UpdaterProblem['severity'], path: string, detail: string): UpdaterProblem {
  return { severity, path, message: path === '' ? detail : `${path}: ${detail}` };
}

/** `['spec', 'applicationRefs', 1, 'alias']` → `spec.applicationRefs[1].alias`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export interface UpdaterName {
  namespace: string;
  name: string;
}

/** How problems about an app's settings name a CR field: `ImageUpdater argocd/fleet spec.applicationRefs[0].images[1].commonUpdateSettings.allowTags`. */
export function fieldLocator(updater: UpdaterName, path: string): string {
  return `ImageUpdater ${updater.namespace}/${updater.name}${path === '' ? '' : ` ${path}`}`;
}

/**
 * Re-address a problem found under a synthetic annotation key to the CR field the value came from,
 * keeping its severity, value, detail and alias, so it reads like the annotation reader's problems.
 */
export function relocateProblem(p: AnnotationProblem, locators: ReadonlyMap<string, string>): AnnotationProblem {
  const locator = locators.get(p.annotation);
  if (locator === undefined) return p;
  const prefix = `${p.annotation}=${JSON.stringify(p.value)}: `;
  const detail = p.message.startsWith(prefix) ? p.message.slice(prefix.length) : p.message;
  return annotationProblem(p.severity, locator, p.value, detail, p.alias);
}

/** The same problem as a warning (a failed candidate the app fell through from is logged, not counted). */
export function asWarning(p: AnnotationProblem): AnnotationProblem {
  return p.severity === 'warning' ? p : { ...p, severity: 'warning' };
}
