import { describeError } from '../../errors.ts';
import type { MetadataCache, DigestMetadata } from '../../ports/metadata-cache.ts';
import type { Platform, RegistryClient } from '../../ports/registry-client.ts';
import type { TagRecord } from '../../ports/tag-snapshots.ts';

const PARALLEL = 8;

/**
 * Adds digest, platforms and creation date to each tag given (the poll passes only the tags some
 * app's filters let through). A tag's digest costs one HEAD request per poll (the tag list says
 * nothing of a re-pushed tag); what a digest holds (manifest, index children, config blobs) is
 * fetched once ever and cached, so a digest already cached costs no GET.
 * A tag whose manifest cannot be read for good (deleted meanwhile, unsupported or malformed) keeps
 * only what is known (the strategy reports it as missing). A transient or rate-limited failure is
 * thrown so the poll is retried: ranking without the tag could pick an older one.
 */
export async function fetchMetadata(
  client: RegistryClient,
  cache: MetadataCache,
  repository: string,
  tags: readonly TagRecord[],
): Promise<TagRecord[]> {
  const digests = await mapLimit(tags, PARALLEL, async (t) => {
    try {
      return (await client.headManifest(repository, t.name)).digest;
    } catch (e) {
      return droppedUnlessRetryable(e);
    }
  });
  const known = await cache.getMany(digests.filter((d): d is string => !!d));
  const missing = [...new Set(digests.filter((d): d is string => !!d && !known.has(d)))];
  await mapLimit(missing, PARALLEL, async (digest) => {
    try {
      const meta = await describeDigest(client, repository, digest);
      known.set(digest, meta);
      await cache.put(digest, meta);
    } catch (e) {
      droppedUnlessRetryable(e); // left without metadata: reported by the selection as metadata-missing
    }
  });
  return tags.map((t, i) => {
    const digest = digests[i];
    const meta = digest ? known.get(digest) : undefined;
    return meta
      ? { name: t.name, digest, created: meta.created, platforms: meta.platforms }
      : digest
        ? { name: t.name, digest }
        : { name: t.name };
  });
}

function droppedUnlessRetryable(e: unknown): undefined {
  if (describeError(e).kind !== 'permanent') throw e;
  return undefined;
}

async function describeDigest(client: RegistryClient, repository: string, digest: string): Promise<DigestMetadata> {
  const m = await client.getManifest(repository, digest);
  if (m.kind === 'image') {
    const config = await client.getImageConfig(repository, m.configDigest);
    const platform: Platform[] =
      config.os && config.architecture
        ? [{ os: config.os, architecture: config.architecture, variant: config.variant }]
        : [];
    return { kind: 'image', created: config.created, platforms: platform, labels: config.labels };
  }
  const children = m.children.filter((c) => c.platform && c.platform.os !== 'unknown');
  const platforms: DigestMetadata['platforms'] = [];
  for (const child of children) {
    const inner = await client.getManifest(repository, child.digest);
    const config = inner.kind === 'image' ? await client.getImageConfig(repository, inner.configDigest) : undefined;
    platforms.push({ ...child.platform!, created: config?.created });
  }
  const dates = platforms.map((p) => p.created).filter((c): c is string => !!c);
  const created = dates.sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
  return { kind: 'index', created, platforms };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
