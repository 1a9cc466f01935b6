import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { parsePlatform, platformKey, tagWantsPlatform, wantsPlatform } from './platform.ts';
import { PolicyError } from './policy-error.ts';

function platformOf(key: string) {
  const [os = '', architecture = '', variant] = key.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

describe('platforms — compat vectors platform', () => {
  const rows = vectors<{ op: string; input?: string[]; expected?: string; configured?: string[]; cases?: { candidate: string; expected: boolean }[] }>(
    'platform',
  ).flatMap((v) =>
    v.op === 'PlatformKey'
      ? [{ id: v.id, op: v.op, run: () => expect(platformKey(v.input?.[0] ?? '', v.input?.[1] ?? '', v.input?.[2])).toBe(v.expected) }]
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
  it.each(['invalid', 'linux', 'linux/', '/amd64', 'linux/arm/v7/x', 'linux amd64', ''])('rejects %j naming the field', (p) => {
    expect(() => parsePlatform(p, 'argocd-image-updater.argoproj.io/web.platforms')).toThrow(PolicyError);
    expect(() => parsePlatform(p, 'argocd-image-updater.argoproj.io/web.platforms')).toThrow(/web\.platforms/);
  });
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
