import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { formatImageRef, parseImageRef } from './image-ref.ts';
import { findLiveImage, needsUpdate, reselectLiveForDigest, tagsEqual } from './live-image.ts';

type Entry = string | { image: string; kustomizeImage: string };

describe('findLiveImage — compat vectors image-contains', () => {
  const rows = vectors<{ list: Entry[]; queries: { query: Entry; expected: string | null }[] }>(
    'image-contains',
  ).flatMap((v) => v.queries.map((q) => ({ id: v.id, list: v.list, ...q })));
  it.each(rows)('$id $query', ({ list, query, expected }) => {
    const live = list.map((e) => (typeof e === 'string' ? e : e.image));
    const configured = typeof query === 'string' ? query : query.image;
    const kustomize = typeof query === 'string' ? undefined : query.kustomizeImage;
    const found = findLiveImage(parseImageRef(configured), live, kustomize);
    if (expected === null) expect(found).toBeNull();
    else expect(found && formatImageRef(found)).toBe(expected === 'found' ? configured : expected);
  });
});

describe('reselectLiveForDigest — compat vectors digest-live-match', () => {
  it.each(
    vectors<{
      name: string;
      configured: string;
      live: string[];
      latestDigest: string;
      expected: { tag: string; digest: string } | null;
    }>('digest-live-match'),
  )('$id $name', ({ configured, live, latestDigest, expected }) => {
    const found = reselectLiveForDigest(parseImageRef(configured), live, latestDigest);
    if (expected === null) expect(found).toBeNull();
    else expect(found && { tag: found.tag, digest: found.digest }).toEqual(expected);
  });
});

describe('tagsEqual — compat vectors tag-equals', () => {
  it.each(
    vectors<{ a: { tag: string; digest: string }; b: { tag: string; digest: string }; expected: boolean }>(
      'tag-equals',
    ),
  )('$id', ({ a, b, expected }) => {
    expect(tagsEqual(a, b)).toBe(expected);
    expect(tagsEqual(b, a)).toBe(expected);
  });
});

describe('findLiveImage — Docker Hub spellings are the same image (anchor "not live" defect fixed)', () => {
  const spellings = [
    'nginx',
    'docker.io/nginx',
    'docker.io/library/nginx',
    'index.docker.io/library/nginx',
    'library/nginx',
  ];
  it.each(spellings.flatMap((c) => spellings.map((l) => [c, l] as const)))('configured %s, live %s:1.25', (c, l) => {
    const found = findLiveImage(parseImageRef(`${c}:~1.25`), [`quay.io/other:1`, `${l}:1.25`]);
    expect(found?.tag).toBe('1.25');
  });
  it('does not confuse other registries or organisations', () => {
    expect(
      findLiveImage(parseImageRef('nginx'), ['quay.io/nginx:1', 'bitnami/nginx:1', 'ghcr.io/library/nginx:1']),
    ).toBeNull();
  });
  it('tries the kustomize.image-name override first', () => {
    const found = findLiveImage(
      parseImageRef('ghcr.io/org/app:~1'),
      ['ghcr.io/org/app:1.0', 'registry.local/app:0.9'],
      'registry.local/app',
    );
    expect(found?.tag).toBe('0.9');
  });
  it('falls back to the image name when the override is not live', () => {
    const found = findLiveImage(parseImageRef('ghcr.io/org/app:~1'), ['ghcr.io/org/app:1.0'], 'registry.local/app');
    expect(found?.tag).toBe('1.0');
  });
});

describe('needsUpdate', () => {
  const d1 = `sha256:${'1'.repeat(64)}`;
  const d2 = `sha256:${'2'.repeat(64)}`;
  it.each([
    // live, selected tag, selected digest, strategy, expected
    ['nginx:1.0', '1.0', undefined, 'semver', false],
    ['nginx:1.0', '1.1', undefined, 'semver', true],
    ['nginx', '1.1', undefined, 'semver', true],
    ['nginx:1.1', '1.1', d1, 'newest-build', false],
    [`nginx:1.1@${d1}`, '1.1', undefined, 'semver', true],
    ['nginx:b', 'b', undefined, 'alphabetical', false],
    [`app:latest@${d1}`, 'latest', d1, 'digest', false],
    [`app:latest@${d1}`, 'latest', d2, 'digest', true],
    ['app:latest', 'latest', d1, 'digest', true],
    [`app@${d1}`, 'latest', d1, 'digest', false],
  ] as const)('live %s, selected %s@%s (%s) → %s', (live, tag, digest, strategy, expected) => {
    expect(needsUpdate(parseImageRef(live), digest ? { tag, digest } : { tag }, strategy)).toBe(expected);
  });

  it('with a kustomize override, switching repositories is an update even for the same tag', () => {
    const live = parseImageRef('registry.local/app:1.0');
    const configured = parseImageRef('ghcr.io/org/app:~1');
    expect(needsUpdate(live, { tag: '1.0' }, 'semver', { configured, kustomizeImageName: 'registry.local/app' })).toBe(
      true,
    );
    expect(needsUpdate(live, { tag: '1.0' }, 'semver', { configured })).toBe(false);
  });

  it('a kustomize override naming the same Docker Hub image in another spelling is not a switch', () => {
    const live = parseImageRef('docker.io/library/nginx:1.0');
    const configured = parseImageRef('nginx:~1');
    expect(needsUpdate(live, { tag: '1.0' }, 'semver', { configured, kustomizeImageName: 'nginx' })).toBe(false);
  });
});
