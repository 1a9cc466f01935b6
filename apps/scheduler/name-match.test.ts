import { describe, expect, it } from 'vitest';
import { vectors } from '../../test/helpers/vectors.ts';
import { nameMatcher } from './name-match.ts';

interface NamePatternVector {
  appName: string;
  pattern: string;
  expected: boolean;
  expectedError: boolean;
}

describe('--match-application-name globs (compat vectors app-name-pattern)', () => {
  it.each(vectors<NamePatternVector>('app-name-pattern'))('$id: $pattern ~ $appName', (v) => {
    if (v.expectedError) expect(() => nameMatcher([v.pattern])).toThrow(/malformed glob/);
    else expect(nameMatcher([v.pattern])(v.appName)).toBe(v.expected);
  });

  it('matches every app when no glob is given, and any of several', () => {
    expect(nameMatcher([])('x')).toBe(true);
    expect(nameMatcher(['web-*', 'billing-*'])('billing-prod')).toBe(true);
    expect(nameMatcher(['web-*'])('billing-prod')).toBe(false);
  });
});
