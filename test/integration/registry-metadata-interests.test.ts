/**
 * What a poll asks of the registry for manifest metadata, counted behind a recording proxy in front
 * of a real docker-registry holding 500 tags (one tag list page: distribution 2.8 does not page): only the tags some app's filters let through are
 * HEADed, each new digest's manifest and config blob are read once ever, a time-sorted endpoint
 * (`tagsortmode`) needs no manifest at all. Poll targets come from the index entries of several
 * apps sharing the repository, merged in the Redis fleet index.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisFleetIndex } from '../../shared/adapters/redis/fleet-index.ts';
import { RedisMetadataCache } from '../../shared/adapters/redis/metadata-cache.ts';
import { createRegistryAccess } from '../../shared/adapters/registry/registry-access.ts';
import { annotationConfiguration, buildIndexEntry } from '../../shared/domain/fleet/index-entry.ts';
import type { Application } from '../../shared/domain/model/application.ts';
import { selectTag } from '../../shared/domain/policy/select-tag.ts';
import type { RegistryEndpoint, TagSortMode } from '../../shared/domain/registry/endpoint.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import { poll } from '../../workers/registry/handle-poll.ts';
import { buildImage, pushImage } from '../fixtures/images.ts';
import { testRedis, type TestRedis } from '../helpers/redis.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';
import { startFaultProxy, type FaultProxy } from '../services/fault-proxy.ts';
import { expectStatus, PushSession } from '../services/registry-push.ts';

const P = 'argocd-image-updater.argoproj.io/';
const REPO = 'team/big';
const BUILDS = {
  'build-1': '2024-03-01T00:00:00Z',
  'build-2': '2024-03-03T00:00:00Z',
  'build-3': '2024-03-02T00:00:00Z',
};
const OTHERS = Array.from({ length: 497 }, (_, i) => `other-${String(i).padStart(3, '0')}`);

let reg: RegistryService;
let proxy: FaultProxy;

/** 497 tags on one shared image (one manifest PUT each) and 3 distinct images passing the filter. */
async function pushRepository() {
  const s = new PushSession(reg);
  const image = buildImage({ content: 'shared\n' });
  await pushImage(reg, REPO, OTHERS[0]!, { content: 'shared\n' });
  for (const tag of OTHERS.slice(1)) {
    expectStatus(
      await s.request(
        'PUT',
        `/v2/${REPO}/manifests/${tag}`,
        REPO,
        { 'content-type': image.manifest.mediaType },
        image.manifest.bytes,
      ),
      [201],
      `tag ${tag}`,
    );
  }
  for (const [tag, created] of Object.entries(BUILDS)) await pushImage(reg, REPO, tag, { created });
}

beforeAll(async () => {
  reg = await startRegistry();
  await pushRepository();
  proxy = await startFaultProxy(reg.url);
}, 120_000);
afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
});

let t: TestRedis;
let index: RedisFleetIndex;
beforeEach(async () => {
  t = await testRedis('interests');
  index = new RedisFleetIndex(t.redis, t.keys);
});
afterEach(async () => t.cleanup());

function endpoints(tagSortMode: TagSortMode = 'unsorted'): RegistryEndpoint[] {
  return [
    {
      name: 'recorded',
      apiUrl: proxy.url,
      prefix: 'reg.example',
      credsExpireMs: 0,
      tagSortMode,
      insecure: true,
      isDefault: false,
    },
  ];
}

function application(name: string, settings: Record<string, string>, image = `reg.example/${REPO}`): Application {
  return {
    metadata: {
      name,
      namespace: 'argocd',
      uid: `uid-${name}`,
      annotations: {
        [`${P}image-list`]: `app=${image}`,
        ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [`${P}app.${k}`, v])),
      },
    },
    spec: { source: { repoURL: 'https://git.example/r.git', path: name, targetRevision: 'main', helm: {} } },
    status: { sourceType: 'Helm', summary: { images: [`reg.example/${REPO}:build-1`] } },
  };
}

async function index_(apps: Application[], mode: TagSortMode = 'unsorted') {
  const updates = apps.map((a) => buildIndexEntry('cp', a, annotationConfiguration(a)!, endpoints(mode)));
  await index.sync('cp', updates, { full: true });
  const repoKey = updates[0]!.entry.tracked[0]!.repoKey;
  return { repoKey, target: (await index.targets([repoKey])).get(repoKey)! };
}

function access(redis: Redis, t0: TestRedis) {
  return createRegistryAccess({
    reader: () => undefined,
    env: {},
    metadata: new RedisMetadataCache(redis, t0.keys),
    log: silentLogger(),
  });
}

function counted(from: number) {
  const reqs = proxy.requests.slice(from).filter((r) => r.includes(`/v2/${REPO}/`));
  // `METHOD path status`
  const names = (re: RegExp) => reqs.filter((r) => re.test(r)).map((r) => r.split(' ')[1]!.split('/').pop()!);
  return {
    tagPages: reqs.filter((r) => r.startsWith('GET') && r.includes('/tags/list')).length,
    heads: names(/^HEAD .*\/manifests\//).sort(),
    manifests: names(/^GET .*\/manifests\//).length,
    blobs: names(/^GET .*\/blobs\//).length,
  };
}

const FILTER = { 'update-strategy': 'newest-build', 'allow-tags': 'regexp:^build-' };

describe('metadata only for the tags the apps filter in', () => {
  it('newest-build on 500 tags: the first poll reads 3 manifests and 3 config blobs, the next only HEADs the 3', async () => {
    // a semver app on the same repository asks for nothing; the newest-build app for its 3 tags
    const { target } = await index_([application('nb', FILTER), application('sv', {})]);
    expect(target).toMatchObject({ metadata: true, interests: [{ allow: 'regexp:^build-' }] });
    const registry = access(t.redis, t);

    let mark = proxy.requests.length;
    const first = await poll(registry, target);
    const one = counted(mark);
    expect(first.tags).toHaveLength(500);
    expect(one).toEqual({ tagPages: 1, heads: ['build-1', 'build-2', 'build-3'], manifests: 3, blobs: 3 });
    const pick = selectTag({
      tags: first.tags,
      strategy: 'newest-build',
      constraint: '',
      allowTags: FILTER['allow-tags'],
      ignoreTags: [],
      platforms: [],
    });
    expect(pick.selected?.name).toBe('build-2');
    expect(first.tags.filter((x) => x.digest).map((x) => x.name)).toEqual(Object.keys(BUILDS));

    mark = proxy.requests.length;
    const second = await poll(registry, target);
    const two = counted(mark);
    expect(two).toEqual({ tagPages: 1, heads: ['build-1', 'build-2', 'build-3'], manifests: 0, blobs: 0 });
    expect(second.hash).toBe(first.hash);
    console.log(`500 tags, 3 filtered in: first poll ${JSON.stringify(one)}, second ${JSON.stringify(two)}`);
  }, 60_000);

  it('a digest app adds one HEAD for its tag; an app wanting every tag makes it every tag', async () => {
    const { target } = await index_([
      application('nb', FILTER),
      application('dg', { 'update-strategy': 'digest' }, `reg.example/${REPO}:other-007`),
    ]);
    expect(target.interests).toEqual([{ allow: 'regexp:^build-' }, { tag: 'other-007' }]);
    const mark = proxy.requests.length;
    const snap = await poll(access(t.redis, t), target);
    expect(counted(mark)).toMatchObject({ heads: ['build-1', 'build-2', 'build-3', 'other-007'] });
    const d = selectTag({
      tags: snap.tags,
      strategy: 'digest',
      constraint: 'other-007',
      ignoreTags: [],
      platforms: [],
    });
    expect(d.selected?.digest).toMatch(/^sha256:/);

    // one more app without filters: every tag is described (the 497 shared ones are one digest)
    const all = await index_([
      application('nb', FILTER),
      application('dg', { 'update-strategy': 'digest' }, `reg.example/${REPO}:other-007`),
      application('every', { 'update-strategy': 'newest-build' }),
    ]);
    expect(all.target.metadata).toBe(true);
    expect(all.target.interests).toBeUndefined();
    // the apps leaving again: the filtered list comes back, then no metadata at all
    expect((await index_([application('nb', FILTER), application('sv', {})])).target.interests).toEqual([
      { allow: 'regexp:^build-' },
    ]);
    const none = await index_([application('sv', {})]);
    expect(none.target.metadata).toBe(false);
  }, 60_000);

  it('newest-build with tagsortmode: the tag list only, no HEAD and no manifest; list position is the date', async () => {
    // the registry's own order (distribution 2.8 does not sort by name), not the snapshot's
    const listed = JSON.parse(
      (await new PushSession(reg).request('GET', `/v2/${REPO}/tags/list`, REPO)).body.toString('utf8'),
    ) as { tags: string[] };
    const builds = listed.tags.filter((x) => x.startsWith('build-'));
    const newest = async (mode: TagSortMode) => {
      const { target } = await index_([application('nb', FILTER)], mode);
      expect(target.metadata).toBe(false);
      const mark = proxy.requests.length;
      const snap = await poll(access(t.redis, t), target);
      expect(counted(mark)).toEqual({ tagPages: 1, heads: [], manifests: 0, blobs: 0 });
      return selectTag({
        tags: snap.tags,
        strategy: 'newest-build',
        constraint: '',
        allowTags: FILTER['allow-tags'],
        ignoreTags: [],
        platforms: [],
      }).selected?.name;
    };
    expect(await newest('latest-last')).toBe(builds.at(-1));
    expect(await newest('latest-first')).toBe(builds[0]);
  }, 60_000);
});

describe('metadata interests merged in the fleet index', () => {
  it('two apps with different filters: both interests, sorted; one leaving takes its interest along', async () => {
    const a = application('a', FILTER);
    const b = application('b', {
      'update-strategy': 'newest-build',
      'allow-tags': 'regexp:^aaa',
      'ignore-tags': 'aaa-x*',
    });
    const { repoKey, target } = await index_([a, b]);
    expect(target.interests).toEqual([{ allow: 'regexp:^aaa', ignore: ['aaa-x*'] }, { allow: 'regexp:^build-' }]);
    // b changes its filter: its old interest is gone
    const b2 = application('b', { 'update-strategy': 'newest-build', 'allow-tags': 'regexp:^zzz' });
    await index.sync('cp', [buildIndexEntry('cp', b2, annotationConfiguration(b2)!, endpoints())], { full: false });
    expect((await index.targets([repoKey])).get(repoKey)!.interests).toEqual([
      { allow: 'regexp:^build-' },
      { allow: 'regexp:^zzz' },
    ]);
    await index.sync('cp', [], { full: false, removed: ['cp/argocd/a'] });
    expect((await index.targets([repoKey])).get(repoKey)!.interests).toEqual([{ allow: 'regexp:^zzz' }]);
  });

  it('more than 32 distinct interests: every tag', async () => {
    const apps = Array.from({ length: 33 }, (_, i) =>
      application(`d${i}`, { 'update-strategy': 'digest' }, `reg.example/${REPO}:t${i}`),
    );
    const { target } = await index_(apps.slice(0, 32));
    expect(target.interests).toHaveLength(32);
    const over = await index_(apps);
    expect(over.target).toMatchObject({ metadata: true });
    expect(over.target.interests).toBeUndefined();
  });
});
