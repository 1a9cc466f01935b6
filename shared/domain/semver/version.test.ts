import { describe, expect, it } from 'vitest';
import { compareVersions, compareVersionsForSort, parseVersion } from './version.ts';

describe('parseVersion (Masterminds coercing NewVersion)', () => {
  it.each([
    ['1', [1n, 0n, 0n, '', '']],
    ['1.2', [1n, 2n, 0n, '', '']],
    ['v1.2.3', [1n, 2n, 3n, '', '']],
    ['01.2', [1n, 2n, 0n, '', '']],
    ['1.2.3-rc.1+build.5', [1n, 2n, 3n, 'rc.1', 'build.5']],
    ['1.0.0-alpha-1', [1n, 0n, 0n, 'alpha-1', '']],
    ['20240101123045', [20240101123045n, 0n, 0n, '', '']],
    ['18446744073709551615', [18446744073709551615n, 0n, 0n, '', '']],
  ] as const)('%s parses', (s, [major, minor, patch, prerelease, build]) => {
    expect(parseVersion(s)).toMatchObject({ major, minor, patch, prerelease, build, original: s });
  });

  it.each([
    '',
    'latest',
    'release-1.2',
    '1.2.3.4',
    '1.2-',
    '1.0.0-01',
    '1.0.0-a..b',
    'V1.0',
    ' 1.0',
    '1.0 ',
    '18446744073709551616',
    'sha-abc123',
  ])('%j is not a version', (s) => {
    expect(parseVersion(s)).toBeNull();
  });
});

describe('compareVersions', () => {
  const v = (s: string) => {
    const r = parseVersion(s);
    if (!r) throw new Error(s);
    return r;
  };
  it.each([
    ['1.0.0', '2.0.0', -1],
    ['1.10.0', '1.9.0', 1],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc9', '1.0.0-rc10', 1],
    ['1.2', '1.2.0', 0],
    ['v1.0', '1.0.0+build', 0],
  ] as const)('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(v(a), v(b))).toBe(expected);
  });

  it('sorts equal versions by their original spelling', () => {
    const list = ['v1.0', '1.2.0', '1.0', '1.2', '1.0.0']
      .map(v)
      .sort(compareVersionsForSort)
      .map((x) => x.original);
    expect(list).toEqual(['1.0', '1.0.0', 'v1.0', '1.2', '1.2.0']);
  });
});
