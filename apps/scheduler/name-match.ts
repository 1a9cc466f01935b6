import { compileGlob } from '../../shared/domain/policy/glob.ts';

/** `--match-application-name`: Go path.Match globs, as the anchor; no globs = every app. Compiled once. */
export function nameMatcher(globs: readonly string[]): (name: string) => boolean {
  const matchers = globs.map(compileGlob);
  return (name) => matchers.length === 0 || matchers.some((m) => m(name));
}
