import { describe, expect, it } from 'vitest';
import { PermanentError, RateLimitedError, TransientError } from '../../errors.ts';
import type { DigestMetadata, MetadataCache } from '../../ports/metadata-cache.ts';
import type { ImageConfigInfo, ManifestInfo, RegistryClient } from '../../ports/registry-client.ts';
import { fetchMetadata } from './fetch-metadata.ts';

const IMG = 'application/vnd.oci.image.manifest.v1+json';
const IDX = 'application/vnd.oci.image.index.v1+json';

/** A registry in memory that counts every call, like the request log of a real one. */
function fakeRegistry() {
  const tags = new Map<string, string>();
  const manifests = new Map<string, ManifestInfo>();
  const configs = new Map<string, ImageConfigInfo>();
  const calls: string[] = [];
  const failures = new Map<string, Error>();
  const fail = (key: string) => {
    const e = failures.get(key);
    if (e) throw e;
  };
  const client: RegistryClient = {
    listTags: async () => [...tags.keys()],
    async headManifest(_repo, ref) {
      calls.push(`HEAD ${ref}`);
      fail(`HEAD ${ref}`);
      const digest = tags.get(ref);
      if (!digest) throw new PermanentError('registry.not-found', `manifest ${ref} not found`);
      return { digest, mediaType: manifests.get(digest)!.mediaType };
    },
    async getManifest(_repo, ref) {
      calls.push(`GET manifest ${ref}`);
      fail(`GET manifest ${ref}`);
      return manifests.get(ref)!;
    },
    async getImageConfig(_repo, digest) {
      calls.push(`GET blob ${digest}`);
      return configs.get(digest)!;
    },
  };
  let n = 0;
  const image = (created: string, platform = 'linux/amd64'): string => {
    const [os, architecture, variant] = platform.split('/');
    const digest = `sha256:img${++n}`;
    configs.set(`sha256:cfg${n}`, { created, os, architecture, variant, labels: {} });
    manifests.set(digest, { kind: 'image', digest, mediaType: IMG, configDigest: `sha256:cfg${n}` });
    return digest;
  };
  return {
    client,
    calls,
    failures,
    push(tag: string, created: string, platform?: string) {
      tags.set(tag, image(created, platform));
      return tags.get(tag)!;
    },
    pushIndex(tag: string, children: Record<string, string>) {
      const digest = `sha256:idx${++n}`;
      const kids = Object.entries(children).map(([platform, created]) => {
        const [os = '', architecture = '', variant] = platform.split('/');
        return {
          digest: image(created, platform),
          mediaType: IMG,
          platform: variant ? { os, architecture, variant } : { os, architecture },
        };
      });
      kids.push({ digest: 'sha256:attestation', mediaType: IMG, platform: { os: 'unknown', architecture: 'unknown' } });
      manifests.set(digest, { kind: 'index', digest, mediaType: IDX, children: kids });
      tags.set(tag, digest);
      return digest;
    },
  };
}

/** A cache whose store outlives the instance, as Redis outlives a process. */
function sharedCache(store = new Map<string, string>()): MetadataCache & { store: Map<string, string> } {
  return {
    store,
    getMany: async (ds) =>
      new Map(ds.filter((d) => store.has(d)).map((d) => [d, JSON.parse(store.get(d)!) as DigestMetadata])),
    put: async (d, m) => void store.set(d, JSON.stringify(m)),
  };
}

const names = (...tags: string[]) => tags.map((name) => ({ name }));

describe('fetchMetadata', () => {
  it('describes images and indexes, with each wanted-or-not child carrying its own build date', async () => {
    const reg = fakeRegistry();
    const one = reg.push('one', '2024-01-01T00:00:00Z', 'linux/arm/v7');
    const multi = reg.pushIndex('multi', {
      'linux/amd64': '2024-01-01T00:00:00Z',
      'linux/arm64': '2024-06-01T00:00:00Z',
    });
    const out = await fetchMetadata(reg.client, sharedCache(), 'team/app', names('one', 'multi'));
    expect(out[0]).toEqual({
      name: 'one',
      digest: one,
      created: '2024-01-01T00:00:00Z',
      platforms: [{ os: 'linux', architecture: 'arm', variant: 'v7' }],
    });
    expect(out[1]).toEqual({
      name: 'multi',
      digest: multi,
      created: '2024-06-01T00:00:00Z',
      platforms: [
        { os: 'linux', architecture: 'amd64', created: '2024-01-01T00:00:00Z' },
        { os: 'linux', architecture: 'arm64', created: '2024-06-01T00:00:00Z' },
      ],
    });
    expect(reg.calls.some((c) => c.includes('attestation'))).toBe(false);
  });

  it('reads a digest once ever: later polls (and a new process on the same store) only HEAD the tags', async () => {
    const reg = fakeRegistry();
    reg.push('a', '2024-01-01T00:00:00Z');
    reg.pushIndex('b', { 'linux/amd64': '2024-02-01T00:00:00Z' });
    const store = new Map<string, string>();
    await fetchMetadata(reg.client, sharedCache(store), 'team/app', names('a', 'b'));
    expect(reg.calls.filter((c) => c.startsWith('GET'))).toHaveLength(5); // a: manifest+blob; b: index, child, blob
    reg.calls.length = 0;
    const again = await fetchMetadata(reg.client, sharedCache(store), 'team/app', names('a', 'b'));
    expect(reg.calls).toEqual(['HEAD a', 'HEAD b']);
    expect(again.map((t) => t.created)).toEqual(['2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z']);
  });

  it('sees a re-pushed tag (new digest) and reads only the new digest', async () => {
    const reg = fakeRegistry();
    const first = reg.push('stable', '2024-01-01T00:00:00Z');
    const cache = sharedCache();
    expect((await fetchMetadata(reg.client, cache, 'r', names('stable')))[0]!.digest).toBe(first);
    const second = reg.push('stable', '2024-02-01T00:00:00Z');
    reg.calls.length = 0;
    const out = await fetchMetadata(reg.client, cache, 'r', names('stable'));
    expect(out[0]).toMatchObject({ digest: second, created: '2024-02-01T00:00:00Z' });
    expect(reg.calls).toEqual(['HEAD stable', `GET manifest ${second}`, 'GET blob sha256:cfg2']);
  });

  it('leaves a tag without metadata on a permanent failure, and does not cache it', async () => {
    const reg = fakeRegistry();
    reg.push('ok', '2024-01-01T00:00:00Z');
    const broken = reg.push('broken', '2024-01-01T00:00:00Z');
    reg.failures.set(`GET manifest ${broken}`, new PermanentError('registry.unsupported-manifest', 'schema1'));
    const cache = sharedCache();
    const out = await fetchMetadata(reg.client, cache, 'r', names('ok', 'broken', 'gone'));
    expect(out).toEqual([
      expect.objectContaining({ name: 'ok', created: '2024-01-01T00:00:00Z' }),
      { name: 'broken', digest: broken },
      { name: 'gone' },
    ]);
    expect(cache.store.has(broken)).toBe(false);
  });

  it.each([
    ['transient', new TransientError('registry.unavailable', 'HTTP 503')],
    ['rate-limited', new RateLimitedError('registry.rate-limited', 'HTTP 429', 1000)],
  ])('throws a %s failure so the poll is retried instead of ranking without the tag', async (_kind, error) => {
    const reg = fakeRegistry();
    reg.push('newest', '2024-09-01T00:00:00Z');
    reg.push('older', '2024-01-01T00:00:00Z');
    reg.failures.set('HEAD newest', error);
    await expect(fetchMetadata(reg.client, sharedCache(), 'r', names('newest', 'older'))).rejects.toBe(error);
    reg.failures.clear();
    const digest = reg.push('newest', '2024-09-02T00:00:00Z');
    reg.failures.set(`GET manifest ${digest}`, error);
    await expect(fetchMetadata(reg.client, sharedCache(), 'r', names('newest', 'older'))).rejects.toBe(error);
  });
});
