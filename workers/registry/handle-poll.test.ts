import { describe, expect, it } from 'vitest';
import type { PollTarget } from '../../shared/domain/fleet/index-entry.ts';
import type { TagRecord } from '../../shared/domain/model/tags.ts';
import { selectTag } from '../../shared/domain/policy/select-tag.ts';
import { inferEndpoint, type TagSortMode } from '../../shared/domain/registry/endpoint.ts';
import type { RegistryAccess } from '../../shared/ports/registry-access.ts';
import type { RegistryClient } from '../../shared/ports/registry-client.ts';
import { poll } from './handle-poll.ts';

/** A registry whose tag list comes in the given order; withMetadata records what it was asked. */
function fakeAccess(names: string[]) {
  const asked: string[][] = [];
  const client = { listTags: async () => [...names] } as unknown as RegistryClient;
  const access: RegistryAccess = {
    clientFor: async () => client,
    withMetadata: async (_c, _repo, tags) => {
      asked.push(tags.map((t) => t.name));
      return tags.map((t) => ({
        name: t.name,
        digest: `sha256:${t.name}`,
        created: '2030-01-01T00:00:00Z',
        platforms: [{ os: 'linux', architecture: 'amd64', created: '2030-01-01T00:00:00Z' }],
      }));
    },
  };
  return { access, asked };
}

function target(mode: TagSortMode, o: Partial<PollTarget> = {}): PollTarget {
  return {
    repoKey: 'reg.example/team/app',
    controlPlane: 'cp',
    endpoint: { ...inferEndpoint('reg.example'), tagSortMode: mode },
    repository: 'team/app',
    metadata: false,
    ...o,
  };
}

const newest = (tags: readonly TagRecord[], allowTags?: string) =>
  selectTag({ tags, strategy: 'newest-build', constraint: '', ignoreTags: [], platforms: [], allowTags }).selected
    ?.name;

describe('poll with tagsortmode', () => {
  // the registry's own order, not the name order the snapshot is stored in
  const names = ['c-mid', 'a-new', 'b-old'];

  it('latest-first: the first tag is the newest build, without any manifest', async () => {
    const { access, asked } = fakeAccess(['a-new', 'c-mid', 'b-old']);
    const snap = await poll(access, target('latest-first'));
    expect(asked).toEqual([]);
    expect(snap.tags.map((t) => t.name)).toEqual(['a-new', 'b-old', 'c-mid']);
    expect(snap.tags.find((t) => t.name === 'a-new')!.created).toBe('1970-01-01T00:00:03Z');
    expect(newest(snap.tags)).toBe('a-new');
    expect(newest(snap.tags, 'regexp:^[bc]')).toBe('c-mid');
  });

  it('latest-last: the last tag is the newest build', async () => {
    const { access, asked } = fakeAccess([...names].reverse());
    const snap = await poll(access, target('latest-last'));
    expect(asked).toEqual([]);
    expect(snap.tags.find((t) => t.name === 'b-old')!.created).toBe('1970-01-01T00:00:00Z');
    expect(newest(snap.tags)).toBe('c-mid');
    expect(newest(snap.tags, 'regexp:^[ab]')).toBe('a-new');
  });

  it('unsorted: no synthetic dates (newest-build needs metadata)', async () => {
    const { access } = fakeAccess(names);
    const snap = await poll(access, target('unsorted'));
    expect(snap.tags.every((t) => t.created === undefined)).toBe(true);
    expect(
      selectTag({ tags: snap.tags, strategy: 'newest-build', constraint: '', ignoreTags: [], platforms: [] }).reason,
    ).toBe('metadata-missing');
  });

  it('digest on a time-sorted endpoint still gets its digest, and the list date is kept for newest-build', async () => {
    const { access, asked } = fakeAccess(['a-new', 'c-mid', 'b-old']);
    const snap = await poll(access, target('latest-first', { metadata: true, interests: [{ tag: 'b-old' }] }));
    expect(asked).toEqual([['b-old']]);
    const followed = snap.tags.find((t) => t.name === 'b-old')!;
    expect(followed).toMatchObject({ digest: 'sha256:b-old', created: '1970-01-01T00:00:01Z' });
    expect(followed.platforms).toEqual([{ os: 'linux', architecture: 'amd64' }]);
    expect(newest(snap.tags)).toBe('a-new');
    const d = selectTag({ tags: snap.tags, strategy: 'digest', constraint: 'b-old', ignoreTags: [], platforms: [] });
    expect(d.selected?.digest).toBe('sha256:b-old');
  });
});

describe('poll with metadata interests', () => {
  it('describes only the tags some interest matches; the others stay without metadata', async () => {
    const { access, asked } = fakeAccess(['v1', 'v2', 'dev-1', 'latest', 'v2']);
    const snap = await poll(
      access,
      target('unsorted', { metadata: true, interests: [{ allow: 'regexp:^v' }, { tag: 'latest' }] }),
    );
    expect(asked).toEqual([['v1', 'v2', 'latest']]);
    expect(snap.tags.filter((t) => t.digest).map((t) => t.name)).toEqual(['latest', 'v1', 'v2', 'v2']);
    expect(snap.tags.find((t) => t.name === 'dev-1')).toEqual({ name: 'dev-1' });
    // an app whose filters let other tags through sees them as missing metadata
    expect(
      selectTag({
        tags: snap.tags,
        strategy: 'newest-build',
        constraint: '',
        allowTags: 'regexp:^dev',
        ignoreTags: [],
        platforms: [],
      }).reason,
    ).toBe('metadata-missing');
  });

  it('no interest matching: no metadata request at all; no interest list: every tag', async () => {
    const none = fakeAccess(['a', 'b']);
    await poll(none.access, target('unsorted', { metadata: true, interests: [{ tag: 'zzz' }] }));
    expect(none.asked).toEqual([]);
    const all = fakeAccess(['a', 'b']);
    await poll(all.access, target('unsorted', { metadata: true }));
    expect(all.asked).toEqual([['a', 'b']]);
  });
});
