import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { createdForPlatforms, parsePlatform, platformKey, tagWantsPlatform, wantsPlatform } from './platform.ts';
import { selectTag } from './select-tag.ts';
import { PolicyError } from '../model/policy-error.ts';

function platformOf(key: string) {
  const [os = '', architecture = '', variant] = key.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

describe('platforms — compat vectors platform', () => {
  const rows = vectors<{
    op: string;
    input?: string[];
    expected?: string;
    configured?: string[];
    cases?: { candidate: string; expected: boolean }[];
  }>('platform').flatMap((v) =>
    v.op === 'PlatformKey'
      ? [
          {
            id: v.id,
            op: v.op,
            run: () => expect(platformKey(v.input?.[0] ?? '', v.input?.[1] ?? '', v.input?.[2])).toBe(v.expected),
          },
        ]
      : (v.cases ?? []).map((c) => ({
          id: `${v.id} ${JSON.stringify(v.configured)} ${c.candidate}`,
          op: v.op,
          run: () => expect(wantsPlatform(v.configured ?? [], platformOf(c.candidate))).toBe(c.expected),
        })),
  );
  it.each(rows)('$id', ({ run }) => run());
});

describe('parsePlatform', () => {
  it.each(['linux/amd64', 'linux/arm/v7', 'windows/amd64', ' linux/arm64 '])('accepts %j', (p) => {
    expect(() => parsePlatform(p)).not.toThrow();
  });
  it.each(['invalid', 'linux', 'linux/', '/amd64', 'linux/arm/v7/x', 'linux amd64', ''])(
    'rejects %j naming the field',
    (p) => {
      expect(() => parsePlatform(p, 'argocd-image-updater.argoproj.io/web.platforms')).toThrow(PolicyError);
      expect(() => parsePlatform(p, 'argocd-image-updater.argoproj.io/web.platforms')).toThrow(/web\.platforms/);
    },
  );
});

describe('tagWantsPlatform', () => {
  it('accepts an index when any child platform is wanted', () => {
    expect(tagWantsPlatform(['linux/amd64'], [platformOf('linux/arm64/v8'), platformOf('linux/amd64')])).toBe(true);
    expect(tagWantsPlatform(['linux/amd64'], [platformOf('linux/arm64/v8')])).toBe(false);
    expect(tagWantsPlatform(['linux/amd64'], [])).toBe(false);
  });
  it('does not check tags whose platforms are unknown', () => {
    expect(tagWantsPlatform(['linux/amd64'], undefined)).toBe(true);
  });
});

describe('createdForPlatforms (newest-build dates of an index)', () => {
  const child = (key: string, created?: string) => ({ ...platformOf(key), ...(created ? { created } : {}) });
  const index = {
    created: '2024-06-01T00:00:00Z',
    platforms: [
      child('linux/amd64', '2024-01-01T00:00:00Z'),
      child('linux/arm64', '2024-06-01T00:00:00Z'),
      child('linux/arm/v7', '2024-03-01T00:00:00Z'),
    ],
  };
  it('uses the newest date among the wanted children only', () => {
    expect(createdForPlatforms(['linux/amd64'], index)).toBe('2024-01-01T00:00:00Z');
    expect(createdForPlatforms(['linux/amd64', 'linux/arm'], index)).toBe('2024-03-01T00:00:00Z');
    expect(createdForPlatforms(['linux/arm64', 'linux/amd64'], index)).toBe('2024-06-01T00:00:00Z');
  });
  it('gives no date when no wanted child has one', () => {
    expect(createdForPlatforms(['windows/amd64'], index)).toBeUndefined();
    expect(
      createdForPlatforms(['linux/amd64'], {
        created: '2024-06-01T00:00:00Z',
        platforms: [child('linux/amd64'), child('linux/arm64', '2024-06-01T00:00:00Z')],
      }),
    ).toBeUndefined();
  });
  it("keeps the tag's own date for single images and unknown platforms", () => {
    expect(
      createdForPlatforms(['linux/amd64'], { created: '2024-02-02T00:00:00Z', platforms: [child('linux/amd64')] }),
    ).toBe('2024-02-02T00:00:00Z');
    expect(createdForPlatforms(['linux/amd64'], { created: '2024-02-02T00:00:00Z' })).toBe('2024-02-02T00:00:00Z');
  });
  it('makes selectTag rank indexes by the wanted platforms (an arm64-only rebuild does not win on amd64)', () => {
    const tags = [
      { name: 'm1', ...index },
      {
        name: 'm2',
        created: '2024-02-01T00:00:00Z',
        platforms: [child('linux/amd64', '2024-02-01T00:00:00Z'), child('linux/arm/v7', '2024-02-01T00:00:00Z')],
      },
    ];
    const base = { tags, strategy: 'newest-build' as const, constraint: '', ignoreTags: [] };
    expect(selectTag({ ...base, platforms: [] }).ranking).toEqual(['m2', 'm1']);
    expect(selectTag({ ...base, platforms: ['linux/arm64'] }).ranking).toEqual(['m1']);
    expect(selectTag({ ...base, platforms: ['linux/arm64', 'linux/arm/v7'] }).ranking).toEqual(['m1', 'm2']);
    expect(selectTag({ ...base, platforms: [] }).message).toContain('newest build 2024-02-01T00:00:00Z ("m2")');
  });
});
