import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { parseImageRef } from '../image/image-ref.ts';
import { rankAlphabetical } from './alphabetical-strategy.ts';
import { rankNewestBuild } from './newest-build-strategy.ts';
import { dedupeTags, selectTag } from './select-tag.ts';
import type { StrategyName } from './strategy.ts';
import type { SelectionInput, TagCandidate } from './types.ts';

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();

function input(
  strategy: StrategyName,
  tags: (string | TagCandidate)[],
  constraint = '',
  extra: Partial<SelectionInput> = {},
): SelectionInput {
  return {
    tags: tags.map((t) => (typeof t === 'string' ? { name: t } : t)),
    strategy,
    constraint,
    ignoreTags: [],
    platforms: [],
    ...extra,
  };
}

interface SelectVector {
  version: string;
  currentImage: string;
  tags: string[];
  strategy: StrategyName;
  constraint: string;
  tagDates?: Record<string, number>;
  tagDigests?: Record<string, string>;
  expected: string | null | { tag: string; digest: string };
}

describe('selectTag — compat vectors strategy-select', () => {
  it.each(vectors<SelectVector>('strategy-select'))('$id $strategy $constraint ($version)', (v) => {
    const tags = v.tags.map((name) => ({
      name,
      ...(v.tagDates?.[name] !== undefined ? { created: iso(v.tagDates[name]) } : {}),
      ...(v.tagDigests?.[name] !== undefined ? { digest: v.tagDigests[name] } : {}),
    }));
    const r = selectTag(input(v.strategy, tags, v.constraint));
    const current = parseImageRef(v.currentImage).tag;
    if (v.version === 'v0' && v.expected === current) {
      // v0 answered "the current tag" when no semver tag existed; HEAD (and tagflow) answer "nothing":
      // either way the image is left unchanged.
      expect(r.selected).toBeNull();
      expect(r.reason).toBe('no-match');
    } else if (v.expected === null) {
      expect(r.selected).toBeNull();
      expect(r.reason).toBe(v.tags.length === 0 ? 'no-tags' : 'no-match');
    } else if (typeof v.expected === 'string') {
      expect(r.selected?.name).toBe(v.expected);
      expect(r.reason).toBe('selected');
    } else {
      expect(r.selected).toMatchObject({ name: v.expected.tag, digest: v.expected.digest });
    }
  });
});

describe('sorting — compat vectors tag-sort', () => {
  it.each(vectors<{ op: string; tags: string[]; dates?: number[]; expected: string[] }>('tag-sort'))(
    '$id $op',
    ({ op, tags, dates, expected }) => {
      const candidates = tags.map((name, i) => ({ name, ...(dates ? { created: iso(dates[i] ?? 0) } : {}) }));
      const rank = op === 'alphabetical' ? rankAlphabetical : op === 'date' ? rankNewestBuild : null;
      if (!rank) throw new Error(`unknown op ${op}`);
      const out = rank(candidates, '', 'constraint');
      if (!out.ok) throw new Error(out.message);
      expect(out.ranked.map((t) => t.name).reverse()).toEqual(expected);
    },
  );
});

describe('tag list — compat vectors tag-list', () => {
  it.each(vectors<{ adds: string[]; expectedLen: number }>('tag-list'))('$id', ({ adds, expectedLen }) => {
    expect(dedupeTags(adds.map((name) => ({ name })))).toHaveLength(expectedLen);
    expect(selectTag(input('alphabetical', adds)).tagsFound).toBe(expectedLen);
  });
});

describe('semver strategy', () => {
  const tags = [
    '0.1',
    '0.5.1',
    '0.9',
    '1.0',
    '1.0.1',
    '1.1.2',
    'v1.1.3',
    '2.0.3',
    '2.1.0-rc.1',
    'latest',
    'sha-1a2b3c4',
  ];
  it.each([
    ['', '2.0.3', 'empty constraint = *: highest release, pre-releases excluded'],
    ['*', '2.0.3', 'star'],
    ['~1.0', '1.0.1', 'tilde'],
    ['^1.0', 'v1.1.3', 'caret keeps the v prefix of the tag'],
    ['>=1.0 <2.0', 'v1.1.3', 'space AND'],
    ['>=1.0, <1.1', '1.0.1', 'comma AND'],
    ['<0.9 || ~1.0', '1.0.1', 'OR'],
    ['1.x', 'v1.1.3', 'x-range'],
    ['0.5 - 1.0', '1.0.1', 'hyphen range, partial upper bound includes its patches'],
    ['v2', '2.0.3', 'v-prefixed partial'],
    ['>=2.0.0-0', '2.1.0-rc.1', 'pre-release only when the constraint has one'],
    ['2.1.0-rc.1', '2.1.0-rc.1', 'exact pre-release'],
  ])('%j → %s (%s)', (constraint, expected) => {
    const r = selectTag(input('semver', tags, constraint));
    expect(r.selected?.name).toBe(expected);
    expect(r.ranking[0]).toBe(expected);
  });

  it.each([
    ['no match', tags, '~3.0', 'no-match'],
    ['empty list', [], '~1.0', 'no-tags'],
    ['no semver tags at all', ['latest', 'main', 'dev'], '', 'no-match'],
  ] as const)('%s → %s', (_name, list, constraint, reason) => {
    const r = selectTag(input('semver', [...list], constraint));
    expect(r.selected).toBeNull();
    expect(r.reason).toBe(reason);
  });

  it.each(['latest', 'stable', '>=1.0 ||', '1.2.3.4'])(
    'invalid range %j → invalid-input naming the field and value',
    (constraint) => {
      const r = selectTag(
        input('semver', tags, constraint, {
          fieldNames: { constraint: 'argocd-image-updater.argoproj.io/image-list' },
        }),
      );
      expect(r.reason).toBe('invalid-input');
      expect(r.selected).toBeNull();
      expect(r.invalid).toEqual({ field: 'argocd-image-updater.argoproj.io/image-list', value: constraint });
      expect(r.message).toContain('argocd-image-updater.argoproj.io/image-list');
      expect(r.message).toContain(JSON.stringify(constraint));
    },
  );

  it('reports an invalid constraint even when the registry has no tags', () => {
    expect(selectTag(input('semver', [], 'latest')).reason).toBe('invalid-input');
  });

  it('breaks precedence ties by the lexical order of the original tag', () => {
    expect(selectTag(input('semver', ['1.2', 'v1.2.0', '1.2.0'])).ranking).toEqual(['v1.2.0', '1.2.0', '1.2']);
    expect(selectTag(input('semver', ['v1.0', '1.0'])).selected?.name).toBe('v1.0');
  });

  it('orders pre-release identifiers per the spec (rc9 > rc10 lexically, rc.10 > rc.9 numerically)', () => {
    expect(selectTag(input('semver', ['1.0.0-rc9', '1.0.0-rc10'], '>=1.0.0-0')).selected?.name).toBe('1.0.0-rc9');
    expect(selectTag(input('semver', ['1.0.0-rc.9', '1.0.0-rc.10'], '>=1.0.0-0')).selected?.name).toBe('1.0.0-rc.10');
  });

  it('explains the funnel and ranks at most 5, best first', () => {
    const r = selectTag(input('semver', tags, '', { allowTags: 'regexp:^v?[0-9]', ignoreTags: ['0.*'] }));
    expect(r).toMatchObject({ tagsFound: 11, afterFilters: 6, afterPlatforms: 6, eligible: 5, reason: 'selected' });
    expect(r.ranking).toEqual(['2.0.3', 'v1.1.3', '1.1.2', '1.0.1', '1.0']);
    expect(r.message).toContain('11 tag(s) found, 6 left after allow/ignore filters');
    expect(r.message).toContain('satisfy constraint "*"');
  });

  it('ignores platforms (semver reads no manifests) and only warns about invalid ones', () => {
    const r = selectTag(input('semver', ['1.0', '2.0'], '', { platforms: ['bogus'] }));
    expect(r.selected?.name).toBe('2.0');
    expect(r.warnings.join()).toMatch(/bogus/);
  });
});

describe('newest-build strategy', () => {
  const t = (name: string, at: number, extra: Partial<TagCandidate> = {}): TagCandidate => ({
    name,
    created: iso(at),
    ...extra,
  });
  it('picks the most recent build, ignoring the constraint', () => {
    const r = selectTag(input('newest-build', [t('a', 10), t('c', 30), t('b', 20)], '~1.0'));
    expect(r.selected?.name).toBe('c');
    expect(r.ranking).toEqual(['c', 'b', 'a']);
  });
  it('breaks date ties by the greatest tag name (latest > f33bacd > dev)', () => {
    const r = selectTag(input('newest-build', [t('dev', 5), t('latest', 5), t('f33bacd', 5), t('old', 1)]));
    expect(r.ranking).toEqual(['latest', 'f33bacd', 'dev', 'old']);
  });
  it('compares sub-second and zoned timestamps exactly', () => {
    const r = selectTag(
      input('newest-build', [
        { name: 'x', created: '2024-05-01T10:00:00.000000001Z' },
        { name: 'y', created: '2024-05-01T10:00:00Z' },
        { name: 'z', created: '2024-05-01T11:30:00+02:00' },
      ]),
    );
    expect(r.ranking).toEqual(['x', 'y', 'z']);
  });
  it('skips tags without a usable date, with a warning', () => {
    const r = selectTag(input('newest-build', [t('a', 1), { name: 'b' }, { name: 'c', created: 'yesterday' }]));
    expect(r.selected?.name).toBe('a');
    expect(r.warnings.join()).toMatch(/2 tag\(s\) without a usable build date.*b, c/);
  });
  it('reports metadata-missing when no candidate has a date', () => {
    const r = selectTag(input('newest-build', ['a', 'b']));
    expect(r.reason).toBe('metadata-missing');
    expect(r.selected).toBeNull();
  });
  it('keeps only tags offering a wanted platform (default linux/amd64, overridable)', () => {
    const amd = { os: 'linux', architecture: 'amd64' };
    const arm = { os: 'linux', architecture: 'arm64', variant: 'v8' };
    const tags = [
      t('old-amd', 1, { platforms: [amd] }),
      t('new-arm', 9, { platforms: [arm] }),
      t('multi', 5, { platforms: [arm, amd] }),
    ];
    expect(selectTag(input('newest-build', tags)).selected?.name).toBe('multi');
    expect(selectTag(input('newest-build', tags, '', { defaultPlatforms: ['linux/arm64'] })).selected?.name).toBe(
      'new-arm',
    );
    const r = selectTag(input('newest-build', tags, '', { platforms: ['windows/amd64'] }));
    expect(r).toMatchObject({ reason: 'no-match', afterFilters: 3, afterPlatforms: 0 });
    expect(r.message).toContain('0 for platform(s) windows/amd64');
  });
  it('rejects invalid platforms as invalid-input', () => {
    const r = selectTag(
      input('newest-build', [t('a', 1)], '', { platforms: ['linux'], fieldNames: { platforms: 'x.platforms' } }),
    );
    expect(r).toMatchObject({ reason: 'invalid-input', invalid: { field: 'x.platforms', value: 'linux' } });
  });
});

describe('alphabetical strategy', () => {
  it.each([
    [['b', 'a', 'c'], 'c'],
    [['v9', 'v10'], 'v9'],
    [['Z', 'a'], 'a'],
    [['2024-01-02', '2024-01-10', '2023-12-31'], '2024-01-10'],
    [['1.0', '1.0.0'], '1.0.0'],
  ])('%j → %s (byte order)', (tags, expected) => {
    expect(selectTag(input('alphabetical', tags, '~1.0')).selected?.name).toBe(expected);
  });
  it('empty list → no-tags; everything ignored → no-match', () => {
    expect(selectTag(input('alphabetical', [])).reason).toBe('no-tags');
    const r = selectTag(input('alphabetical', ['a', 'b'], '', { ignoreTags: ['*'] }));
    expect(r).toMatchObject({ reason: 'no-match', afterFilters: 0 });
  });
});

describe('digest strategy', () => {
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  it('follows only the constraint tag and returns its digest', () => {
    const r = selectTag(
      input(
        'digest',
        [
          { name: 'latest', digest: d('a') },
          { name: 'main', digest: d('b') },
        ],
        'main',
      ),
    );
    expect(r.selected).toMatchObject({ name: 'main', digest: d('b') });
    expect(r.ranking).toEqual(['main']);
  });
  it('no constraint → invalid-input naming the field', () => {
    const r = selectTag(
      input('digest', [{ name: 'latest', digest: d('a') }], '', { fieldNames: { constraint: 'image-list' } }),
    );
    expect(r).toMatchObject({ reason: 'invalid-input', invalid: { field: 'image-list', value: '' } });
    expect(r.message).toMatch(/cannot use update strategy 'digest' without a version constraint/);
  });
  it('followed tag absent → no-match; present without digest → metadata-missing', () => {
    expect(selectTag(input('digest', [{ name: 'latest', digest: d('a') }], 'main')).reason).toBe('no-match');
    expect(selectTag(input('digest', [{ name: 'main' }], 'main')).reason).toBe('metadata-missing');
  });
  it('applies allow/ignore filters and platforms', () => {
    expect(selectTag(input('digest', [{ name: 'main', digest: d('a') }], 'main', { ignoreTags: ['ma*'] })).reason).toBe(
      'no-match',
    );
    const arm = [{ os: 'linux', architecture: 'arm64' }];
    expect(selectTag(input('digest', [{ name: 'main', digest: d('a'), platforms: arm }], 'main')).reason).toBe(
      'no-match',
    );
  });
});

describe('invalid filters never throw', () => {
  it.each([
    [{ allowTags: 'regexp:[' }, 'allow-tags'],
    [{ allowTags: 'v2.*' }, 'allow-tags'],
    [{ ignoreTags: ['[abc'] }, 'ignore-tags'],
  ] as const)('%j → invalid-input on %s', (extra, field) => {
    const r = selectTag(input('semver', ['1.0'], '', extra));
    expect(r.reason).toBe('invalid-input');
    expect(r.invalid?.field).toBe(field);
    expect(r.selected).toBeNull();
  });
});

describe('safety', () => {
  it('selects among 10,000 tags with a pathological allow-tags pattern in linear time', () => {
    const tags = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `1.${i}.0` : `${'a'.repeat(30 + (i % 40))}!${i}`));
    const start = performance.now();
    const r = selectTag(input('semver', tags, '', { allowTags: 'regexp:^(a+)+$|^1\\.9999\\.0$' }));
    const elapsed = performance.now() - start;
    expect(r).toMatchObject({ reason: 'selected', tagsFound: 10_000, afterFilters: 1 });
    expect(r.selected?.name).toBe('1.9999.0');
    expect(elapsed).toBeLessThan(1000);
  });
});
