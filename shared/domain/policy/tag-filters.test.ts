import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { compileGlob } from './glob.ts';
import { PolicyError } from '../model/policy-error.ts';
import { allowTagsMatcher, ignoreTagsMatcher, splitIgnoreTags } from './tag-filters.ts';

describe('allow-tags — compat vectors allow-tags', () => {
  it.each(vectors<{ allowTags: string; tag: string; expectedMatch: boolean }>('allow-tags'))(
    '$id $allowTags',
    ({ allowTags, tag, expectedMatch }) => {
      expect(allowTagsMatcher(allowTags).match(tag)).toBe(expectedMatch);
    },
  );
});

describe('ignore-tags — compat vectors ignore-tags', () => {
  it.each(vectors<{ ignoreList: string[]; tag: string; expectedIgnored: boolean }>('ignore-tags'))(
    '$id $tag',
    ({ ignoreList, tag, expectedIgnored }) => {
      expect(ignoreTagsMatcher(ignoreList).isIgnored(tag)).toBe(expectedIgnored);
    },
  );
});

describe('allowTagsMatcher', () => {
  it.each([
    [undefined, 'anything', true],
    ['', 'anything', true],
    ['ANY', 'x', true],
    [' any ', 'x', true],
    ['regexp:^v[0-9]+\\.[0-9]+$', 'v1.2', true],
    ['regexp:^v[0-9]+\\.[0-9]+$', 'v1.2-rc', false],
    ['RegExp:^[0-9a-f]{7}$', 'f33bacd', true],
    ['REGEXP:rc', 'v1.0-rc.1', true],
    ['regexp:', 'anything', true],
  ] as const)('%j vs %s → %s', (value, tag, expected) => {
    const m = allowTagsMatcher(value);
    expect(m.error).toBeUndefined();
    expect(m.match(tag)).toBe(expected);
  });

  it.each([
    ['v2.*', /expected "regexp:<expression>" or "any"/],
    ['not-regexp:^v', /unknown match function "not-regexp"/],
    ['regexp:[aA-zZ', /not a valid RE2 regular expression/],
    ['regexp:(a)\\1', /not a valid RE2 regular expression/],
    ['regexp:(?=lookahead)', /not a valid RE2 regular expression/],
  ] as const)('invalid %j matches nothing and reports a PolicyError', (value, detail) => {
    const m = allowTagsMatcher(value, 'argocd-image-updater.argoproj.io/web.allow-tags');
    expect(m.match('v2.1')).toBe(false);
    expect(m.error).toBeInstanceOf(PolicyError);
    expect(m.error?.field).toBe('argocd-image-updater.argoproj.io/web.allow-tags');
    expect(m.error?.message).toContain(JSON.stringify(value));
    expect(m.error?.message).toMatch(detail);
  });

  it('matches a pathological pattern against 10,000 tags in linear time', () => {
    const m = allowTagsMatcher('regexp:^(a+)+$');
    const tags = Array.from({ length: 10_000 }, (_, i) => `${'a'.repeat(40 + (i % 40))}!`);
    const start = performance.now();
    const matched = tags.filter((t) => m.match(t)).length;
    const elapsed = performance.now() - start;
    expect(matched).toBe(0);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('ignore-tags globs (Go filepath.Match syntax)', () => {
  it.each([
    ['*', 'anything', true],
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['*-rc*', 'v1.0-rc.1', true],
    ['v1.?', 'v1.2', true],
    ['v1.?', 'v1.22', false],
    ['[0-9]*', '7abc', true],
    ['[0-9]*', 'abc', false],
    ['[^0-9]*', 'abc', true],
    ['[^0-9]*', '7abc', false],
    ['v[12].*', 'v2.0', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['[\\]]x', ']x', true],
    ['[z-a]', 'm', false],
    ['*dev*', 'feature-dev-1', true],
    ['a*a*a*a*a*a*a*a*b', 'a'.repeat(120), false],
  ] as const)('%j vs %s → %s', (glob, tag, expected) => {
    expect(compileGlob(glob)(tag)).toBe(expected);
  });

  it.each(['[', '[a', '[]', '[a-]', 'a\\', '[-a]', '[!'])('%j is malformed', (glob) => {
    expect(() => compileGlob(glob)).toThrow(/malformed glob/);
    const m = ignoreTagsMatcher(['ok', glob], 'argocd-image-updater.argoproj.io/ignore-tags');
    expect(m.error?.field).toBe('argocd-image-updater.argoproj.io/ignore-tags');
    expect(m.error?.value).toBe(glob);
    expect(m.isIgnored('ok')).toBe(true);
  });

  it('splits comma-separated values, trimming and dropping empty entries', () => {
    expect(splitIgnoreTags(' tag3, tag4 ,,latest ')).toEqual(['tag3', 'tag4', 'latest']);
    expect(splitIgnoreTags('')).toEqual([]);
    expect(splitIgnoreTags(undefined)).toEqual([]);
  });
});
