import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PolicyError } from '../model/policy-error.ts';
import { parseConstraint } from './constraint.ts';
import { parseVersion } from './version.ts';

function satisfies(constraint: string, version: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new Error(`test version ${version} does not parse`);
  return parseConstraint(constraint).check(v);
}

describe('constraints — compat vectors semver-constraint-lib (Masterminds v3.4.0)', () => {
  it.each(vectors<{ constraint: string; version: string; expected: boolean }>('semver-constraint-lib'))(
    '$id $constraint ∋ $version',
    ({ constraint, version, expected }) => {
      expect(satisfies(constraint, version)).toBe(expected);
    },
  );
});

describe('constraints — Masterminds semantics beyond the vectors', () => {
  it.each([
    // operators and spellings
    ['=1.2.3', '1.2.3', true],
    ['1.2.3', '1.2.4', false],
    ['=> 1.2', '1.2.0', true],
    ['=<1.2', '1.2.9', true],
    ['=<1.2', '1.3.0', false],
    ['~>1.2', '1.2.9', true],
    ['~>1.2', '1.3.0', false],
    ['v1.2.x', '1.2.7', true],
    ['>= v1.0, < v2', 'v1.9.9', true],
    ['1.2.*', '1.2.3', true],
    ['1.*', '2.0.0', false],
    ['*', '0.0.1', true],
    ['', '9.9.9', true],
    ['   ', '1.0.0', true],
    // tilde / caret ranges
    ['~1', '1.9.0', true],
    ['~1', '2.0.0', false],
    ['~1.2.3', '1.2.2', false],
    ['^1.2.3', '1.9.9', true],
    ['^1.2.3', '2.0.0', false],
    ['^0.2.3', '0.2.9', true],
    ['^0.2.3', '0.3.0', false],
    ['^0.0.3', '0.0.3', true],
    ['^0.0.3', '0.0.4', false],
    ['^0.0', '0.0.9', true],
    ['^0.0', '0.1.0', false],
    ['^0', '0.9.0', true],
    ['^0', '1.0.0', false],
    // wildcards in comparisons
    ['>1', '1.9.0', false],
    ['>1', '2.0.0', true],
    ['>1.1', '1.2.0', true],
    ['<=1', '1.9.9', true],
    ['!=1.x', '1.5.0', false],
    ['!=1.x', '2.0.0', true],
    ['!=1.2.x', '1.2.9', false],
    // OR / AND
    ['^1.0 || ^3.0', '3.1.0', true],
    ['^1.0 || ^3.0', '2.1.0', false],
    ['>1.0 <1.5', '1.4.0', true],
    ['>1.0,<1.5', '1.5.0', false],
    ['1.1 - 2', '2.0.0', true],
    ['1.1 - 2', '2.0.1', true],
    ['1.1 - 2', '3.0.0', false],
    ['1.1 - 2', '1.0.9', false],
    // partial and prefixed versions
    ['>=1', '1', true],
    ['~1.2', 'v1.2', true],
    ['>=01.2', '1.2.0', true],
  ])('%j ∋ %s → %s', (c, v, expected) => {
    expect(satisfies(c, v)).toBe(expected);
  });

  it.each([
    // pre-releases only when the OR-group mentions one
    ['*', '1.2.3-rc.1', false],
    ['>=1.0.0', '1.2.3-rc.1', false],
    ['*-0', '1.2.3-rc.1', true],
    ['>=1.0.0-0', '1.2.3-rc.1', true],
    ['2.x-0', '2.1.0-beta', true],
    ['~1.2.3-beta.2', '1.2.4-beta.2', true],
    ['>=1.0.0-0 || >=5', '1.2.3-rc.1', true],
    ['>=5 || ^1.0', '1.2.3-rc.1', false],
    ['>=1.0.0-rc.1, <2', '1.0.0-rc.2', true],
    ['>=1.0.0-rc.10', '1.0.0-rc.9', false],
    ['>=1.0.0-rc9', '1.0.0-rc10', false],
  ])('pre-release: %j ∋ %s → %s', (c, v, expected) => {
    expect(satisfies(c, v)).toBe(expected);
  });

  it.each(['latest', 'stable', '~>', '>=1.0 ||', '1.2.3.4', 'x1', '>=a', '1 - ', '1|2', '^1.0 &&'])(
    'rejects %j with a PolicyError',
    (c) => {
      let thrown: unknown;
      try {
        parseConstraint(c, 'argocd-image-updater.argoproj.io/image-list');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(PolicyError);
      const err = thrown as PolicyError;
      expect(err.code).toBe('policy.invalid');
      expect(err.field).toBe('argocd-image-updater.argoproj.io/image-list');
      expect(err.value).toBe(c);
      expect(err.message).toContain(JSON.stringify(c));
    },
  );

  it('parses a pathological constraint quickly (linear-time grammar)', () => {
    const hostile = `${'1  '.repeat(300)}!`;
    const start = performance.now();
    expect(() => parseConstraint(hostile)).toThrow(PolicyError);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
