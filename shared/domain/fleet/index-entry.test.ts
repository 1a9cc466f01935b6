import { describe, expect, it } from 'vitest';
import type { Application } from '../model/application.ts';
import type { RegistryEndpoint, TagSortMode } from '../registry/endpoint.ts';
import {
  annotationConfiguration,
  buildIndexEntry,
  interestFilter,
  interestKey,
  MAX_METADATA_INTERESTS,
  mergeInterests,
  type MetadataInterest,
} from './index-entry.ts';

const P = 'argocd-image-updater.argoproj.io/';

function endpoint(tagSortMode: TagSortMode = 'unsorted'): RegistryEndpoint {
  return {
    name: 'r',
    apiUrl: 'http://127.0.0.1:5000',
    prefix: 'reg.example',
    credsExpireMs: 0,
    tagSortMode,
    insecure: true,
    isDefault: false,
  };
}

function app(annotations: Record<string, string>): Application {
  return {
    metadata: { name: 'demo', namespace: 'argocd', uid: 'u', annotations: { ...annotations } },
    spec: { source: { repoURL: 'https://git.example/demo.git', path: 'app', helm: {} } },
    status: { sourceType: 'Helm', summary: { images: [] } },
  };
}

function targetsOf(annotations: Record<string, string>, mode: TagSortMode = 'unsorted') {
  const a = app(annotations);
  return buildIndexEntry('cp', a, annotationConfiguration(a)!, [endpoint(mode)]);
}

describe('metadata interests of poll targets', () => {
  it('newest-build asks for the tags its allow-tags / ignore-tags let through; semver asks for nothing', () => {
    const { targets } = targetsOf({
      [`${P}image-list`]: 'a=reg.example/team/app,b=reg.example/team/other',
      [`${P}a.update-strategy`]: 'newest-build',
      [`${P}a.allow-tags`]: 'regexp:^build-',
      [`${P}a.ignore-tags`]: 'build-x*, build-a*,build-x*',
    });
    expect(targets.find((t) => t.repository === 'team/app')).toMatchObject({
      metadata: true,
      interests: [{ allow: 'regexp:^build-', ignore: ['build-a*', 'build-x*'] }],
    });
    const other = targets.find((t) => t.repository === 'team/other')!;
    expect(other.metadata).toBe(false);
    expect(other.interests).toBeUndefined();
  });

  it('digest asks only for the followed tag; several images of one repository are merged, sorted', () => {
    const { targets, entry } = targetsOf({
      [`${P}image-list`]: 'a=reg.example/team/app:stable,b=reg.example/team/app,c=reg.example/team/app',
      [`${P}a.update-strategy`]: 'digest',
      [`${P}b.update-strategy`]: 'newest-build',
      [`${P}b.allow-tags`]: 'regexp:^v',
      [`${P}c.update-strategy`]: 'newest-build',
      [`${P}c.allow-tags`]: 'regexp:^v',
    });
    expect(targets).toHaveLength(1);
    expect(targets[0]!.interests).toEqual([{ allow: 'regexp:^v' }, { tag: 'stable' }]);
    // the same configuration gives the same hash (interests are deterministic)
    expect(
      targetsOf({
        [`${P}image-list`]: 'a=reg.example/team/app:stable,b=reg.example/team/app,c=reg.example/team/app',
        [`${P}a.update-strategy`]: 'digest',
        [`${P}b.update-strategy`]: 'newest-build',
        [`${P}b.allow-tags`]: 'regexp:^v',
        [`${P}c.update-strategy`]: 'newest-build',
        [`${P}c.allow-tags`]: 'regexp:^v',
      }).entry.hash,
    ).toBe(entry.hash);
  });

  it('newest-build without filters wants every tag (no interest list)', () => {
    const { targets } = targetsOf({
      [`${P}image-list`]: 'a=reg.example/team/app:stable,b=reg.example/team/app',
      [`${P}a.update-strategy`]: 'digest',
      [`${P}b.update-strategy`]: 'newest-build',
      [`${P}b.allow-tags`]: 'any',
    });
    expect(targets[0]).toMatchObject({ metadata: true });
    expect(targets[0]!.interests).toBeUndefined();
  });

  it('on a time-sorted endpoint newest-build needs no metadata, digest still needs its tag', () => {
    for (const mode of ['latest-first', 'latest-last'] as const) {
      const nb = targetsOf(
        { [`${P}image-list`]: 'a=reg.example/team/app', [`${P}a.update-strategy`]: 'newest-build' },
        mode,
      );
      expect(nb.targets[0]).toMatchObject({ metadata: false });
      const dg = targetsOf(
        { [`${P}image-list`]: 'a=reg.example/team/app:main', [`${P}a.update-strategy`]: 'digest' },
        mode,
      );
      expect(dg.targets[0]).toMatchObject({ metadata: true, interests: [{ tag: 'main' }] });
    }
  });
});

describe('mergeInterests', () => {
  const i = (allow: string): MetadataInterest => ({ allow });

  it('merges the interests of several apps: distinct, sorted by key', () => {
    const merged = mergeInterests([[i('regexp:^b'), { tag: 'x' }], [i('regexp:^a'), i('regexp:^b')], []]);
    expect(merged).toEqual([i('regexp:^a'), i('regexp:^b'), { tag: 'x' }]);
    expect(merged!.map(interestKey)).toEqual([...merged!.map(interestKey)].sort());
    expect(mergeInterests([[{ tag: 'x' }, i('regexp:^a')]])).toEqual(
      mergeInterests([[i('regexp:^a')], [{ tag: 'x' }]]),
    );
  });

  it('falls back to every tag: an interest matching everything, an app wanting every tag, or too many', () => {
    expect(mergeInterests([[i('regexp:^a')], [{}]])).toBeUndefined();
    expect(mergeInterests([[i('regexp:^a')], undefined])).toBeUndefined();
    const many = Array.from({ length: MAX_METADATA_INTERESTS + 1 }, (_, n) => ({ tag: `t${n}` }));
    expect(mergeInterests([many.slice(0, MAX_METADATA_INTERESTS)])).toHaveLength(MAX_METADATA_INTERESTS);
    expect(mergeInterests([many.slice(0, 20), many.slice(15)])).toBeUndefined();
  });

  it('matches a tag when at least one interest lets it through (the selection filters)', () => {
    const wanted = interestFilter([{ allow: 'regexp:^v1\\.', ignore: ['v1.0*'] }, { tag: 'latest' }]);
    expect(['v1.0.1', 'v1.2.0', 'v2.0.0', 'latest', 'latest2'].filter(wanted)).toEqual(['v1.2.0', 'latest']);
    expect(interestFilter(undefined)('anything')).toBe(true);
    expect(interestFilter([])('anything')).toBe(false);
    // an invalid allow-tags matches nothing (the selection reports it)
    expect(interestFilter([{ allow: 'regexp:(' }])('v1')).toBe(false);
  });
});
