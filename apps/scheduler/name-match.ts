import { compileGlob } from '../../shared/domain/policy/glob.ts';

/** `--match-application-name`: Go path.Match globs, as the anchor; no globs = every app. */
export function matchesAnyGlob(name: string, globs: readonly string[]): boolean {
  return globs.length === 0 || globs.some((g) => compileGlob(g)(name));
}
