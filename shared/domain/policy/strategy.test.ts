import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { parseStrategy, STRATEGY_FLAGS, STRATEGY_NAMES } from './strategy.ts';

/** The anchor's Go constant names for each strategy. */
const GO_CONSTANTS: Record<string, string> = {
  StrategySemVer: 'semver',
  StrategyNewestBuild: 'newest-build',
  StrategyAlphabetical: 'alphabetical',
  StrategyDigest: 'digest',
};

describe('strategy names — compat vectors strategy-name', () => {
  it.each(vectors<{ strategy: string; expected: string }>('strategy-name'))(
    '$id $strategy',
    ({ strategy, expected }) => {
      expect(GO_CONSTANTS[strategy]).toBe(expected);
      expect(STRATEGY_NAMES).toContain(expected);
      expect(parseStrategy(expected)).toEqual({ strategy: expected });
    },
  );
});

describe('strategy flags — compat vectors strategy-flags', () => {
  it.each(vectors<{ expected: Record<string, Record<string, boolean>> }>('strategy-flags'))('$id', ({ expected }) => {
    for (const [name, flags] of Object.entries(expected)) {
      expect(STRATEGY_FLAGS[name as keyof typeof STRATEGY_FLAGS]).toMatchObject(flags);
    }
    expect(Object.keys(expected).sort()).toEqual([...STRATEGY_NAMES].sort());
  });
  it('only newest-build and digest read manifests (platforms apply)', () => {
    expect(STRATEGY_NAMES.filter((s) => STRATEGY_FLAGS[s].readsManifests)).toEqual(['newest-build', 'digest']);
  });
});

describe('parseStrategy', () => {
  it.each([
    [undefined, 'semver', false],
    ['', 'semver', false],
    ['  ', 'semver', false],
    ['semver', 'semver', false],
    ['SemVer', 'semver', false],
    [' newest-build ', 'newest-build', false],
    ['NEWEST-BUILD', 'newest-build', false],
    ['latest', 'newest-build', true],
    ['Latest', 'newest-build', true],
    ['alphabetical', 'alphabetical', false],
    ['name', 'alphabetical', true],
    ['NAME', 'alphabetical', true],
    ['digest', 'digest', false],
    ['Digest', 'digest', false],
    ['invalid', 'semver', true],
    ['newest', 'semver', true],
  ] as const)('%j → %s (warning: %s)', (value, strategy, warns) => {
    const r = parseStrategy(value);
    expect(r.strategy).toBe(strategy);
    expect(r.warning !== undefined).toBe(warns);
  });
  it('names the unknown value in the warning', () => {
    expect(parseStrategy('bogus').warning).toBe('unknown update strategy "bogus" -- using semver');
  });
});
