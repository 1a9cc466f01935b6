import { describe, expect, it } from 'vitest';
import { vectors } from '../../test/helpers/vectors.ts';
import { matchesAnyGlob } from './name-match.ts';

interface NamePatternVector {
  appName: string;
  pattern: string;
  expected: boolean;
  expectedError: boolean;
}

describe('--match-application-name globs (compat vectors app-name-pattern)', () => {
  it.each(vectors<NamePatternVector>('app-name-pattern'))('$id: $pattern ~ $appName', (v) => {
    if (v.expectedError) expect(() => matchesAnyGlob(v.appName, [v.pattern])).toThrow(/malformed glob/);
    else expect(matchesAnyGlob(v.appName, [v.pattern])).toBe(v.expected);
  });

  it('matches every app when no glob is given, and any of several', () => {
    expect(matchesAnyGlob('x', [])).toBe(true);
    expect(matchesAnyGlob('billing-prod', ['web-*', 'billing-*'])).toBe(true);
    expect(matchesAnyGlob('billing-prod', ['web-*'])).toBe(false);
  });
});
